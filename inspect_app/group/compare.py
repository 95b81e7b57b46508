"""The group's mines side by side over a year: each mine is asked, in its own database, for its summary
(``reviews.annual.mine_summary``: counts and rates, never a sheet); the mines are then ranked 1-2-2-4 on the
weighted result. A mine's summary is kept a minute in that mine's cache: the page is a supervisor's to
reload, the figures change when rounds are sealed."""

from __future__ import annotations

import time
from dataclasses import dataclass

from inspect_app import clock, tenancy
from inspect_app.domain.ranking import rank
from inspect_app.extensions import db
from inspect_app.reviews.annual import MineSummary, mine_summary

from .services import mines

SUMMARY_SECONDS = 60


@dataclass(frozen=True)
class Compared:
    code: str
    name: str
    summary: MineSummary
    rank: int | None


def _summary(year: int) -> MineSummary:
    cache = tenancy.state().setdefault("inspect_group_summary", {})
    hit = cache.get(year)
    if hit and hit[1] > time.monotonic():
        found: MineSummary = hit[0]
        return found
    summary = mine_summary(year, clock.today())  # the mine's own today, in its own time zone
    cache[year] = (summary, time.monotonic() + SUMMARY_SECONDS)
    return summary


def compare(year: int) -> list[Compared]:
    found: list[tuple[str, str, MineSummary]] = []
    for mine in mines():
        with tenancy.use_mine(mine.code):
            try:
                found.append((mine.code, mine.short_name, _summary(year)))
            finally:
                db.session.remove()
    places = rank({code: summary.score for code, _name, summary in found})
    rows = [Compared(code, name, summary, places.get(code)) for code, name, summary in found]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.code))
