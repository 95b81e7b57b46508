"""Round rankings (汇总排序): posts ordered by the mean of their sheets, ranked 1-2-2-4.

Signed rounds rank live. An anonymous round shows sheet counts only until it is sealed, then a mean and a
rank for posts with at least their quorum of sheets; fewer stay unrated, so no single sheet shows through.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import selectinload

from inspect_app.domain.ballots import results_visible
from inspect_app.domain.enums import RoundStatus
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, Post, Round, RoundPost, Sheet
from inspect_app.queries import round_rules

from .aggregate import sql_standings


@dataclass(frozen=True)
class RankRow:
    rank: int | None  # None: unrated (no sheet, too few anonymous sheets, or results not yet visible)
    post: Post
    sheets: int
    score: Decimal | None
    too_few: bool = False  # an anonymous round sealed with fewer sheets than its quorum for this post


def round_ranking(rnd: Round) -> list[RankRow]:
    """Every post of the round: rated ones best first, then the unrated ones by name."""
    entries = db.session.scalars(
        select(RoundPost)
        .where(RoundPost.round_id == rnd.id)
        .options(selectinload(RoundPost.post).selectinload(Post.unit))
    )
    posts = {e.post_id: e.post for e in entries}
    table = sql_standings(rnd.id, round_rules(rnd))
    visible = results_visible(RoundStatus(rnd.status), rnd.anonymous)
    rows = []
    for pid, post in posts.items():
        standing = table.get(pid)
        count = standing.sheets if standing else 0
        standing = standing if visible else None
        if standing is None or standing.rank is None:
            rows.append(RankRow(None, post, count, None, too_few=visible and count > 0))
        else:
            rows.append(RankRow(standing.rank, post, count, standing.score))
    rated = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank or 0, r.post.name))
    unrated = sorted((r for r in rows if r.rank is None), key=lambda r: r.post.name)
    return rated + unrated


def ranking_fingerprint(rnd: Round, visible: bool) -> tuple[object, ...]:
    """What the ranking page depends on, from one cheap query: the round's state and rules, the number of
    sheets and, only when results may be seen, their total. An anonymous round's ETag must not carry its
    running total: the difference between two polls would be the score of the sheet that just arrived."""
    both = union_all(
        select(Sheet.score).where(Sheet.round_id == rnd.id),
        select(AnonSheet.score).where(AnonSheet.round_id == rnd.id),
    ).subquery()
    count, total = db.session.execute(select(func.count(), func.sum(both.c.score))).one()
    return (rnd.status, rnd.title, rnd.min_sheets, rnd.trim, count, total if visible else None)
