"""季讲评 decisions: keep, warn or revoke each post of the quarter's ranking. Pure rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum


class Decision(StrEnum):
    KEEP = "keep"  # 保留
    WARN = "warn"  # 预警提醒
    REVOKE = "revoke"  # 取消示范荣誉


def default_decision(warning: str | None) -> Decision:
    """What the meeting starts from: posts flagged 预警 are warned, the others kept."""
    return Decision.WARN if warning else Decision.KEEP


def decision_problems(decisions: Mapping[int, tuple[str, str]]) -> dict[int, str]:
    """Problem code per post: ``unknown`` decision, ``reason_needed`` for a revoke or warning without one."""
    problems: dict[int, str] = {}
    for post_id, (decision, reason) in decisions.items():
        if decision not in [d.value for d in Decision]:
            problems[post_id] = "unknown"
        elif decision == Decision.REVOKE and not reason.strip():
            problems[post_id] = "reason_needed"
    return problems


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, (quarter - 1) * 3 + 1, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, quarter * 3 + 1, 1)
    return first, after - timedelta(days=1)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1
