"""月考核 self-checks (自查): did each unit check its posts in the month, on time? Pure; the plan area
counts the sheets.

A unit's month is *done* when every post it had as a model post that month got a signed sheet in one of the
unit's self-check rounds of the month by the month's last day, *late* when the last came after it, *partial*
or *missing* once the month is over with some or none checked, *running* while the month lasts, and *none
due* when the unit had no model post that month.
"""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum


class SelfCheck(StrEnum):
    DONE = "done"  # 按时完成
    LATE = "late"  # 逾期完成
    PARTIAL = "partial"  # 未完成
    MISSING = "missing"  # 未开展
    RUNNING = "running"  # 进行中
    NONE_DUE = "none_due"  # 无示范岗


#: states a supervisor must act on (shown on 工作台 and in the quarterly review)
BEHIND = frozenset({SelfCheck.PARTIAL, SelfCheck.MISSING, SelfCheck.LATE})


def state(expected: int, checked: int, in_time: int, month_over: bool) -> SelfCheck:
    """``expected`` posts, ``checked`` of them with a sheet so far, ``in_time`` by the month's last day."""
    if expected == 0:
        return SelfCheck.NONE_DUE
    if checked >= expected:
        return SelfCheck.DONE if in_time >= expected else SelfCheck.LATE
    if not month_over:
        return SelfCheck.RUNNING
    return SelfCheck.MISSING if checked == 0 else SelfCheck.PARTIAL


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of ``month``'s month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def previous_month(day: date) -> date:
    first = day.replace(day=1)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )


def parse_month(text: str) -> date | None:
    """``2026-11`` → 2026-11-01 (years 2000–2999), else None."""
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        return None
    return date(year, month, 1)
