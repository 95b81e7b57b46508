"""整改 (rectification): the rules of its closed loop, without Flask or a database.

已下发 (issued) → 已指派 (assigned: someone answers for it) → 已执行 (done: after-photo and note) → 已复查
(passed: a later check confirmed the fix) or 退回 (failed: back to assigned, counted). Overdue is never set by
hand: it follows from the deadline, for as long as the fix has not been reported done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .enums import RectStatus
from .text import has_hidden_chars, normalise_text

MAX_TEXT = 500
MAX_NAME = 60


class RectAction(StrEnum):
    ASSIGN = "assign"  # also re-assigning, or taking it back after a failed re-check
    COMPLETE = "complete"
    PASS = "pass"  # noqa: S105 — a re-check verdict, not a password
    FAIL = "fail"


_STEPS: dict[tuple[RectStatus, RectAction], RectStatus] = {
    (RectStatus.ISSUED, RectAction.ASSIGN): RectStatus.ASSIGNED,
    (RectStatus.ASSIGNED, RectAction.ASSIGN): RectStatus.ASSIGNED,
    (RectStatus.ASSIGNED, RectAction.COMPLETE): RectStatus.DONE,
    (RectStatus.DONE, RectAction.PASS): RectStatus.PASSED,
    (RectStatus.DONE, RectAction.FAIL): RectStatus.ASSIGNED,
}


def rect_step(status: RectStatus, action: RectAction) -> RectStatus | None:
    """The state after ``action``, or None if the action does not apply now."""
    return _STEPS.get((status, action))


def rect_number(issued_year: int, rect_id: int) -> str:
    """整改通知单编号: ZG2026-0012."""
    return f"ZG{issued_year}-{rect_id:04d}"


def is_overdue(status: RectStatus, deadline: date, today: date) -> bool:
    """Past its deadline and not yet reported done (a fix awaiting re-check is the checker's move)."""
    return status in (RectStatus.ISSUED, RectStatus.ASSIGNED) and today > deadline


def is_open(status: RectStatus) -> bool:
    return status != RectStatus.PASSED


class RectRefused(ValueError):
    """``code`` names the problem; ``field`` the input it belongs to ("" for the whole request)."""

    def __init__(self, code: str, field: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def clean_text(text: str, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    """Trimmed NFC text; refused when required and empty, too long, or holding control characters."""
    text = normalise_text(text)
    if required and not text:
        raise RectRefused("missing", field)
    if len(text) > limit:
        raise RectRefused("too_long", field)
    if has_hidden_chars(text):
        raise RectRefused("control_chars", field)
    return text


def check_deadline(deadline: date | None, today: date) -> date:
    if deadline is None:
        raise RectRefused("missing", "deadline")
    if deadline < today:
        raise RectRefused("deadline_past", "deadline")
    return deadline


@dataclass(frozen=True)
class RectDraft:
    """One rectification as entered: the problem found, what to do about it, by when, and who."""

    problem: str
    measures: str
    deadline: date | None
    responsible: str
    checker: str


def check_draft(draft: RectDraft, today: date) -> RectDraft:
    """The draft cleaned, or RectRefused for its first bad field."""
    return RectDraft(
        problem=clean_text(draft.problem, "problem"),
        measures=clean_text(draft.measures, "measures"),
        deadline=check_deadline(draft.deadline, today),
        responsible=clean_text(draft.responsible, "responsible", limit=MAX_NAME),
        checker=clean_text(draft.checker, "checker", limit=MAX_NAME),
    )


@dataclass(frozen=True)
class Recheck:
    """A re-check at a later inspection: the fix holds (passed) or not (failed, with the reason)."""

    rect_id: int
    passed: bool
    note: str


def read_recheck(rect_id: int, choice: str, note: str) -> Recheck | None:
    """From the form: "" leaves it for another time; "fail" needs a reason the unit can act on."""
    if choice == "":
        return None
    if choice not in ("pass", "fail"):
        raise RectRefused("bad_choice", f"rc-{rect_id}")
    text = clean_text(note, f"rcn-{rect_id}", required=choice == "fail")
    return Recheck(rect_id, choice == "pass", text)
