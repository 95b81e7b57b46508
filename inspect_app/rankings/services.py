"""Round rankings (汇总排序): posts ordered by the mean of their sheets, ranked 1-2-2-4."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.domain.scoring import competition_ranks, mean
from inspect_app.extensions import db
from inspect_app.models import Post, RoundPost, Sheet


@dataclass(frozen=True)
class RankRow:
    rank: int | None  # None: no sheet yet
    post: Post
    sheets: int
    score: Decimal | None


def round_ranking(round_id: int) -> list[RankRow]:
    """Every post of the round: scored ones by mean score (best first), then those without sheets."""
    entries = db.session.scalars(
        select(RoundPost)
        .where(RoundPost.round_id == round_id)
        .options(selectinload(RoundPost.post).selectinload(Post.unit))
    )
    posts = {e.post_id: e.post for e in entries}
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for post_id, score in db.session.execute(
        select(Sheet.post_id, Sheet.score).where(Sheet.round_id == round_id)
    ):
        scores[post_id].append(score)
    scored = sorted(
        ((mean(scores[pid]), pid) for pid in posts if scores[pid]),
        key=lambda pair: (-pair[0], posts[pair[1]].name),
    )
    ranks = competition_ranks([value for value, _ in scored])
    rows = [
        RankRow(rank, posts[pid], len(scores[pid]), value)
        for rank, (value, pid) in zip(ranks, scored, strict=True)
    ]
    unscored = sorted((p for pid, p in posts.items() if not scores[pid]), key=lambda p: p.name)
    return rows + [RankRow(None, p, 0, None) for p in unscored]
