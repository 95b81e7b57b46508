"""Scoring a post in a round: the reads the form needs and the one write that stores a signed sheet.

The submit path is hot (every inspector at once after a check): it costs one lookup, two inserts and a
commit. Checklists are cached per standard version, which is safe because versions are immutable.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inspect_app import clock, tenancy
from inspect_app.audit import Actor
from inspect_app.database import Lock, hold, write_connection
from inspect_app.domain.ballots import Signer, may_sign, self_check_unit
from inspect_app.domain.deductions import Deduction, RuleKind
from inspect_app.domain.enums import RoundStatus
from inspect_app.domain.rectification import Recheck
from inspect_app.domain.scoring import (
    ItemEntry,
    ItemRule,
    Problem,
    SheetRejected,
    SheetResult,
    score_sheet,
    validate,
)
from inspect_app.driver import Prepared
from inspect_app.extensions import db
from inspect_app.models import (
    Post,
    Round,
    RoundPost,
    Sheet,
    SheetItem,
    SheetPhoto,
    StandardItem,
    StandardRule,
    StandardVersion,
)
from inspect_app.photos.uploads import Upload, store_files
from inspect_app.queries import inspecting_units
from inspect_app.rectifications.services import Recheckers, apply_rechecks


@dataclass
class SubmitRefused(Exception):
    """The sheet was not stored. ``status`` is the HTTP status, ``code`` names the reason for the UI."""

    status: int
    code: str
    problems: Sequence[Problem] = field(default_factory=tuple)


@dataclass(frozen=True)
class Target:
    """The post as included in an open round: what storing a sheet needs to know."""

    post_id: int
    version_id: int
    #: the unit whose self-check (自查) the round is, if it is one
    self_check_unit: int | None = None


_TARGET = Prepared(
    select(
        Round.status, Round.anonymous, RoundPost.post_id, RoundPost.standard_version_id,
        Post.unit_id.label("post_unit"), Post.assessor, Round.mode, Round.unit_id.label("round_unit"),
    )
    .select_from(Round)
    .outerjoin(Post, Post.code == bindparam("code"))
    .outerjoin(RoundPost, and_(RoundPost.round_id == Round.id, RoundPost.post_id == Post.id))
    .where(Round.id == bindparam("round_id"))
)  # fmt: skip
_SHEET_COLUMNS = ("submission_id", "round_id", "post_id", "standard_version_id", "inspector_id", "deducted",
                  "score", "vetoed", "created_at")  # fmt: skip
_INSERT_SHEET = Prepared(insert(Sheet).returning(Sheet.id), keys=_SHEET_COLUMNS)
_INSERT_ITEMS = Prepared(
    insert(SheetItem), keys=("sheet_id", "item_id", "defects", "deduction", "remark", "counts"), many=True
)
_ROUND_STATUS = Prepared(select(Round.status).where(Round.id == bindparam("round_id")))
_EARLIER = Prepared(
    select(Sheet.id, Sheet.inspector_id).where(Sheet.submission_id == bindparam("submission_id"))
)


def find_target(
    round_id: int,
    post_code: str,
    conn: Connection | None = None,
    anonymous: bool = False,
    signer: Signer | None = None,
) -> Target:
    """One query: is the round open, of the right kind (signed or anonymous), is the post in it, and may
    ``signer`` sign for it (signed rounds)? Refuses with the reason otherwise."""
    conn = conn or db.session.connection()
    row = _TARGET.first(conn, {"round_id": round_id, "code": post_code})
    if row is None:
        raise SubmitRefused(404, "no_round")
    status, is_anonymous, found_post, version_id, unit_id, assessor, mode, round_unit = row
    own_unit = self_check_unit(mode, round_unit)
    if is_anonymous != anonymous:
        raise SubmitRefused(409, "round_anonymous" if is_anonymous else "round_signed")
    if status == RoundStatus.DRAFT:
        raise SubmitRefused(409, "round_not_open")
    if status != RoundStatus.OPEN:
        raise SubmitRefused(410, "round_closed")
    if found_post is None:
        raise SubmitRefused(404, "post_not_in_round")
    if signer is not None:
        pairs = inspecting_units(round_id, mode, is_anonymous, unit_id, conn)
        if not may_sign(signer, unit_id, assessor, own_unit, pairs):
            raise SubmitRefused(403, _refusal(own_unit, pairs))
    return Target(found_post, version_id, own_unit)


def _refusal(own_unit: int | None, pairs: frozenset[int] | None) -> str:
    if pairs is not None:
        return "not_assigned"
    return "not_assessor" if own_unit is None else "not_own_unit"


def check_signer(round_id: int, post_code: str, signer: Signer) -> None:
    """Refuse (403) a signer who may not sign this post in this round, whatever else the request says or the
    round's state: who may comes before what was sent. A missing round or post is left to ``find_target``."""
    with db.engine.connect() as conn:  # a short read: no transaction left open before the sheet's write
        row = _TARGET.first(conn, {"round_id": round_id, "code": post_code})
    if row is None:
        return
    _status, anonymous, post_id, _version, post_unit, assessor, mode, round_unit = row
    if post_id is None or anonymous:
        return
    own_unit = self_check_unit(mode, round_unit)
    with db.engine.connect() as conn:
        pairs = inspecting_units(round_id, mode, anonymous, post_unit, conn)
    if not may_sign(signer, post_unit, assessor, own_unit, pairs):
        raise SubmitRefused(403, _refusal(own_unit, pairs))


