"""Reads shared by several areas, as functions returning a ``select`` or a loaded row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from .domain.enums import FeedbackStatus, RoundStatus
from .domain.scoring import competition_ranks, round_points
from .extensions import db
from .models import Feedback, Post, PostDemonstrator, RetiredCode, Round, RoundPost, Sheet, StandardVersion


def post_with_clarities(code: str) -> Select[Post]:
    """A post by board code with what its pages show: demonstrators, unit, standard and its items."""
    return (
        select(Post)
        .where(Post.code == code)
        .options(
            selectinload(Post.demonstrators).selectinload(PostDemonstrator.member),
            selectinload(Post.unit),
            selectinload(Post.standard_version).selectinload(StandardVersion.items),
            selectinload(Post.standard_version).selectinload(StandardVersion.standard),
        )
    )


def post_by_code(code: str) -> Post | None:
    return db.session.scalar(post_with_clarities(code))


def retired_code(code: str) -> RetiredCode | None:
    """The retirement record of a board code replaced by rotation, if ``code`` is one."""
    return db.session.get(RetiredCode, code)


@dataclass(frozen=True)
class Grade:
    """A post's result in one sealed round: aggregates only, never single sheets."""

    round_title: str
    kind: str
    period_end: object
    score: Decimal
    rank: int
    of: int


SEALED = (RoundStatus.SEALED.value, RoundStatus.PUBLISHED.value)


def grade_history(post_id: int, limit: int = 12) -> list[Grade]:
    """The post's mean score and rank in each sealed round it was scored in, newest first."""
    rounds = db.session.scalars(
        select(Round)
        .where(Round.status.in_(SEALED), Round.id.in_(select(Sheet.round_id).where(Sheet.post_id == post_id)))
        .order_by(Round.period_end.desc(), Round.id.desc())
        .limit(limit)
    ).all()
    means: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = db.session.execute(
        select(Sheet.round_id, Sheet.post_id, func.avg(Sheet.score))
        .where(Sheet.round_id.in_([r.id for r in rounds]))
        .group_by(Sheet.round_id, Sheet.post_id)
    )
    for round_id, other, avg in rows:
        means[round_id][other] = round_points(Decimal(str(avg)))
    history = []
    for rnd in rounds:
        posts = sorted(means[rnd.id].items(), key=lambda kv: kv[1], reverse=True)
        ranks = competition_ranks([score for _, score in posts])
        place = next(rank for (pid, _), rank in zip(posts, ranks, strict=True) if pid == post_id)
        history.append(Grade(rnd.title, rnd.kind, rnd.period_end, means[rnd.id][post_id], place, len(posts)))
    return history


def approved_feedback(post_id: int, limit: int = 20) -> list[Feedback]:
    stmt = (
        select(Feedback)
        .where(Feedback.post_id == post_id, Feedback.status == FeedbackStatus.APPROVED.value)
        .order_by(Feedback.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def open_rounds() -> Select[Round]:
    """Rounds accepting sheets now, newest period first."""
    return (
        select(Round)
        .where(Round.status == RoundStatus.OPEN.value)
        .order_by(Round.period_start.desc(), Round.id.desc())
    )


def open_rounds_for_post(post_id: int) -> list[Round]:
    stmt = open_rounds().join(RoundPost).where(RoundPost.post_id == post_id)
    return list(db.session.scalars(stmt))
