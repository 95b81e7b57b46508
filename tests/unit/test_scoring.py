"""The deduction checklist rules (扣分制): caps, 不适用 rate, 一票否决, input problems, ranking."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.deductions import Deduction, RuleKind
from inspect_app.domain.scoring import (
    ItemEntry,
    ItemRule,
    SheetRejected,
    competition_ranks,
    score_sheet,
    validate,
)


def each(amount: str) -> Deduction:
    return Deduction(RuleKind.EACH, D(amount), f"每处扣{amount}分")


WHOLE = Deduction(RuleKind.WHOLE, None, "不得分")
VETO = Deduction(RuleKind.VETO, None, "取消评审资格")


def simple(item_id: int, points: str, per: str) -> ItemRule:
    """An item with one rule: so much per defect."""
    return ItemRule(item_id, D(points), (each(per),))


RULES = [
    simple(1, "10", "0.5"),  # 一处扣0.5分, 20 defects empty it
    simple(2, "5", "2"),  # 3 defects: 6 > 5, capped at 5 (扣完为止)
    simple(3, "85", "1"),
    ItemRule(4, D("0"), (VETO,)),
]


def one(item_id: int, count: int | None) -> ItemEntry:
    return ItemEntry(item_id, None if count is None else (count,))


def entries(
    d1: int | None = 0, d2: int | None = 0, d3: int | None = 0, veto: int | None = 0
) -> list[ItemEntry]:
    return [one(1, d1), one(2, d2), one(3, d3), one(4, veto)]


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
    bad = [one(1, -1), one(1, 0), one(99, 1), one(4, 0)]
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
    rules = [simple(1, "3", "1"), simple(2, "3", "1"), simple(3, "3", "1")]
    # 8 of 9 points: 88.888… → 88.89
    assert score_sheet(rules, [one(1, 1), one(2, 0), one(3, 0)]).score == D("88.89")


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


# --- several rules per item, any total (real 安全质量标准化 sheets) ---------------------------------

#: 10 points: 每处扣0.5分; 缺一项扣1分; 不得分. A line that costs 3 per instance on 2 points. A veto inside an
#: item with points.
MIXED = [
    ItemRule(1, D("10"), (each("0.5"), Deduction(RuleKind.MISSING, D("1"), "缺一项扣1分"), WHOLE)),
    ItemRule(2, D("2"), (each("3"),)),
    ItemRule(3, D("88"), (each("1"), VETO)),
]


def test_rules_of_one_item_add_up_and_stop_at_the_item() -> None:
    result = score_sheet(MIXED, [ItemEntry(1, (3, 2, 0)), ItemEntry(2, (0,)), ItemEntry(3, (0, 0))])
    assert result.items[0].deduction == D("3.5")  # 3 × 0.5 + 2 × 1
    assert result.items[0].defects == 5
    capped = score_sheet(MIXED, [ItemEntry(1, (20, 10, 0)), ItemEntry(2, (1,)), ItemEntry(3, (0, 0))])
    assert [i.deduction for i in capped.items[:2]] == [D("10"), D("2")]  # 扣完为止, even at 3 per instance
    assert capped.score == D("88.00")


def test_whole_item_lost_and_fewer_counts_than_rules_mean_zero() -> None:
    result = score_sheet(MIXED, [ItemEntry(1, (0, 0, 1)), ItemEntry(2, ()), ItemEntry(3, (1,))])
    assert [i.deduction for i in result.items] == [D("10"), D("0"), D("1")]
    assert result.score == D("89.00")


def test_a_veto_inside_an_item_with_points_zeroes_the_sheet_and_the_item_may_be_not_applicable() -> None:
    assert score_sheet(MIXED, [ItemEntry(1, (0,)), ItemEntry(2, (0,)), ItemEntry(3, (0, 1))]).score == 0
    result = score_sheet(MIXED, [ItemEntry(1, (1,)), ItemEntry(2, (0,)), ItemEntry(3, None)])
    assert result.applicable_points == D("12")


def test_a_count_per_rule_is_bounded_by_the_rule_alone() -> None:
    assert MIXED[0].limits == (20, 10, 1)
    assert MIXED[1].limits == (1,)  # one instance already empties the item
    with pytest.raises(SheetRejected) as exc:
        score_sheet(MIXED, [ItemEntry(1, (21, 11, 2)), ItemEntry(2, (2,)), ItemEntry(3, (0, 0, 0))])
    found = [(p.code, p.item_id, p.rule, p.limit) for p in exc.value.problems]
    assert found == [
        ("over_max", 1, 1, 20),
        ("over_max", 1, 2, 10),
        ("over_max", 1, 3, 1),
        ("over_max", 2, 1, 1),
        ("unknown_rule", 3, None, 2),
    ]


points = st.decimals(min_value=D("0.5"), max_value=D("200"), places=1)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[ItemRule], list[ItemEntry]]:
    """Any standard (any total) and any valid sheet of it."""
    rules, entries = [], []
    for item_id in range(1, draw(st.integers(1, 12)) + 1):
        kinds = draw(st.lists(st.sampled_from(list(RuleKind)), min_size=1, max_size=4))
        deductions = tuple(
            Deduction(k, draw(points) if k in (RuleKind.EACH, RuleKind.MISSING) else None, k.value)
            for k in kinds
        )
        rule = ItemRule(item_id, draw(points), deductions)
        rules.append(rule)
        if draw(st.booleans()) and draw(st.integers(0, 4)) == 0:
            entries.append(ItemEntry(item_id, None))
        else:
            entries.append(ItemEntry(item_id, tuple(draw(st.integers(0, limit)) for limit in rule.limits)))
    return rules, entries


def kept_rate(rules: list[ItemRule], entries: list[ItemEntry]) -> D:
    """The rule spelled out independently: Σ kept / Σ applicable × 100, each item's loss capped at it."""
    applicable = kept = D(0)
    for rule, entry in zip(rules, entries, strict=True):
        if entry.counts is None:
            continue
        lost = D(0)
        for d, n in zip(rule.deductions, entry.counts, strict=True):
            if d.kind == RuleKind.WHOLE and n:
                lost = rule.max_points * 1000  # anything above the item
            elif d.amount is not None:
                lost += d.amount * n
        applicable += rule.max_points
        kept += rule.max_points - min(lost, rule.max_points)
    return kept / applicable * 100


