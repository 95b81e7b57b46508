"""The deduction checklist rules (扣分制): caps, 不适用 rate, 一票否决, input problems, ranking."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.scoring import (
    ItemEntry,
    ItemRule,
    SheetRejected,
    competition_ranks,
    score_sheet,
    validate,
)

RULES = [
    ItemRule(1, D("10"), D("0.5")),  # 一处扣0.5分, 20 defects empty it
    ItemRule(2, D("5"), D("2")),  # 3 defects: 6 > 5, capped at 5 (扣完为止)
    ItemRule(3, D("85"), D("1")),
    ItemRule(4, D("0"), D("0"), veto=True),
]


def entries(
    d1: int | None = 0, d2: int | None = 0, d3: int | None = 0, veto: int | None = 0
) -> list[ItemEntry]:
    return [ItemEntry(1, d1), ItemEntry(2, d2), ItemEntry(3, d3), ItemEntry(4, veto)]


def codes(exc: pytest.ExceptionInfo[SheetRejected]) -> list[tuple[str, int | None]]:
    return [(p.code, p.item_id) for p in exc.value.problems]


def test_clean_sheet_scores_100() -> None:
    assert score_sheet(RULES, entries()).score == D("100.00")


def test_defects_deduct_per_defect() -> None:
    result = score_sheet(RULES, entries(d1=3, d3=2))
    assert result.deducted == D("3.5")
    assert result.score == D("96.50")


def test_last_defect_empties_item_without_going_below_zero() -> None:
    result = score_sheet(RULES, entries(d2=3))
    assert [i.deduction for i in result.items][1] == D("5")
    assert result.score == D("95.00")


def test_defects_beyond_emptying_the_item_are_refused() -> None:
    with pytest.raises(SheetRejected) as exc:
        score_sheet(RULES, entries(d1=21))
    assert codes(exc) == [("over_max", 1)]
    assert exc.value.problems[0].limit == 20


def test_not_applicable_item_is_left_out_of_the_rate() -> None:
    # items 1 and 2 不适用: 85 applicable points, 17 lost → 68 / 85 = 80 %
    result = score_sheet(RULES, entries(d1=None, d2=None, d3=17))
    assert result.applicable_points == D("85")
    assert result.score == D("80.00")


def test_veto_item_zeroes_the_sheet() -> None:
    result = score_sheet(RULES, entries(veto=1))
    assert result.vetoed
    assert result.score == D("0.00")


def test_veto_item_cannot_be_not_applicable_or_counted_twice() -> None:
    with pytest.raises(SheetRejected) as exc:
        score_sheet(RULES, entries(veto=None))
    assert codes(exc) == [("veto_not_applicable", 4)]
    with pytest.raises(SheetRejected) as exc:
        score_sheet(RULES, entries(veto=2))
    assert codes(exc) == [("over_max", 4)]


def test_every_problem_is_reported_at_once() -> None:
    bad = [ItemEntry(1, -1), ItemEntry(1, 0), ItemEntry(99, 1), ItemEntry(4, 0)]
    problems = [(p.code, p.item_id) for p in validate(RULES, bad)]
    assert problems == [
        ("negative_defects", 1),
        ("duplicate_item", 1),
        ("unknown_item", 99),
        ("missing_item", 2),
        ("missing_item", 3),
    ]


def test_all_not_applicable_cannot_be_scored() -> None:
    with pytest.raises(SheetRejected) as exc:
        score_sheet(RULES, entries(None, None, None, 0))
    assert codes(exc) == [("nothing_applicable", None)]


def test_score_rounds_half_up_at_the_end_only() -> None:
    rules = [ItemRule(1, D("3"), D("1")), ItemRule(2, D("3"), D("1")), ItemRule(3, D("3"), D("1"))]
    # 8 of 9 points: 88.888… → 88.89
    assert score_sheet(rules, [ItemEntry(1, 1), ItemEntry(2, 0), ItemEntry(3, 0)]).score == D("88.89")


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=3, max_size=3))
def test_score_stays_within_0_and_100(counts: list[int]) -> None:
    counts = [min(counts[0], 20), min(counts[1], 3), counts[2]]
    result = score_sheet(RULES, entries(*counts))
    assert D(0) <= result.score <= D(100)
    assert result.deducted <= result.applicable_points


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), max_size=30))
def test_competition_ranks_share_places_and_skip(values: list[D]) -> None:
    ordered = sorted(values, reverse=True)
    ranks = competition_ranks(ordered)
    for i, rank in enumerate(ranks):
        assert rank == 1 + sum(1 for v in ordered if v > ordered[i])


def test_competition_ranks_1_2_2_4() -> None:
    assert competition_ranks([D(95), D(90), D(90), D(80)]) == [1, 2, 2, 4]
    with pytest.raises(ValueError, match="sorted"):
        competition_ranks([D(1), D(2)])
