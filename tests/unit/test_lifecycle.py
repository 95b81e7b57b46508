"""The post state machine (申报 → 调研论证 → 挂牌 / 推倒重建 → 调整 → 到期 / 撤销): every status × every
action, every role, reasons, and the five clarities."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from inspect_app.domain.enums import PostStatus, Role
from inspect_app.domain.lifecycle import (
    SYSTEM,
    Action,
    Clarities,
    Clarity,
    Shown,
    TransitionRefused,
    allowed_actions,
    due_to_expire,
    missing_clarities,
    shown_status,
    step,
)

S, A = PostStatus, Action
#: the workflow as the Party committee runs it, written out so the test can disagree with the code:
#: (from, action) → (to, who may take it)
EXPECTED: dict[tuple[PostStatus, Action], tuple[PostStatus, set[str]]] = {
    (S.DRAFT, A.APPLY): (S.APPLIED, {Role.BRANCH_SECRETARY}),
    (S.REJECTED, A.APPLY): (S.APPLIED, {Role.BRANCH_SECRETARY}),
    (S.APPLIED, A.REVIEW): (S.REVIEW, {Role.COMMITTEE}),
    (S.REVIEW, A.FINDINGS): (S.REVIEW, {Role.COMMITTEE, Role.HR}),
    (S.REVIEW, A.APPROVE): (S.LISTED, {Role.COMMITTEE}),
    (S.REVIEW, A.REJECT): (S.REJECTED, {Role.COMMITTEE}),
    (S.LISTED, A.ADJUST): (S.LISTED, {Role.COMMITTEE, Role.BRANCH_SECRETARY}),
    (S.LISTED, A.EXPIRE): (S.EXPIRED, {SYSTEM, Role.ADMIN}),
    (S.LISTED, A.REVOKE): (S.REVOKED, {Role.COMMITTEE}),
}
ACTORS = [*(r.value for r in Role), SYSTEM]
COMPLETE = Clarities(
    area="56804工作面运料巷",
    party_demonstrators=2,
    basis="集团公司安全质量标准化标准",
    standard_version_id=1,
    assessor="组织人事部",
    assessment="周检查、月考核",
    start=date(2026, 3, 1),
    end=date(2027, 2, 28),
)


@pytest.mark.parametrize("status", list(PostStatus))
@pytest.mark.parametrize("action", list(Action))
def test_every_status_and_action(status: PostStatus, action: Action) -> None:
    expected = EXPECTED.get((status, action))
    for role in ACTORS:
        if expected is None:
            with pytest.raises(TransitionRefused) as refused:
                step(status, action, role, "理由", COMPLETE)
            assert refused.value.code == "not_allowed"
        elif role in expected[1]:
            assert step(status, action, role, "理由", COMPLETE) == expected[0]
        else:
            with pytest.raises(TransitionRefused) as refused:
                step(status, action, role, "理由", COMPLETE)
            assert refused.value.code == "forbidden", (status, action, role)


@pytest.mark.parametrize("action", [A.FINDINGS, A.REJECT, A.ADJUST, A.REVOKE])
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_steps_that_must_say_why(action: Action, reason: str) -> None:
    status = next(s for (s, a) in EXPECTED if a == action)
    role = next(iter(EXPECTED[(status, action)][1] - {SYSTEM}))
    with pytest.raises(TransitionRefused) as refused:
        step(status, action, role, reason, COMPLETE)
    assert refused.value.code == "reason_required"


@pytest.mark.parametrize("action", [A.APPLY, A.REVIEW, A.APPROVE, A.EXPIRE])
def test_steps_that_need_no_reason(action: Action) -> None:
    (status, _), (target, roles) = next((k, v) for k, v in EXPECTED.items() if k[1] == action)
    assert step(status, action, sorted(roles)[0], "", COMPLETE) == target


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"area": "  "}, Clarity.AREA),
        ({"party_demonstrators": 0}, Clarity.DEMONSTRATORS),
        ({"standard_version_id": None}, Clarity.STANDARD),
        ({"basis": ""}, Clarity.STANDARD),
        ({"assessor": ""}, Clarity.ASSESSOR),
        ({"assessment": " "}, Clarity.ASSESSOR),
        ({"start": None}, Clarity.PERIOD),
        ({"end": None}, Clarity.PERIOD),
        ({"end": date(2026, 2, 28)}, Clarity.PERIOD),  # ends before it starts
    ],
)
def test_each_missing_clarity_is_named(change: dict[str, object], missing: Clarity) -> None:
    incomplete = replace(COMPLETE, **change)  # type: ignore[arg-type]
    assert missing_clarities(incomplete) == (missing,)
    for status, action, role in (
        (S.DRAFT, A.APPLY, Role.BRANCH_SECRETARY),
        (S.REVIEW, A.APPROVE, Role.COMMITTEE),
        (S.LISTED, A.ADJUST, Role.COMMITTEE),
    ):
        with pytest.raises(TransitionRefused) as refused:
            step(status, action, role, "理由", incomplete)
        assert refused.value.code == "clarities_missing"
        assert refused.value.missing == (missing,)


def test_all_five_missing_in_their_order_and_without_clarities_at_all() -> None:
    empty = Clarities("", 0, "", None, "", "", None, None)
    assert missing_clarities(empty) == tuple(Clarity)
    assert missing_clarities(COMPLETE) == ()
    with pytest.raises(TransitionRefused) as refused:
        step(S.DRAFT, A.APPLY, Role.BRANCH_SECRETARY)
    assert refused.value.missing == tuple(Clarity)


def test_buttons_offered_match_the_table() -> None:
    assert allowed_actions("draft", Role.BRANCH_SECRETARY) == (A.APPLY,)
    assert allowed_actions("draft", Role.COMMITTEE) == ()
    assert allowed_actions("review", Role.COMMITTEE) == (A.FINDINGS, A.APPROVE, A.REJECT)
    assert allowed_actions("review", Role.HR) == (A.FINDINGS,)
    assert allowed_actions("listed", Role.COMMITTEE) == (A.ADJUST, A.REVOKE)
    assert allowed_actions("revoked", Role.COMMITTEE) == ()
    assert allowed_actions("listed", Role.INSPECTOR) == ()


TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("status", "start", "end", "shown"),
    [
        ("listed", date(2026, 3, 1), date(2027, 2, 28), Shown.LISTED),
        ("listed", date(2026, 12, 1), date(2027, 11, 30), Shown.UPCOMING),
        ("listed", date(2025, 3, 1), date(2026, 11, 23), Shown.EXPIRED),  # before the expiry job ran
        ("listed", date(2025, 11, 24), TODAY, Shown.LISTED),  # the last day still counts
        ("expired", date(2025, 3, 1), date(2026, 2, 28), Shown.EXPIRED),
        ("revoked", date(2026, 3, 1), date(2027, 2, 28), Shown.REVOKED),
        ("draft", None, None, Shown.HIDDEN),
        ("applied", date(2026, 3, 1), date(2027, 2, 28), Shown.HIDDEN),
        ("review", date(2026, 3, 1), date(2027, 2, 28), Shown.HIDDEN),
        ("rejected", date(2026, 3, 1), date(2027, 2, 28), Shown.HIDDEN),
    ],
)
def test_what_the_public_page_says(status: str, start: date | None, end: date | None, shown: Shown) -> None:
    assert shown_status(status, start, end, TODAY) == shown


def test_only_listed_posts_past_their_end_are_due_to_expire() -> None:
    assert due_to_expire("listed", date(2026, 11, 23), TODAY)
    assert not due_to_expire("listed", TODAY, TODAY)
    assert not due_to_expire("revoked", date(2026, 1, 1), TODAY)
    assert not due_to_expire("listed", None, TODAY)


def test_a_posts_term_and_a_rounds_period_overlap_on_a_shared_day() -> None:
    from datetime import date

    from inspect_app.domain.lifecycle import period_overlaps

    start, end = date(2026, 12, 1), date(2026, 12, 13)
    assert period_overlaps(date(2026, 12, 13), None, start, end)  # starts on the round's last day
    assert not period_overlaps(date(2026, 12, 15), None, start, end)
    assert not period_overlaps(None, date(2026, 11, 30), start, end)
    assert period_overlaps(None, None, start, end)  # no dates yet: not excluded by them
    assert period_overlaps(date(2026, 1, 1), date(2026, 12, 1), start, end)