_CHECKLIST = (
    select(StandardItem.id, StandardItem.max_points)
    .where(StandardItem.version_id == bindparam("version_id"))
    .order_by(StandardItem.position)
)
_RULES = (
    select(StandardRule.item_id, StandardRule.kind, StandardRule.amount, StandardRule.label)
    .join(StandardItem)
    .where(StandardItem.version_id == bindparam("version_id"))
    .order_by(StandardRule.item_id, StandardRule.position)
)


def checklist(version_id: int, conn: Connection) -> tuple[ItemRule, ...]:
    """The scoring rules of a standard version, cached per app (a version never changes once made)."""
    cache: dict[int, tuple[ItemRule, ...]] = tenancy.state().setdefault("inspect_checklists", {})
    rules = cache.get(version_id)
    if rules is None:
        deductions: dict[int, list[Deduction]] = {}
        for item_id, kind, amount, label in conn.execute(_RULES, {"version_id": version_id}):
            deductions.setdefault(item_id, []).append(Deduction(RuleKind(kind), amount, label))
        rows = conn.execute(_CHECKLIST, {"version_id": version_id})
        rules = cache[version_id] = tuple(
            ItemRule(item_id, points, tuple(deductions.get(item_id, ()))) for item_id, points in rows
        )
    return rules


def line_rows(result: SheetResult, **owner: object) -> list[dict[str, object]]:
    """Rows of a sheet's answered lines (``owner``: sheet_id, or the anonymous sheet's key)."""
    return [
        {**owner, "item_id": i.item_id, "defects": i.defects, "deduction": i.deduction, "remark": i.remark,
         "counts": None if i.counts is None else list(i.counts)}
        for i in result.items
    ]  # fmt: skip


def with_checklist_problems(
    round_id: int,
    post_code: str,
    entries: Sequence[ItemEntry],
    found: Sequence[Problem],
    anonymous: bool = False,
) -> list[Problem]:
    """The form's own problems and what the checklist says about the rest of the sheet, so a refusal lists
    everything at once (a read of the round and the cached checklist; nothing more if the round is gone)."""
    with db.engine.connect() as conn:
        try:
            target = find_target(round_id, post_code, conn, anonymous=anonymous)
        except SubmitRefused:
            return list(found)
        rules = checklist(target.version_id, conn)
    named = {p.item_id for p in found}
    more = [p for p in validate(rules, entries) if p.item_id not in named or p.item_id is None]
    order = {rule.item_id: n for n, rule in enumerate(rules)}
    return sorted([*found, *more], key=lambda p: order.get(p.item_id or 0, len(order)))


def check_photo_items(rules: Sequence[ItemRule], photos: Sequence[Upload]) -> None:
    """A photo attached to an item must name an item of the sheet's checklist."""
    known = {rule.item_id for rule in rules}
    unknown = [
        Problem("unknown_item", p.item_id) for p in photos if p.item_id is not None and p.item_id not in known
    ]
    if unknown:
        raise SubmitRefused(422, "invalid_sheet", unknown)


def photo_rows(photos: Sequence[Upload], **owner: object) -> list[dict[str, object]]:
    """Rows linking each distinct photo to its sheet (``owner``: sheet_id or nullifier)."""
    unique = {p.photo.sha256: p for p in photos}
    return [
        {**owner, "sha256": sha, "item_id": p.item_id, "width": p.photo.width, "height": p.photo.height}
        for sha, p in unique.items()
    ]


def rules_of(items: Sequence[StandardItem]) -> list[ItemRule]:
    return [ItemRule(i.id, i.max_points, i.deductions) for i in items]