@given(sheets())
def test_score_is_points_kept_over_applicable_points_scaled_to_100(
    sheet: tuple[list[ItemRule], list[ItemEntry]],
) -> None:
    rules, entries = sheet
    vetoed = any(r.vetoes(e.counts or ()) for r, e in zip(rules, entries, strict=True))
    if all(e.counts is None for e in entries):
        with pytest.raises(SheetRejected, match="nothing_applicable"):
            score_sheet(rules, entries)
        return
    result = score_sheet(rules, entries)
    assert result.vetoed == vetoed
    assert result.score == (
        D(0) if vetoed else kept_rate(rules, entries).quantize(D("0.01"), "ROUND_HALF_UP")
    )
    for rule, item in zip(rules, result.items, strict=True):
        assert D(0) <= item.deduction <= rule.max_points  # capped at the item


@given(sheets(), st.integers(1, 11))
def test_a_standard_scaled_by_any_factor_scores_the_same(
    sheet: tuple[list[ItemRule], list[ItemEntry]], k: int
) -> None:
    """100, 500 or 1100 points: the same sheet on a standard with every figure × k gives the same score."""
    rules, entries = sheet
    scaled = [
        ItemRule(
            r.item_id,
            r.max_points * k,
            tuple(Deduction(d.kind, d.amount * k if d.amount else None, d.label) for d in r.deductions),
        )
        for r in rules
    ]
    try:
        expected = score_sheet(rules, entries).score
    except SheetRejected:
        return
    assert score_sheet(scaled, entries).score == expected
