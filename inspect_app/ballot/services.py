"""Storing an anonymous sheet (无记名打分) cast with a ballot card.

The card code arrives in the request body, is checked against the stored keyed hash, turned into the
post's nullifier and forgotten. Order of checks, so that no answer tells a card holder more than the card
itself may know:

1. the round exists and is an open anonymous round (404, 409 draft or signed); once it is sealed every
   request gets the same 410, whatever card or content it carries — a kept or found card learns nothing;
2. the post is in the round (404), the card is valid for the round (403, also when voided);
3. a sheet under this nullifier exists: the same submission id (the phone's replay) → "stored" again (200),
   another one → 409. Decided by the receipt HMAC(key, submission id), never by comparing contents, and the
   answer never carries the stored sheet's content or score;
4. the sheet is stored; a concurrent twin loses on the primary key and is answered as in 3.

Nothing about the caller is read or written: no user, address, agent or time. Photos of an anonymous sheet
are held out of the photo store until the round is sealed (``sealing``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from inspect_app.database import Lock, hold, write_connection
from inspect_app.domain.ballots import card_digest, nullifier, receipt
from inspect_app.domain.enums import RoundStatus
from inspect_app.domain.scoring import ItemEntry, SheetRejected, SheetResult, score_sheet
from inspect_app.extensions import db
from inspect_app.field.services import SubmitRefused, check_photo_items, checklist, line_rows, photo_rows
from inspect_app.models import AnonSheet, AnonSheetItem, AnonSheetPhoto, BallotCard, Post, Round, RoundPost
from inspect_app.photos.uploads import Upload, hold_files


@dataclass(frozen=True)
class Stored:
    """The answer to a submission: stored now, or stored before (the phone's replay). Never a score."""

    replay: bool


@dataclass(frozen=True)
class _Target:
    post_id: int
    version_id: int


_ROUND = select(Round.status, Round.anonymous).where(Round.id == bindparam("round_id"))
_ENTRY = (
    select(RoundPost.post_id, RoundPost.standard_version_id)
    .join(Post, Post.id == RoundPost.post_id)
    .where(RoundPost.round_id == bindparam("round_id"), Post.code == bindparam("code"))
)
_CARD = select(BallotCard.voided).where(
    BallotCard.digest == bindparam("digest"), BallotCard.round_id == bindparam("round_id")
)
_RECEIPT = select(AnonSheet.receipt).where(
    AnonSheet.round_id == bindparam("round_id"),
    AnonSheet.post_id == bindparam("post_id"),
    AnonSheet.nullifier == bindparam("n"),
)


def check_round_open(round_id: int, conn: Connection | None = None) -> None:
    """Refuse unless ``round_id`` is an open anonymous round. Depends on nothing a request carries but the
    round: after sealing, every ballot request gets this same 410."""
    if conn is None:
        with db.engine.connect() as own:  # a short read of its own: no transaction left open in the request
            return check_round_open(round_id, own)
    row = conn.execute(_ROUND, {"round_id": round_id}).first()
    if row is None:
        raise SubmitRefused(404, "no_round")
    status, anonymous = row
    if not anonymous:
        raise SubmitRefused(409, "round_signed")
    if status == RoundStatus.DRAFT:
        raise SubmitRefused(409, "round_not_open")
    if status != RoundStatus.OPEN:
        raise SubmitRefused(410, "round_sealed")


def _target(conn: Connection, round_id: int, post_code: str) -> _Target:
    hold(
        conn, Lock.ROUND_SHEETS, round_id, exclusive=False
    )  # sealing waits for this sheet; after it, the status read below says sealed
    check_round_open(round_id, conn)
    row = conn.execute(_ENTRY, {"round_id": round_id, "code": post_code}).first()
    if row is None:
        raise SubmitRefused(404, "post_not_in_round")
    return _Target(*row)


def _check_card(conn: Connection, key: bytes, round_id: int, card: str) -> None:
    voided = conn.execute(_CARD, {"digest": card_digest(key, card), "round_id": round_id}).scalar()
    if voided is None:
        raise SubmitRefused(403, "card_unknown")
    if voided:
        raise SubmitRefused(403, "card_voided")


def _earlier(
    conn: Connection, round_id: int, target: _Target, sheet_key: bytes, mine: bytes
) -> Stored | None:
    """A sheet already stored under this nullifier: the phone's own replay (same receipt), or a conflict."""
    row = conn.execute(_RECEIPT, {"round_id": round_id, "post_id": target.post_id, "n": sheet_key}).first()
    if row is None:
        return None
    if row.receipt != mine:
        raise SubmitRefused(409, "card_already_scored")
    return Stored(replay=True)


def submit_anonymous_sheet(
    round_id: int,
    post_code: str,
    card: str,
    entries: Sequence[ItemEntry],
    key: bytes,
    submission_id: str,
    photos: Sequence[Upload] = (),
) -> Stored:
    """Store one anonymous sheet, or acknowledge the phone's replay of it (see the module docstring)."""
    hold_files(str(round_id), photos)  # held until sealing; visible only through the rows
    mine = receipt(key, submission_id)
    try:
        with write_connection() as conn:
            target = _target(conn, round_id, post_code)
            _check_card(conn, key, round_id, card)
            result = _scored(conn, target, entries, photos)
            sheet_key = nullifier(key, card, round_id, target.post_id)
            earlier = _earlier(conn, round_id, target, sheet_key, mine)
            if earlier is not None:
                return earlier
            _insert(conn, sheet_key, round_id, target, result, mine)
            if photos:
                owner = {"round_id": round_id, "post_id": target.post_id, "nullifier": sheet_key}
                conn.execute(insert(AnonSheetPhoto), photo_rows(photos, **owner))
            return Stored(replay=False)
    except IntegrityError:  # a twin of this submission committed between our read and our insert
        with db.engine.connect() as conn:
            earlier = _earlier(conn, round_id, target, sheet_key, mine)
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


def _insert(
    conn: Connection, key: bytes, round_id: int, target: _Target, result: SheetResult, mine: bytes
) -> None:
    sheet = {"round_id": round_id, "post_id": target.post_id, "nullifier": key}
    conn.execute(
        insert(AnonSheet),
        {**sheet, "standard_version_id": target.version_id, "deducted": result.deducted,
         "score": result.score, "vetoed": result.vetoed, "receipt": mine},
    )  # fmt: skip
    conn.execute(insert(AnonSheetItem), line_rows(result, **sheet))


def live_round_ids() -> list[int]:
    """Anonymous rounds that still take ballot cards (draft or open): a phone forgets every other round."""
    live = (RoundStatus.DRAFT.value, RoundStatus.OPEN.value)
    with db.engine.connect() as conn:
        stmt = select(Round.id).where(Round.anonymous, Round.status.in_(live)).order_by(Round.id)
        return [int(rid) for rid in conn.execute(stmt).scalars()]


def names_of(round_id: int, post_code: str) -> tuple[str, str]:
    """The round's title and the post's name, for the receipt page."""
    title = db.session.scalar(select(Round.title).where(Round.id == round_id))
    name = db.session.scalar(select(Post.name).where(Post.code == post_code))
    return title or "", name or ""
