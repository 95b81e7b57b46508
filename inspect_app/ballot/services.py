"""Storing an anonymous sheet (无记名打分) cast with a ballot card.

The card code arrives in the request body, is checked against the stored keyed hash, turned into the
post's nullifier and forgotten. Order of checks, so a phone replaying after a lost answer learns the truth:

1. the round exists and the post is in it (404), it is an anonymous round (409);
2. the card is valid for the round (403, also when voided);
3. a sheet under this nullifier exists: same content → the original result (200), else 409;
4. the round is still open (410 once sealed);
5. the sheet is stored; a concurrent twin loses on the primary key and is answered as in 3.

Nothing about the caller is read or written: no user, address, agent, time or submission id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from inspect_app.database import write_connection
from inspect_app.domain.ballots import card_digest, nullifier
from inspect_app.domain.enums import RoundStatus
from inspect_app.domain.scoring import ItemEntry, SheetRejected, SheetResult, score_sheet
from inspect_app.extensions import db
from inspect_app.field.services import SubmitRefused, check_photo_items, checklist, photo_rows
from inspect_app.models import AnonSheet, AnonSheetItem, AnonSheetPhoto, BallotCard, Post, Round, RoundPost
from inspect_app.photos.uploads import Upload, store_files


@dataclass(frozen=True)
class Stored:
    """The answer to a submission: the sheet's score, and whether it had been stored before."""

    score: Decimal
    vetoed: bool
    replay: bool


@dataclass(frozen=True)
class _Target:
    status: str
    post_id: int
    version_id: int


_TARGET = (
    select(Round.status, Round.anonymous, RoundPost.post_id, RoundPost.standard_version_id)
    .select_from(Round)
    .outerjoin(
        RoundPost,
        (RoundPost.round_id == Round.id)
        & (RoundPost.post_id == select(Post.id).where(Post.code == bindparam("code")).scalar_subquery()),
    )
    .where(Round.id == bindparam("round_id"))
)
_CARD = select(BallotCard.voided).where(
    BallotCard.digest == bindparam("digest"), BallotCard.round_id == bindparam("round_id")
)
_EXISTING = select(AnonSheet.score, AnonSheet.vetoed).where(AnonSheet.nullifier == bindparam("n"))
_EXISTING_PHOTOS = select(AnonSheetPhoto.item_id, AnonSheetPhoto.sha256).where(
    AnonSheetPhoto.nullifier == bindparam("n")
)
_EXISTING_ITEMS = select(AnonSheetItem.item_id, AnonSheetItem.defects, AnonSheetItem.remark).where(
    AnonSheetItem.nullifier == bindparam("n")
)


def _target(conn: Connection, round_id: int, post_code: str) -> _Target:
    row = conn.execute(_TARGET, {"round_id": round_id, "code": post_code}).first()
    if row is None:
        raise SubmitRefused(404, "no_round")
    status, anonymous, post_id, version_id = row
    if not anonymous:
        raise SubmitRefused(409, "round_signed")
    if status == RoundStatus.DRAFT:
        raise SubmitRefused(409, "round_not_open")
    if post_id is None:
        raise SubmitRefused(404, "post_not_in_round")
    return _Target(status, post_id, version_id)


def _check_card(conn: Connection, key: bytes, round_id: int, card: str) -> None:
    voided = conn.execute(_CARD, {"digest": card_digest(key, card), "round_id": round_id}).scalar()
    if voided is None:
        raise SubmitRefused(403, "card_unknown")
    if voided:
        raise SubmitRefused(403, "card_voided")


def _earlier(conn: Connection, key: bytes, result: SheetResult, photos: Sequence[Upload]) -> Stored | None:
    """The stored sheet under this nullifier, if any: the original result when the content is the same."""
    row = conn.execute(_EXISTING, {"n": key}).first()
    if row is None:
        return None
    stored = {(i, d, r) for i, d, r in conn.execute(_EXISTING_ITEMS, {"n": key})}
    stored_photos = {(i, sha) for i, sha in conn.execute(_EXISTING_PHOTOS, {"n": key})}
    sent = {(i.item_id, i.defects, i.remark) for i in result.items}
    sent_photos = {(p.item_id, p.photo.sha256) for p in photos}
    if stored != sent or stored_photos != sent_photos:
        raise SubmitRefused(409, "card_already_scored")
    return Stored(row.score, row.vetoed, replay=True)


def submit_anonymous_sheet(
    round_id: int,
    post_code: str,
    card: str,
    entries: Sequence[ItemEntry],
    key: bytes,
    photos: Sequence[Upload] = (),
) -> Stored:
    """Store one anonymous sheet, or answer a replay with the original result (see the module docstring)."""
    store_files(photos)  # before the transaction; the files are visible only through the rows
    try:
        with write_connection() as conn:
            target = _target(conn, round_id, post_code)
            _check_card(conn, key, round_id, card)
            result = _scored(conn, target, entries, photos)
            sheet_key = nullifier(key, card, round_id, target.post_id)
            earlier = _earlier(conn, sheet_key, result, photos)
            if earlier is not None:
                return earlier
            if target.status != RoundStatus.OPEN:
                raise SubmitRefused(410, "round_closed")
            _insert(conn, sheet_key, round_id, target, result)
            if photos:
                conn.execute(insert(AnonSheetPhoto), photo_rows(photos, nullifier=sheet_key))
            return Stored(result.score, result.vetoed, replay=False)
    except IntegrityError:  # a twin of this submission committed between our read and our insert
        with db.engine.connect() as conn:
            earlier = _earlier(conn, sheet_key, _scored(conn, target, entries, photos), photos)
        if earlier is None:
            raise
        return earlier


def _scored(
    conn: Connection, target: _Target, entries: Sequence[ItemEntry], photos: Sequence[Upload]
) -> SheetResult:
    rules = checklist(target.version_id, conn)
    check_photo_items(rules, photos)
    try:
        return score_sheet(rules, entries)
    except SheetRejected as rejected:
        raise SubmitRefused(422, "invalid_sheet", rejected.problems) from None


def _insert(conn: Connection, key: bytes, round_id: int, target: _Target, result: SheetResult) -> None:
    conn.execute(
        insert(AnonSheet),
        {"nullifier": key, "round_id": round_id, "post_id": target.post_id,
         "standard_version_id": target.version_id, "deducted": result.deducted, "score": result.score,
         "vetoed": result.vetoed},
    )  # fmt: skip
    conn.execute(
        insert(AnonSheetItem),
        [{"nullifier": key, "item_id": i.item_id, "defects": i.defects, "deduction": i.deduction,
          "remark": i.remark} for i in result.items],
    )  # fmt: skip


def names_of(round_id: int, post_code: str) -> tuple[str, str]:
    """The round's title and the post's name, for the receipt (also after the round was sealed)."""
    title = db.session.scalar(select(Round.title).where(Round.id == round_id))
    name = db.session.scalar(select(Post.name).where(Post.code == post_code))
    return title or "", name or ""
