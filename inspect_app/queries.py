"""Reads shared by several areas, as functions returning a ``select`` or a loaded row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Select, select, union_all
from sqlalchemy.orm import selectinload

from .domain.enums import FeedbackStatus, RoundMode, RoundStatus
from .domain.mutual import inspecting
from .domain.ranking import Rules, post_score, rank
from .extensions import db
from .models import (
    AnonSheet,
    Feedback,
    Post,
    PostDemonstrator,
    RetiredCode,
    Round,
    RoundPairing,
    RoundPost,
    Sheet,
    StandardVersion,
)


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
    """A post's result in one published round: aggregates only, never single sheets."""

    round_title: str
    kind: str
    period_end: date
    score: Decimal
    rank: int
    of: int


SEALED = (RoundStatus.SEALED.value, RoundStatus.PUBLISHED.value)


def sheet_scores(round_ids: Sequence[int]) -> dict[int, dict[int, list[Decimal]]]:
    """Sheet scores per round and post, signed and anonymous sheets alike (scores only, in no order)."""
    scores: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    if not round_ids:
        return scores
    both = union_all(
        select(Sheet.round_id, Sheet.post_id, Sheet.score).where(Sheet.round_id.in_(round_ids)),
        select(AnonSheet.round_id, AnonSheet.post_id, AnonSheet.score).where(
            AnonSheet.round_id.in_(round_ids)
        ),
    )
    for round_id, post_id, score in db.session.execute(both):
        scores[round_id][post_id].append(Decimal(score))
    return scores


@dataclass(frozen=True)
class Standing:
    """A post's aggregate in a round: ``score``/``rank`` are None while unrated (no or too few sheets)."""

    post_id: int
    sheets: int
    score: Decimal | None
    rank: int | None


def round_rules(rnd: Round) -> Rules:
    """The round's 评分办法 as applied (anonymous rounds: at least their quorum of sheets)."""
    return Rules(rnd.min_sheets, rnd.trim).for_round(rnd.anonymous)


def standings(scores: dict[int, list[Decimal]], rules: Rules) -> dict[int, Standing]:
    """Score and 1-2-2-4 rank of every post with sheets; unrated ones (too few sheets) have None."""
    values = {pid: post_score(sheets, rules) for pid, sheets in scores.items()}
    places = rank(values)
    return {pid: Standing(pid, len(scores[pid]), values[pid], places.get(pid)) for pid in scores}


def grade_history(post_id: int, limit: int = 12) -> list[Grade]:
    """The post's mean score and rank in each published round that rated it, newest first."""
    in_round = union_all(
        select(Sheet.round_id).where(Sheet.post_id == post_id),
        select(AnonSheet.round_id).where(  # the key starts with (round, post): no index on post alone
            AnonSheet.round_id.in_(select(RoundPost.round_id).where(RoundPost.post_id == post_id)),
            AnonSheet.post_id == post_id,
        ),
    )
    rounds = db.session.scalars(
        select(Round)
        .where(Round.status == RoundStatus.PUBLISHED.value, Round.id.in_(in_round))
        .order_by(Round.period_end.desc(), Round.id.desc())
        .limit(limit)
    ).all()
    scores = sheet_scores([r.id for r in rounds])
    history = []
    for rnd in rounds:
        table = standings(scores[rnd.id], round_rules(rnd))
        mine = table.get(post_id)
        if mine is None or mine.score is None or mine.rank is None:
            continue
        rated = sum(1 for s in table.values() if s.rank is not None)
        history.append(Grade(rnd.title, rnd.kind, rnd.period_end, mine.score, mine.rank, rated))
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


def inspecting_units(
    round_id: int, mode: str, anonymous: bool, unit_id: int, conn: Connection | None = None
) -> frozenset[int] | None:
    """互查: the units assigned to sign ``unit_id``'s posts in a signed mutual round (``may_sign``'s
    ``inspecting_units``); None for any other round (anonymous ones: the card decides)."""
    if mode != RoundMode.MUTUAL or anonymous:
        return None
    stmt = select(RoundPairing.inspecting_unit_id).where(
        RoundPairing.round_id == round_id, RoundPairing.inspected_unit_id == unit_id
    )
    return frozenset((conn or db.session.connection()).scalars(stmt))


def round_inspecting(rnd: Round, unit_id: int) -> frozenset[int] | None:
    """``inspecting_units`` of a loaded round (its pairings loaded with it)."""
    if rnd.mode != RoundMode.MUTUAL or rnd.anonymous:
        return None
    return inspecting(((p.inspecting_unit_id, p.inspected_unit_id) for p in rnd.pairings), unit_id)
