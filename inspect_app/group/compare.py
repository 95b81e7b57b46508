"""The group's mines side by side over a year or a quarter: each mine is asked, in its own database, for
its summary (``reviews.annual.mine_summary``: counts and rates, never a sheet); the mines are then ranked
1-2-2-4 on the weighted result. A mine's summary is kept a minute in that mine's cache: the page is a
supervisor's to reload, the figures change when rounds are sealed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from inspect_app import clock, tenancy
from inspect_app.domain.ranking import rank
from inspect_app.extensions import db
from inspect_app.rankings.period import quarter_of
from inspect_app.reviews.annual import MineSummary, mine_summary

from .services import mines

SUMMARY_SECONDS = 60


@dataclass(frozen=True)
class Compared:
    code: str
    name: str
    summary: MineSummary
    rank: int | None


def _summary(first: date, last: date) -> MineSummary:
    cache = tenancy.state().setdefault("inspect_group_summary", {})
    hit = cache.get((first, last))
    if hit and hit[1] > time.monotonic():
        found: MineSummary = hit[0]
        return found
    summary = mine_summary(first, last, clock.today())  # the mine's own today, in its own time zone
    cache[(first, last)] = (summary, time.monotonic() + SUMMARY_SECONDS)
    return summary


def period_of(year: int, quarter: int | None) -> tuple[date, date]:
    """The year, or its quarter 1-4 (季讲评's period)."""
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    return quarter_of(date(year, quarter * 3, 1))


def compare(year: int, quarter: int | None = None) -> list[Compared]:
    first, last = period_of(year, quarter)
    found: list[tuple[str, str, MineSummary]] = []
    for mine in mines():
        with tenancy.use_mine(mine.code):
            try:
                found.append((mine.code, mine.short_name, _summary(first, last)))
            finally:
                db.session.remove()
    places = rank({code: summary.score for code, _name, summary in found})
    rows = [Compared(code, name, summary, places.get(code)) for code, name, summary in found]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.code))
