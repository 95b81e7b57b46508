"""What a phone may take underground: the open rounds a user can score and, per round, the pages to cache."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.domain.ballots import Signer, may_sign, self_check_unit
from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundPost, Sheet
from inspect_app.queries import open_rounds, round_inspecting


@dataclass(frozen=True)
class OfflinePost:
    code: str
    name: str
    unit: str
    scored: bool  # this user signed it already (signed rounds only)


@dataclass(frozen=True)
class OfflineRound:
    id: int
    title: str
    kind: str
    anonymous: bool
    posts: tuple[OfflinePost, ...]


def _round_posts(rnd: Round, signer: Signer | None, user_id: int | None) -> tuple[OfflinePost, ...]:
    scored: set[int] = set()
    if not rnd.anonymous and user_id is not None:
        stmt = select(Sheet.post_id).where(Sheet.round_id == rnd.id, Sheet.inspector_id == user_id)
        scored = set(db.session.scalars(stmt))
    posts = []
    for entry in sorted(rnd.entries, key=lambda e: e.post.code):
        post = entry.post
        own_unit = self_check_unit(rnd.mode, rnd.unit_id)
        pairs = round_inspecting(rnd, post.unit_id)
        if not rnd.anonymous and (
            signer is None or not may_sign(signer, post.unit_id, post.assessor, own_unit, pairs)
        ):
            continue
        posts.append(OfflinePost(post.code, post.name, post.unit.name, post.id in scored))
    return tuple(posts)


def offline_rounds(
    signer: Signer | None, user_id: int | None, anonymous_only: bool = False
) -> list[OfflineRound]:
    """Open rounds this user could score: every anonymous one (the card decides), and the signed ones with at
    least one post they may sign."""
    stmt = open_rounds().options(
        selectinload(Round.entries).selectinload(RoundPost.post).selectinload(Post.unit),
        selectinload(Round.pairings),
    )
    found = []
    for rnd in db.session.scalars(stmt):
        if anonymous_only and not rnd.anonymous:
            continue
        posts = _round_posts(rnd, signer, user_id)
        if posts:
            found.append(OfflineRound(rnd.id, rnd.title, rnd.kind, rnd.anonymous, posts))
    return found


def offline_round(round_id: int, signer: Signer | None, user_id: int | None) -> OfflineRound | None:
    for rnd in offline_rounds(signer, user_id, anonymous_only=signer is None):
        if rnd.id == round_id:
            return rnd
    return None


def another_units_self_check(round_id: int, signer: Signer) -> bool:
    """Whether the round is a self-check (自查) of a unit the signer does not belong to."""
    row = db.session.execute(select(Round.mode, Round.unit_id).where(Round.id == round_id)).first()
    own_unit = self_check_unit(row.mode, row.unit_id) if row else None
    return own_unit is not None and own_unit != signer.unit_id