def load_round_post(
    round_id: int, post_code: str, anonymous: bool = False, signer: Signer | None = None
) -> RoundPost:
    """The post as included in the round with everything the form page shows (same refusals as above)."""
    find_target(round_id, post_code, anonymous=anonymous, signer=signer)
    stmt = (
        select(RoundPost)
        .join(Post)
        .where(RoundPost.round_id == round_id, Post.code == post_code)
        .options(
            selectinload(RoundPost.standard_version).selectinload(StandardVersion.items),
            selectinload(RoundPost.standard_version).selectinload(StandardVersion.standard),
            selectinload(RoundPost.post).selectinload(Post.unit),
            selectinload(RoundPost.round),
        )
    )
    return db.session.scalars(stmt).one()


def existing_sheet_id(round_id: int, post_id: int, inspector_id: int) -> int | None:
    stmt = select(Sheet.id).where(
        Sheet.round_id == round_id, Sheet.post_id == post_id, Sheet.inspector_id == inspector_id
    )
    return db.session.scalar(stmt)


def submit_signed_sheet(
    round_id: int,
    post_code: str,
    signer: Signer,
    inspector_id: int,
    submission_id: uuid.UUID,
    entries: Sequence[ItemEntry],
    photos: Sequence[Upload] = (),
    rechecks: Sequence[Recheck] = (),
) -> int:
    """Store one signed sheet and return its id, with the re-checks of the post's fixes made at it.

    Replaying a submission (a double tap, a retried POST) returns the first sheet's id and stores nothing.
    A second, different sheet by the same inspector for the same post and round is refused with 409.
    Everything is read, checked and scored on a short read first; the write transaction then only checks
    that the round is still open (a round sealed meanwhile wins: 410) and inserts. SQLite has one writer at
    a time and a writer that finds the lock taken sleeps at least a millisecond: the shorter the write, the
    fewer collisions (issue 22).
    """
    with db.engine.connect() as conn:
        earlier = _EARLIER.first(conn, {"submission_id": submission_id})
        if earlier is not None and earlier[1] == inspector_id:
            return int(earlier[0])  # a phone replaying after a lost answer learns the truth, even once sealed
        target = find_target(round_id, post_code, conn, signer=signer)
        if earlier is not None:  # another inspector's submission: 409, after a 403 if they may not sign
            raise SubmitRefused(409, "submission_reused")
        rules = checklist(target.version_id, conn)
    check_photo_items(rules, photos)
    try:
        result = score_sheet(rules, entries)
    except SheetRejected as rejected:
        raise SubmitRefused(422, "invalid_sheet", rejected.problems) from None
    store_files(photos)  # before the transaction; the files are visible only through the rows below
    row = {"submission_id": submission_id, "round_id": round_id, "post_id": target.post_id,
           "standard_version_id": target.version_id, "inspector_id": inspector_id,
           "deducted": result.deducted, "score": result.score, "vetoed": result.vetoed,
           "created_at": clock.now()}  # fmt: skip
    try:
        with write_connection() as conn:
            # sealing waits for this sheet (its totals count it); after it, the status read below says sealed
            hold(conn, Lock.ROUND_SHEETS, round_id, exclusive=False)
            if _ROUND_STATUS.scalar(conn, {"round_id": round_id}) != RoundStatus.OPEN:
                raise SubmitRefused(410, "round_closed")
            sheet_id: int = _INSERT_SHEET.scalar(conn, row)
            _INSERT_ITEMS.run(conn, line_rows(result, sheet_id=sheet_id))
            if photos:
                conn.execute(insert(SheetPhoto), photo_rows(photos, sheet_id=sheet_id))
            if rechecks:
                who = Actor(inspector_id, signer.display_name, signer.role.value, signer.unit_id)
                scope = Recheckers(signer, target.self_check_unit)
                apply_rechecks(conn, rechecks, target.post_id, sheet_id, who, scope, clock.today())
            return sheet_id
    except IntegrityError:
        return _after_conflict(submission_id, inspector_id)


def _after_conflict(submission_id: uuid.UUID, inspector_id: int) -> int:
    """A unique key refused the sheet: a replay of an earlier submission (its sheet), another inspector's
    submission id, or a second sheet for the post (409)."""
    with db.engine.connect() as conn:
        earlier = _EARLIER.first(conn, {"submission_id": submission_id})
    if earlier is None:
        raise SubmitRefused(409, "already_scored")
    if earlier[1] != inspector_id:
        raise SubmitRefused(409, "submission_reused")
    return int(earlier[0])


def sheet_for(sheet_id: int, inspector_id: int) -> Sheet | None:
    """A sheet, only for the inspector who signed it."""
    stmt = (
        select(Sheet)
        .where(Sheet.id == sheet_id, Sheet.inspector_id == inspector_id)
        .options(selectinload(Sheet.post), selectinload(Sheet.round))
    )
    return db.session.scalar(stmt)
