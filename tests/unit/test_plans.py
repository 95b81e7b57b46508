"""The plan's calendar: periods, opening days, what is due on a day, titles."""

from __future__ import annotations

from datetime import date

from inspect_app.domain.enums import RoundKind
from inspect_app.domain.plans import Occurrence, due, month_index, occurrence, plan_problems, title


def test_periods_and_opening_days() -> None:
    thursday = date(2026, 12, 3)
    assert occurrence(RoundKind.WEEKLY, thursday, weekday=1) == Occurrence(
        date(2026, 11, 30), date(2026, 12, 6), date(2026, 12, 1)
    )
    assert occurrence(RoundKind.TEN_DAY, date(2026, 2, 25)) == Occurrence(
        date(2026, 2, 21), date(2026, 2, 28), date(2026, 2, 21)
    )  # 下旬 ends with the month
    assert occurrence(RoundKind.TEN_DAY, date(2026, 3, 31)).period_start == date(2026, 3, 21)
    assert occurrence(RoundKind.TEN_DAY, date(2026, 3, 11)).period_end == date(2026, 3, 20)
    assert occurrence(RoundKind.MONTHLY, date(2028, 2, 10)).period_end == date(2028, 2, 29)
    assert occurrence(RoundKind.QUARTERLY, date(2027, 1, 2)) == Occurrence(
        date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 1)
    )


def test_what_is_due() -> None:
    start = date(2026, 11, 30)
    assert due(RoundKind.WEEKLY, date(2026, 11, 30), start, None, weekday=1) is None  # Tuesday's check
    assert due(RoundKind.WEEKLY, date(2026, 12, 2), start, None, weekday=1) is not None  # caught up later
    assert due(RoundKind.WEEKLY, date(2026, 12, 2), start, date(2026, 11, 30), weekday=1) is None  # ended
    assert (
        due(RoundKind.MONTHLY, date(2026, 12, 5), date(2026, 12, 2), None) is None
    )  # opened before the line


def test_titles_and_rotation_index() -> None:
    week = occurrence(RoundKind.WEEKLY, date(2026, 12, 3))
    assert title(RoundKind.WEEKLY, week) == "2026年第49周党员示范岗联合检查"
    assert (
        title(RoundKind.TEN_DAY, occurrence(RoundKind.TEN_DAY, date(2026, 12, 15)))
        == "2026年12月中旬党员示范岗督导"
    )
    month = occurrence(RoundKind.MONTHLY, date(2026, 12, 3))
    assert (
        title(RoundKind.MONTHLY, month, unit_name="综采一区") == "2026年12月综采一区党员示范岗月考核（自查）"
    )
    assert (
        title(RoundKind.QUARTERLY, occurrence(RoundKind.QUARTERLY, date(2027, 1, 1)))
        == "2026年第四季度党员示范岗讲评"
    )
    assert month_index(date(2026, 11, 1), date(2027, 2, 1)) == 3


def test_line_problems() -> None:
    assert plan_problems("monthly", "self", "all", False, date(2026, 1, 1), None) == {
        "scope": "self_per_unit"
    }
    assert plan_problems("monthly", "joint", "units", False, date(2026, 1, 1), None) == {
        "scope": "self_per_unit"
    }
    assert plan_problems("weekly", "joint", "all", True, date(2026, 1, 1), None) == {
        "rotate": "rotate_mutual"
    }
    assert plan_problems("annual", "joint", "all", False, date(2026, 1, 1), None) == {"kind": "kind"}
    assert plan_problems("quarterly", "joint", "all", False, date(2026, 1, 1), None) == {}
