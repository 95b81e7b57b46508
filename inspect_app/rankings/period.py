"""Month, quarter and year rankings: every sealed or published round ending in the period, rolled up per post
by ``domain.rollup`` (weights by kind of round), ranked 1-2-2-4, with each post's trend over those rounds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.domain.ranking import rank
from inspect_app.domain.rollup import period_score
from inspect_app.extensions import db
from inspect_app.models import Post, Round
from inspect_app.queries import SEALED, round_rules

from .aggregate import sql_standings


@dataclass(frozen=True)
class PeriodRow:
    rank: int | None
    post: Post
    score: Decimal | None
    rounds: int  # rounds that rated the post in the period
    trend: tuple[Decimal, ...]  # its round scores, oldest first


def period_ranking(start: date, end: date, weights: Mapping[str, Decimal]) -> list[PeriodRow]:
    rounds = db.session.scalars(
        select(Round)
        .where(Round.status.in_(SEALED), Round.period_end >= start, Round.period_end <= end)
        .order_by(Round.period_end, Round.id)
    ).all()
    results: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for rnd in rounds:
        for post_id, standing in sql_standings(rnd.id, round_rules(rnd)).items():
            if standing.score is not None:
                results[post_id].append((rnd.kind, standing.score))
    posts = {
        p.id: p
        for p in db.session.scalars(
            select(Post).where(Post.id.in_(list(results))).options(selectinload(Post.unit))
        )
    }
    scores = {pid: period_score(found, weights) for pid, found in results.items()}
    places = rank(scores)
    rows = [
        PeriodRow(places.get(pid), posts[pid], scores[pid], len(found), tuple(s for _, s in found))
        for pid, found in results.items()
    ]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.post.name))
