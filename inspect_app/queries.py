"""Reads shared by several areas, as functions returning a ``select`` or a loaded row."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from .domain.enums import RoundStatus
from .extensions import db
from .models import Post, PostDemonstrator, Round, RoundPost


def post_by_code(code: str) -> Post | None:
    """A post with what its public page shows, or None."""
    stmt = (
        select(Post)
        .where(Post.code == code)
        .options(
            selectinload(Post.demonstrators).selectinload(PostDemonstrator.member),
            selectinload(Post.unit),
            selectinload(Post.standard_version),
        )
    )
    return db.session.scalar(stmt)


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
