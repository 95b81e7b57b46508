"""整改's closed loop: every transition, overdue from the deadline, and what a draft must hold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from inspect_app.domain.enums import RectStatus
from inspect_app.domain.rectification import (
    Recheck,
    RectAction,
    RectDraft,
    RectRefused,
    check_draft,
    is_open,
    is_overdue,
    read_recheck,
    rect_step,
)

TODAY = date(2026, 12, 3)
ALLOWED = {
    (RectStatus.ISSUED, RectAction.ASSIGN): RectStatus.ASSIGNED,
    (RectStatus.ASSIGNED, RectAction.ASSIGN): RectStatus.ASSIGNED,
    (RectStatus.ASSIGNED, RectAction.COMPLETE): RectStatus.DONE,
    (RectStatus.DONE, RectAction.PASS): RectStatus.PASSED,
    (RectStatus.DONE, RectAction.FAIL): RectStatus.ASSIGNED,
}


@pytest.mark.parametrize("status", list(RectStatus))
@pytest.mark.parametrize("action", list(RectAction))
def test_every_transition_is_either_allowed_or_refused(status: RectStatus, action: RectAction) -> None:
    assert rect_step(status, action) == ALLOWED.get((status, action))


def test_a_closed_rectification_cannot_move_and_only_a_done_one_is_rechecked() -> None:
    assert all(rect_step(RectStatus.PASSED, a) is None for a in RectAction)
    assert [s for s in RectStatus if rect_step(s, RectAction.PASS)] == [RectStatus.DONE]
    assert not is_open(RectStatus.PASSED)
    assert is_open(RectStatus.DONE)


@pytest.mark.parametrize(
    ("status", "deadline", "overdue"),
    [
        (RectStatus.ISSUED, TODAY - timedelta(days=1), True),
        (RectStatus.ASSIGNED, TODAY - timedelta(days=1), True),
        (RectStatus.ASSIGNED, TODAY, False),  # the deadline day itself is still in time
        (RectStatus.DONE, TODAY - timedelta(days=9), False),  # reported done: waits for the checker
        (RectStatus.PASSED, TODAY - timedelta(days=9), False),
    ],
)
def test_overdue_follows_from_the_deadline_and_the_state(
    status: RectStatus, deadline: date, overdue: bool
) -> None:
    assert is_overdue(status, deadline, TODAY) is overdue


def draft(**changes: object) -> RectDraft:
    fields: dict[str, object] = {
        "problem": " 支架初撑力不足 ",
        "measures": "补液升柱，班前逐架检查",
        "deadline": TODAY + timedelta(days=7),
        "responsible": "张海涛",
        "checker": "王建华",
    }
    fields.update(changes)
    return RectDraft(**fields)  # type: ignore[arg-type]


def test_a_good_draft_is_trimmed() -> None:
    assert check_draft(draft(), TODAY).problem == "支架初撑力不足"
    assert check_draft(draft(deadline=TODAY), TODAY).deadline == TODAY


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"measures": "  "}, "missing", "measures"),
        ({"problem": ""}, "missing", "problem"),
        ({"deadline": None}, "missing", "deadline"),
        ({"deadline": TODAY - timedelta(days=1)}, "deadline_past", "deadline"),
        ({"responsible": "x" * 61}, "too_long", "responsible"),
        ({"measures": "x" * 501}, "too_long", "measures"),
        ({"checker": "王\u202e建华"}, "control_chars", "checker"),
    ],
)
def test_a_bad_draft_names_its_field(changes: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(RectRefused) as refused:
        check_draft(draft(**changes), TODAY)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_recheck_fails_only_with_a_reason() -> None:
    assert read_recheck(7, "", "") is None
    assert read_recheck(7, "pass", "") == Recheck(7, True, "")
    assert read_recheck(7, "fail", " 仍有浮煤 ") == Recheck(7, False, "仍有浮煤")
    with pytest.raises(RectRefused) as refused:
        read_recheck(7, "fail", " ")
    assert (refused.value.code, refused.value.field) == ("missing", "rcn-7")
    with pytest.raises(RectRefused):
        read_recheck(7, "maybe", "")
