"""Period roll-up: weights by kind of round, re-normalised over the kinds present; months, quarters, years."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.rollup import period_bounds, period_score
from inspect_app.sparkline import sparkline

D = Decimal
KINDS = st.sampled_from(["weekly", "ten_day", "monthly", "quarterly"])
SCORES = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def test_kinds_are_averaged_then_weighted() -> None:
    results = [("weekly", D(90)), ("weekly", D(80)), ("ten_day", D(70)), ("monthly", D(95))]
    # weekly 85 × 0.4 + ten-day 70 × 0.2 + monthly 95 × 0.4 = 34 + 14 + 38 = 86
    assert period_score(results) == D("86.00")


def test_missing_kinds_are_reweighted_over_those_present() -> None:
    # no ten-day supervision: (85 × 0.4 + 95 × 0.4) / 0.8 = 90
    assert period_score([("weekly", D(85)), ("monthly", D(95))]) == D("90.00")
    assert period_score([("ten_day", D("77.77"))]) == D("77.77")
    assert period_score([]) is None
    assert period_score([("quarterly", D(99))]) is None  # a kind without weight rates nothing


@given(st.lists(st.tuples(KINDS, SCORES), max_size=20))
def test_period_score_lies_between_the_lowest_and_highest_round(results: list[tuple[str, Decimal]]) -> None:
    weighted = [s for k, s in results if k != "quarterly"]
    score = period_score(results)
    if not weighted:
        assert score is None
    else:
        assert score is not None
        assert min(weighted) <= score <= max(weighted)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2026-11", (date(2026, 11, 1), date(2026, 11, 30))),
        ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        ("2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        ("2026-q1", (date(2026, 1, 1), date(2026, 3, 31))),
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
        ("2026-13", None),
        ("2026-Q5", None),
        ("last month", None),
        ("", None),
    ],
)
def test_periods_are_read_as_months_quarters_or_years(text: str, bounds: tuple[date, date] | None) -> None:
    assert period_bounds(text) == bounds


def test_sparkline_is_an_inline_svg_without_script_or_style() -> None:
    svg = str(sparkline([D(80), D(95), D(60)]))
    assert svg.startswith("<svg")
    assert "polyline" in svg
    assert "script" not in svg
    assert "style" not in svg
    assert 'aria-label="80.00 → 95.00 → 60.00"' in svg
    assert str(sparkline([D(90)])) == ""
