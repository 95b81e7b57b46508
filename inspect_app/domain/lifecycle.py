"""The life of a model post (申报 → 调研论证 → 挂牌 / 推倒重建 → 及时调整 → 到期 / 取消示范荣誉).

A pure state machine: ``TRANSITIONS`` maps (status, action) to the next status, ``ACTORS`` says who may take
each action, ``NEEDS_REASON`` which actions must say why. ``step()`` applies one action or raises
``TransitionRefused`` with a code the UI translates. Whether a branch secretary acts on their *own* unit is
checked by the caller, which knows the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .enums import PostStatus, Role

S = PostStatus


class Action(StrEnum):
    APPLY = "apply"  # 申报 (again after 推倒重建)
    REVIEW = "review"  # 调研论证 begins
    FINDINGS = "findings"  # site-visit findings recorded during 调研论证
    APPROVE = "approve"  # 审批, 挂牌
    REJECT = "reject"  # 推倒重建
    ADJUST = "adjust"  # 及时调整
    EXPIRE = "expire"  # end date passed
    REVOKE = "revoke"  # 取消示范荣誉


#: the system itself (a scheduled job), for expiry
SYSTEM = "system"

TRANSITIONS: dict[tuple[PostStatus, Action], PostStatus] = {
    (S.DRAFT, Action.APPLY): S.APPLIED,
    (S.REJECTED, Action.APPLY): S.APPLIED,
    (S.APPLIED, Action.REVIEW): S.REVIEW,
    (S.REVIEW, Action.FINDINGS): S.REVIEW,
    (S.REVIEW, Action.APPROVE): S.LISTED,
    (S.REVIEW, Action.REJECT): S.REJECTED,
    (S.LISTED, Action.ADJUST): S.LISTED,
    (S.LISTED, Action.EXPIRE): S.EXPIRED,
    (S.LISTED, Action.REVOKE): S.REVOKED,
}

ACTORS: dict[Action, frozenset[str]] = {
    Action.APPLY: frozenset({Role.BRANCH_SECRETARY}),
    Action.REVIEW: frozenset({Role.COMMITTEE}),
    Action.FINDINGS: frozenset({Role.COMMITTEE, Role.HR}),
    Action.APPROVE: frozenset({Role.COMMITTEE}),
    Action.REJECT: frozenset({Role.COMMITTEE}),
    Action.ADJUST: frozenset({Role.COMMITTEE, Role.BRANCH_SECRETARY}),
    Action.EXPIRE: frozenset({SYSTEM, Role.ADMIN}),
    Action.REVOKE: frozenset({Role.COMMITTEE}),
}

#: actions that must carry a written reason (or findings, or what was adjusted)
NEEDS_REASON = frozenset({Action.FINDINGS, Action.REJECT, Action.ADJUST, Action.REVOKE})

#: statuses in which the branch edits the five clarities freely (nothing public depends on them yet)
EDITABLE = frozenset({S.DRAFT, S.REJECTED})

#: statuses a miner can see on the public page: the post has hung a board
PUBLIC = frozenset({S.LISTED, S.EXPIRED, S.REVOKED})


class TransitionRefused(Exception):
    """``code`` is one of: not_allowed (no such step from this status), forbidden (wrong role),
    reason_required, clarities_missing (see ``missing``)."""

    def __init__(self, code: str, missing: tuple[Clarity, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.missing = missing


class Clarity(StrEnum):
    """The five clarities (五明确) a post must fix before it is applied for."""

    AREA = "area"  # 明确区域
    DEMONSTRATORS = "demonstrators"  # 明确示范者
    STANDARD = "standard"  # 明确示范依据和示范标准
    ASSESSOR = "assessor"  # 明确考核人和考核标准
    PERIOD = "period"  # 明确示范的起止时间


@dataclass(frozen=True)
class Clarities:
    """What the five clarities are filled with; empty strings and None mean missing."""

    area: str
    party_demonstrators: int
    basis: str
    standard_version_id: int | None
    assessor: str
    assessment: str
    start: date | None
    end: date | None


def missing_clarities(c: Clarities) -> tuple[Clarity, ...]:
    """Which of the five clarities are missing or unusable, in their canonical order."""
    missing = []
    if not c.area.strip():
        missing.append(Clarity.AREA)
    if c.party_demonstrators < 1:
        missing.append(Clarity.DEMONSTRATORS)
    if c.standard_version_id is None or not c.basis.strip():
        missing.append(Clarity.STANDARD)
    if not c.assessor.strip() or not c.assessment.strip():
        missing.append(Clarity.ASSESSOR)
    if c.start is None or c.end is None or c.end < c.start:
        missing.append(Clarity.PERIOD)
    return tuple(missing)


def allowed_actions(status: str, role: str) -> tuple[Action, ...]:
    """The actions ``role`` may take on a post in ``status``, in workflow order (for the buttons)."""
    here = PostStatus(status)
    return tuple(a for (s, a) in TRANSITIONS if s == here and role in ACTORS[a])


def step(
    status: str, action: Action, role: str, reason: str = "", clarities: Clarities | None = None
) -> PostStatus:
    """Apply ``action`` to a post in ``status``; the new status, or ``TransitionRefused``."""
    target = TRANSITIONS.get((PostStatus(status), action))
    if target is None:
        raise TransitionRefused("not_allowed")
    if role not in ACTORS[action]:
        raise TransitionRefused("forbidden")
    if action in NEEDS_REASON and not reason.strip():
        raise TransitionRefused("reason_required")
    if action in (Action.APPLY, Action.ADJUST, Action.APPROVE):
        missing = missing_clarities(clarities) if clarities else tuple(Clarity)
        if missing:
            raise TransitionRefused("clarities_missing", missing)
    return target


class Shown(StrEnum):
    """What the public page says about a post's standing today."""

    UPCOMING = "upcoming"  # 待挂牌: approved, start date not reached
    LISTED = "listed"  # 挂牌中
    EXPIRED = "expired"  # 已到期
    REVOKED = "revoked"  # 已撤销
    HIDDEN = "hidden"  # never listed: no public page


def shown_status(status: str, start: date | None, end: date | None, today: date) -> Shown:
    """A listed post whose end date passed reads 已到期 even before the expiry job has run."""
    here = PostStatus(status)
    if here == S.REVOKED:
        return Shown.REVOKED
    if here == S.EXPIRED or (here == S.LISTED and end is not None and end < today):
        return Shown.EXPIRED
    if here == S.LISTED:
        return Shown.UPCOMING if start is not None and start > today else Shown.LISTED
    return Shown.HIDDEN


def due_to_expire(status: str, end: date | None, today: date) -> bool:
    return PostStatus(status) == S.LISTED and end is not None and end < today


def period_overlaps(post_start: date | None, post_end: date | None, start: date, end: date) -> bool:
    """Whether a post's 起止时间 (open-ended where unset) and a round's period share at least one day."""
    return (post_start is None or post_start <= end) and (post_end is None or post_end >= start)
