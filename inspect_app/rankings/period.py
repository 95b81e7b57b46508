"""Month, quarter and year rankings: every sealed or published round ending in the period, rolled up per post
by ``domain.rollup`` (weights by kind of round), ranked 1-2-2-4, with each post's trend over those rounds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.domain.ranking import WARN_BELOW, rank, warning
from inspect_app.domain.rollup import period_score
from inspect_app.extensions import db
from inspect_app.models import Post, Round
from inspect_app.queries import SEALED

from .aggregate import rounds_standings


@dataclass(frozen=True)
class PeriodRow:
    rank: int | None
    post: Post
    score: Decimal | None
    rounds: int  # rounds that rated the post in the period
    trend: tuple[Decimal, ...]  # its round scores, oldest first
    warning: str | None = None  # 预警: "below" the line or in the "bottom" group in 2 of the last 3 rounds


def period_rounds(start: date, end: date) -> list[Round]:
    """Sealed or published rounds ending in the period, oldest first."""
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.status.in_(SEALED), Round.period_end >= start, Round.period_end <= end)
            .order_by(Round.period_end, Round.id)
        )
    )


def period_ranking(
    start: date, end: date, weights: Mapping[str, Decimal], warn_below: Decimal = WARN_BELOW
) -> list[PeriodRow]:
    rounds = period_rounds(start, end)
    results: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    places: dict[int, list[tuple[int, int]]] = defaultdict(list)
    tables = rounds_standings(rounds)
    for rnd in rounds:
        table = tables[rnd.id]
        rated = sum(1 for s in table.values() if s.rank is not None)
        for post_id, standing in table.items():
            if standing.score is not None and standing.rank is not None:
                results[post_id].append((rnd.kind, standing.score))
                places[post_id].append((standing.rank, rated))
    posts = {
        p.id: p
        for p in db.session.scalars(
            select(Post).where(Post.id.in_(list(results))).options(selectinload(Post.unit))
        )
    }
    scores = {pid: period_score(found, weights) for pid, found in results.items()}
    ranks = rank(scores)
    rows = [
        PeriodRow(ranks.get(pid), posts[pid], scores[pid], len(found), tuple(s for _, s in found),
                  warning(scores[pid], places[pid], warn_below))
        for pid, found in results.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.post.name))


def quarter_of(day: date) -> tuple[date, date]:
    first = (day.month - 1) // 3 * 3 + 1
    after = date(day.year + 1, 1, 1) if first == 10 else date(day.year, first + 3, 1)
    return date(day.year, first, 1), after - timedelta(days=1)


def quarter_warning(post_id: int, today: date, weights: Mapping[str, Decimal]) -> PeriodRow | None:
    """The post's row in this quarter's review if it is flagged 预警, else None."""
    for row in period_ranking(*quarter_of(today), weights, warn_below()):
        if row.post.id == post_id:
            return row if row.warning else None
    return None


def rollup_weights() -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in current_app.config["ROLLUP_WEIGHTS"].items()}


def warn_below() -> Decimal:
    return Decimal(str(current_app.config["WARN_BELOW"]))
