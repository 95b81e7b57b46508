"""The ranking rules (评分办法) as properties over random sheet scores, plus the worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.ranking import Rules, grade, kept_scores, post_score, rank, warning

SCORES = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
SHEETS = st.lists(SCORES, min_size=0, max_size=30)
RULES = st.builds(Rules, min_sheets=st.integers(min_value=1, max_value=5), trim=st.booleans())


@given(SHEETS, RULES, st.randoms())
def test_order_of_sheets_does_not_matter(scores: list[Decimal], rules: Rules, rnd: object) -> None:
    shuffled = list(scores)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert post_score(shuffled, rules) == post_score(scores, rules)


@given(SHEETS, RULES)
def test_score_stays_within_the_sheets_and_0_to_100(scores: list[Decimal], rules: Rules) -> None:
    result = post_score(scores, rules)
    if len(scores) < rules.min_sheets:
        assert result is None  # unrated, never 0
        return
    assert result is not None
    assert Decimal(0) <= result <= Decimal(100)
    assert min(scores) <= result <= max(scores)
    assert result == result.quantize(Decimal("0.01"))


@given(SHEETS.filter(lambda s: len(s) >= 3))
def test_trimming_drops_exactly_one_highest_and_one_lowest(scores: list[Decimal]) -> None:
    kept = kept_scores(scores, trim=True)
    assert len(kept) == len(scores) - 2
    assert sorted(scores)[1:-1] == kept
    # one outlier cannot move a trimmed score beyond the untrimmed range of the others
    with_outlier = [*scores, Decimal(0)]
    result = post_score(with_outlier, Rules(3, True))
    assert result is not None
    assert result >= min(scores)


@given(st.dictionaries(st.integers(0, 50), st.one_of(st.none(), SCORES), max_size=40))
def test_ranks_are_competition_style_and_ties_share_a_place(table: dict[int, Decimal | None]) -> None:
    places = rank(table)
    rated = {k: v for k, v in table.items() if v is not None}
    assert set(places) == set(rated)
    for key, place in places.items():
        better = sum(1 for v in rated.values() if v > rated[key])  # type: ignore[operator]
        assert place == better + 1
    for a in rated:
        for b in rated:
            assert (places[a] == places[b]) == (rated[a] == rated[b])


@pytest.mark.parametrize(
    ("scores", "rules", "expected"),
    [
        (["90", "95"], Rules(), None),  # two sheets: unrated
        (["90", "95", "99"], Rules(), "95.00"),  # the middle one remains
        (["80", "90", "95", "100"], Rules(), "92.50"),
        (["80", "90", "95", "100"], Rules(3, trim=False), "91.25"),
        (["88.33", "88.34", "88.34"], Rules(3, trim=False), "88.34"),  # 88.336…: rounded half-up at the end
        (["70.01"], Rules(1, trim=False), "70.01"),
    ],
)
def test_worked_examples_of_the_rules(scores: list[str], rules: Rules, expected: str | None) -> None:
    result = post_score([Decimal(s) for s in scores], rules)
    assert (None if result is None else f"{result:.2f}") == expected


def test_anonymous_rounds_publish_only_means_of_at_least_three_sheets() -> None:
    """Trimmed, 3 sheets would publish the middle sheet's exact score: the quorum is 5 (3 remain)."""
    assert Rules(1, False).for_round(anonymous=True) == Rules(3, False)
    assert Rules(3, True).for_round(anonymous=True) == Rules(5, True)
    assert Rules(7, True).for_round(anonymous=True) == Rules(7, True)
    assert Rules(1, False).for_round(anonymous=False) == Rules(1, False)
    scores = [Decimal(s) for s in ("91", "82.5", "77")]
    rules = Rules(3, True).for_round(anonymous=True)
    assert post_score(scores, rules) is None  # no longer 82.50, the one middle sheet
    assert post_score([*scores, Decimal(88), Decimal(95)], rules) == Decimal("87.17")


@pytest.mark.parametrize(
    ("score", "code"),
    [
        ("100", "grade1"),
        ("90", "grade1"),
        ("89.99", "grade2"),
        ("80", "grade2"),
        ("70", "grade3"),
        ("69.99", "below"),
    ],
)
def test_grades(score: str, code: str) -> None:
    assert grade(Decimal(score)) == code


@pytest.mark.parametrize(
    ("score", "places", "expected"),
    [
        ("79.99", [], "below"),
        ("80", [], None),
        ("95", [(10, 10), (9, 10), (1, 10)], "bottom"),  # bottom three of ten in 2 of the last 3
        ("95", [(10, 10), (1, 10), (2, 10), (9, 10)], None),  # only the last three count: 1 of 3
        ("95", [(2, 3), (2, 3), (2, 3)], None),  # three rated: the bottom group is the last place only
        ("95", [(3, 3), (3, 3)], "bottom"),
        (None, [(1, 1), (1, 1)], None),  # a round of one rated post has no bottom group
    ],
)
def test_quarterly_warning(score: str | None, places: list[tuple[int, int]], expected: str | None) -> None:
    assert warning(None if score is None else Decimal(score), places) == expected
