"""Period roll-up (月/季/年): a post's score over several rounds, weighted by the kind of round.

Within a kind the post's round scores are averaged; the kinds' averages are then weighted
(default 周检查 0.4, 旬督导 0.2, 月考核 0.4) and the weights re-normalised over the kinds that
actually rated the post in the period, so a post without a ten-day supervision is judged on the
other two. Unrated rounds do not count; a post no round rated stays unrated. Rounded half-up
once, at the end. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from .scoring import round_points

WEIGHTS: dict[str, Decimal] = {"weekly": Decimal("0.4"), "ten_day": Decimal("0.2"), "monthly": Decimal("0.4")}


def period_score(
    results: Iterable[tuple[str, Decimal]], weights: Mapping[str, Decimal] = WEIGHTS
) -> Decimal | None:
    """``results``: (round kind, the post's score in that round) for every round that rated the post."""
    by_kind: dict[str, list[Decimal]] = defaultdict(list)
    for kind, score in results:
        if weights.get(kind, Decimal(0)) > 0:
            by_kind[kind].append(score)
    total = sum((weights[k] for k in by_kind), Decimal(0))
    if not by_kind or total == 0:
        return None
    weighted = sum((weights[k] * sum(v, Decimal(0)) / len(v) for k, v in by_kind.items()), Decimal(0))
    return round_points(weighted / total)


def period_bounds(text: str) -> tuple[date, date] | None:
    """``2026-11`` (month), ``2026-Q4`` (quarter) or ``2026`` (year) as first and last day; else None."""
    try:
        if len(text) == 4 and text.isdigit():
            return date(int(text), 1, 1), date(int(text), 12, 31)
        year, _, part = text.partition("-")
        if part.upper().startswith("Q") and len(part) == 2 and part[1] in "1234":
            first = (int(part[1]) - 1) * 3 + 1
            return date(int(year), first, 1), _month_end(int(year), first + 2)
        month = int(part)
        return date(int(year), month, 1), _month_end(int(year), month)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
