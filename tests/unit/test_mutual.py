"""互查 pairs: the ring never has a unit check itself and changes the checker month by month; an assignment's
problems name the units."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from inspect_app.domain.mutual import inspecting, monthly_shift, pairing_problems, ring


def test_a_ring_of_three() -> None:
    assert ring([1, 2, 3]) == ((1, 2), (2, 3), (3, 1))
    assert ring([1, 2, 3], shift=2) == ((1, 3), (2, 1), (3, 2))
    assert ring([7]) == ()
    assert inspecting(ring([1, 2, 3]), 1) == frozenset({3})


@given(st.lists(st.integers(1, 10_000), min_size=2, max_size=30, unique=True), st.integers(0, 40))
def test_every_month_each_unit_is_checked_once_and_never_by_itself(units: list[int], month: int) -> None:
    pairs = ring(units, monthly_shift(month))
    assert all(a != b for a, b in pairs)
    assert sorted(b for _a, b in pairs) == sorted(units)
    assert sorted(a for a, _b in pairs) == sorted(units)
    assert pairing_problems(pairs, units) == []


def test_consecutive_months_change_the_checker() -> None:
    units = [1, 2, 3, 4, 5]
    months = [dict((b, a) for a, b in ring(units, monthly_shift(m))) for m in range(4)]
    for unit in units:
        assert len({m[unit] for m in months}) == 4  # four months, four different checkers


def test_problems_name_the_units() -> None:
    assert pairing_problems([(1, 2), (2, 2)], [1, 2, 3]) == [
        ("self", 2),
        ("unassigned", 1),
        ("unassigned", 3),
    ]
    assert pairing_problems([(1, 9)], [9, 1]) == [("unassigned", 1)]
    assert pairing_problems([(1, 2), (3, 4)], [2]) == [("stray", 4)]
