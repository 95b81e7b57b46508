"""Scoring a post in a round: the reads the form needs and the one write that stores a signed sheet."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inspect_app.database import write_transaction
from inspect_app.domain.enums import RoundStatus
from inspect_app.domain.scoring import ItemEntry, ItemRule, Problem, SheetRejected, score_sheet
from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundPost, Sheet, SheetItem, StandardItem, StandardVersion


@dataclass
class SubmitRefused(Exception):
    """The sheet was not stored. ``status`` is the HTTP status, ``code`` names the reason for the UI."""

    status: int
    code: str
    problems: Sequence[Problem] = field(default_factory=tuple)
    sheet_id: int | None = None


def load_round_post(round_id: int, post_code: str) -> RoundPost:
    """The post as included in the round, with its frozen checklist; refuses closed rounds and strangers."""
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise SubmitRefused(404, "no_round")
    if rnd.status == RoundStatus.DRAFT:
        raise SubmitRefused(409, "round_not_open")
    if rnd.status != RoundStatus.OPEN:
        raise SubmitRefused(410, "round_closed")
    stmt = (
        select(RoundPost)
        .join(Post)
        .where(RoundPost.round_id == round_id, Post.code == post_code)
        .options(
            selectinload(RoundPost.standard_version).selectinload(StandardVersion.items),
            selectinload(RoundPost.post).selectinload(Post.unit),
            selectinload(RoundPost.round),
        )
    )
    entry = db.session.scalar(stmt)
    if entry is None:
        raise SubmitRefused(404, "post_not_in_round")
    return entry


def rules_of(items: Sequence[StandardItem]) -> list[ItemRule]:
    return [ItemRule(i.id, i.max_points, i.deduction, i.veto) for i in items]


def existing_sheet_id(round_id: int, post_id: int, inspector_id: int) -> int | None:
    stmt = select(Sheet.id).where(
        Sheet.round_id == round_id, Sheet.post_id == post_id, Sheet.inspector_id == inspector_id
    )
    return db.session.scalar(stmt)


def submit_signed_sheet(
    round_id: int, post_code: str, inspector_id: int, submission_id: uuid.UUID, entries: Sequence[ItemEntry]
) -> int:
    """Store one signed sheet and return its id.

    Replaying the same submission returns the first sheet's id (a double tap or a retried POST stores
    nothing twice). A second, different sheet by the same inspector for the same post and round is refused
    with 409. Everything is checked again inside the write transaction, so a round sealed meanwhile wins.
    """
    try:
        with write_transaction():
            return _store(round_id, post_code, inspector_id, submission_id, entries)
    except IntegrityError:
        # A concurrent request of the same inspector won the race; answer as if it came first.
        replayed = _replayed(submission_id, inspector_id)
        if replayed is not None:
            return replayed
        raise SubmitRefused(409, "already_scored") from None


def _replayed(submission_id: uuid.UUID, inspector_id: int) -> int | None:
    sheet = db.session.scalar(select(Sheet).where(Sheet.submission_id == submission_id))
    if sheet is None:
        return None
    if sheet.inspector_id != inspector_id:
        raise SubmitRefused(409, "submission_reused")
    return sheet.id


def _store(
    round_id: int, post_code: str, inspector_id: int, submission_id: uuid.UUID, entries: Sequence[ItemEntry]
) -> int:
    replayed = _replayed(submission_id, inspector_id)
    if replayed is not None:
        return replayed
    entry = load_round_post(round_id, post_code)
    try:
        result = score_sheet(rules_of(entry.standard_version.items), entries)
    except SheetRejected as rejected:
        raise SubmitRefused(422, "invalid_sheet", rejected.problems) from None
    earlier = existing_sheet_id(round_id, entry.post_id, inspector_id)
    if earlier is not None:
        raise SubmitRefused(409, "already_scored", sheet_id=earlier)
    sheet = Sheet(
        submission_id=submission_id,
        round_id=round_id,
        post_id=entry.post_id,
        standard_version_id=entry.standard_version_id,
        inspector_id=inspector_id,
        deducted=result.deducted,
        score=result.score,
        vetoed=result.vetoed,
        items=[
            SheetItem(item_id=i.item_id, defects=i.defects, deduction=i.deduction, remark=i.remark)
            for i in result.items
        ],
    )
    db.session.add(sheet)
    db.session.flush()
    return sheet.id


def sheet_for(sheet_id: int, inspector_id: int) -> Sheet | None:
    """A sheet, only for the inspector who signed it."""
    stmt = (
        select(Sheet)
        .where(Sheet.id == sheet_id, Sheet.inspector_id == inspector_id)
        .options(selectinload(Sheet.post), selectinload(Sheet.round))
    )
    return db.session.scalar(stmt)
