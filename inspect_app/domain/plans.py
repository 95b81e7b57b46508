"""The year's plan (检查计划): when each kind of check runs, which period a round covers, when it opens and
what it is called. Pure calendar rules on the mine's dates; ``plans.services`` turns them into rounds.

- 周检查: the week Monday–Sunday, opened on the plan's weekday (the joint check day).
- 旬督导: 上旬 1–10, 中旬 11–20, 下旬 21–month end, opened on the first day.
- 月考核: the calendar month, opened on the 1st (per unit for the branches' self-checks).
- 季讲评: not a check but the review of the quarter just ended: its record is opened on the next quarter's
  first day.

A plan holds from ``valid_from`` to ``valid_to`` (open-ended when None); changing it "from a date on" ends
the old plan the day before and starts the new one that day, so each period is created by one plan only:
the one in force on its opening day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from .enums import RoundKind

#: kinds a plan line may have: three kinds of check, and the quarterly review (a record, not a round)
PLANNED_KINDS = (RoundKind.WEEKLY, RoundKind.TEN_DAY, RoundKind.MONTHLY, RoundKind.QUARTERLY)
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_THIRDS = ("上旬", "中旬", "下旬")


@dataclass(frozen=True)
class Occurrence:
    period_start: date
    period_end: date
    opens_on: date

    def key(self, plan_id: int, unit_id: int | None) -> str:
        """What makes a planned round unique: one per plan, period and unit (a twin run finds it)."""
        return f"{plan_id}:{self.period_start.isoformat()}:{unit_id or 0}"


def occurrence(kind: RoundKind, day: date, weekday: int = 0) -> Occurrence:
    """The period of ``kind`` that contains ``day``, and the day its round opens."""
    if kind == RoundKind.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Occurrence(monday, monday + timedelta(days=6), monday + timedelta(days=weekday % 7))
    if kind == RoundKind.TEN_DAY:
        third = min((day.day - 1) // 10, 2)
        start = day.replace(day=third * 10 + 1)
        last = calendar.monthrange(day.year, day.month)[1]
        end = day.replace(day=last) if third == 2 else start + timedelta(days=9)
        return Occurrence(start, end, start)
    if kind == RoundKind.MONTHLY:
        start = day.replace(day=1)
        return Occurrence(start, day.replace(day=calendar.monthrange(day.year, day.month)[1]), start)
    if kind == RoundKind.QUARTERLY:  # the quarter before the one containing ``day``, reviewed from its start
        opens = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        end = opens - timedelta(days=1)
        return Occurrence(date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end, opens)
    raise ValueError(f"no plan for {kind}")


def due(
    kind: RoundKind, today: date, valid_from: date, valid_to: date | None, weekday: int = 0
) -> Occurrence | None:
    """The occurrence to create and open today, if any: the period containing today, once its opening day
    has come, when the plan is in force on that opening day. Earlier periods missed (a server that was
    down) are not made up: a check of a week gone by is no check."""
    found = occurrence(kind, today, weekday)
    if found.opens_on > today:
        return None
    if found.opens_on < valid_from or (valid_to is not None and found.opens_on > valid_to):
        return None
    return found


def month_index(valid_from: date, day: date) -> int:
    """Months from the plan's first month to ``day``'s (0 in the first month): drives 互查 rotation."""
    return (day.year - valid_from.year) * 12 + day.month - valid_from.month


def title(kind: RoundKind, period: Occurrence, unit_name: str = "", mutual: bool = False) -> str:
    """The round's title as the mine writes it, e.g. 2026年第49周党员示范岗联合检查."""
    start = period.period_start
    if kind == RoundKind.QUARTERLY:
        return f"{start.year}年第{'一二三四'[(start.month - 1) // 3]}季度党员示范岗讲评"
    if kind == RoundKind.WEEKLY:
        year, week, _day = start.isocalendar()
        check = "互查" if mutual else "联合检查"
        return f"{year}年第{week}周党员示范岗{check}"
    if kind == RoundKind.TEN_DAY:
        return f"{start.year}年{start.month}月{_THIRDS[min((start.day - 1) // 10, 2)]}党员示范岗督导"
    if unit_name:
        return f"{start.year}年{start.month}月{unit_name}党员示范岗月考核（自查）"
    return f"{start.year}年{start.month}月党员示范岗月考核{'（互查）' if mutual else ''}"


SCOPES = ("all", "hr", "units")


def plan_problems(
    kind: str, mode: str, scope: str, rotate: bool, valid_from: date, valid_to: date | None
) -> dict[str, str]:
    """Problem code per field of a plan line: a self-check is made per unit and only per unit, a mutual
    check needs several units in one round, rotation is for mutual checks, the end comes after the start."""
    problems: dict[str, str] = {}
    if kind not in PLANNED_KINDS:
        problems["kind"] = "kind"
    if kind == RoundKind.QUARTERLY:
        return problems | (
            {"valid_to": "ends_before"} if valid_to is not None and valid_to < valid_from else {}
        )
    if scope not in SCOPES:
        problems["scope"] = "scope"
    elif (mode == "self") != (scope == "units"):
        problems["scope"] = "self_per_unit"
    if rotate and mode != "mutual":
        problems["rotate"] = "rotate_mutual"
    if valid_to is not None and valid_to < valid_from:
        problems["valid_to"] = "ends_before"
    return problems
