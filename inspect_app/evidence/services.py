"""Evidence (扣分明细与照片): what a sheet lost, item by item, with its remarks and photos.

Two views, one shape (``Evidence``):

* one **signed** sheet, for the inspector who signed it and the supervisors who see its post;
* one **post in a round**, pooled by item over all its sheets: for an anonymous round only once it is sealed
  and only for a post it rates (at least its quorum of sheets, the ranking's rule): never per sheet, remarks
  in text order and photos in hash order, so nothing follows a sheet or its arrival.

Signed and anonymous lines and photos come through one union each (``_item_lines``, ``_photo_rows``), so a
change of either table shows up in both views.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Executable, literal, select, union_all
from sqlalchemy.orm import selectinload

from inspect_app.audit import Actor
from inspect_app.domain.ballots import results_visible
from inspect_app.domain.enums import Role, RoundStatus
from inspect_app.extensions import db
from inspect_app.models import (
    AnonSheetItem,
    AnonSheetPhoto,
    Post,
    Round,
    Sheet,
    SheetItem,
    SheetPhoto,
    StandardItem,
    User,
)
from inspect_app.queries import round_rules, sheet_scores
from inspect_app.rankings.aggregate import rated_in, rated_posts, sql_standings

ABOVE_UNITS = frozenset({Role.ADMIN, Role.COMMITTEE, Role.HR})


class EvidenceRefused(Exception):
    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Line:
    """One item that lost points, has a remark or a photo."""

    item: StandardItem
    #: points lost on it: this sheet's, or all sheets' together
    lost: Decimal
    #: sheets that lost points on it (pooled), 1 or 0 for one sheet
    sheets: int
    #: (rule label, count) for one signed sheet; empty when pooled
    marks: tuple[tuple[str, int], ...] = ()
    remarks: tuple[str, ...] = ()
    photos: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    round: Round
    post: Post
    sheets: int
    lines: list[Line]
    #: photos of the whole sheet(s), not of one item
    photos: tuple[str, ...] = ()
    #: the one sheet shown, when it is one signed sheet
    sheet: Sheet | None = None
    score: Decimal | None = None
    #: signed sheets of a pooled view, for a link to each: (id, inspector's name)
    signed: list[tuple[int, str]] = field(default_factory=list)


def may_see_unit(actor: Actor, unit_id: int) -> bool:
    if actor.role in ABOVE_UNITS:
        return True
    return actor.role == Role.BRANCH_SECRETARY and actor.unit_id == unit_id


def _item_lines(round_id: int, post_id: int, sheet_id: int | None) -> Executable:
    signed = (
        select(SheetItem.item_id, SheetItem.deduction, SheetItem.remark, SheetItem.counts)
        .join(Sheet, Sheet.id == SheetItem.sheet_id)
        .where(Sheet.round_id == round_id, Sheet.post_id == post_id)
    )
    if sheet_id is not None:
        return signed.where(Sheet.id == sheet_id)
    anonymous = select(
        AnonSheetItem.item_id, AnonSheetItem.deduction, AnonSheetItem.remark, literal(None).label("counts")
    ).where(AnonSheetItem.round_id == round_id, AnonSheetItem.post_id == post_id)
    return union_all(signed, anonymous)


def _photo_rows(round_id: int, post_id: int, sheet_id: int | None) -> Executable:
    signed = (
        select(SheetPhoto.item_id, SheetPhoto.sha256)
        .join(Sheet, Sheet.id == SheetPhoto.sheet_id)
        .where(Sheet.round_id == round_id, Sheet.post_id == post_id)
    )
    if sheet_id is not None:
        return signed.where(Sheet.id == sheet_id)
    anonymous = select(AnonSheetPhoto.item_id, AnonSheetPhoto.sha256).where(
        AnonSheetPhoto.round_id == round_id, AnonSheetPhoto.post_id == post_id
    )
    return union_all(signed, anonymous)


def _marks(item: StandardItem, counts: Sequence[int] | None) -> tuple[tuple[str, int], ...]:
    if not counts:
        return ()
    return tuple((rule.label, int(n)) for rule, n in zip(item.rules, counts, strict=False) if n)


def _lines(
    round_id: int, post_id: int, version_id: int, sheet_id: int | None
) -> tuple[list[Line], tuple[str, ...]]:
    items = {
        i.id: i for i in db.session.scalars(select(StandardItem).where(StandardItem.version_id == version_id))
    }
    lost: dict[int, Decimal] = defaultdict(Decimal)
    sheets: dict[int, int] = defaultdict(int)
    remarks: dict[int, list[str]] = defaultdict(list)
    counts: dict[int, Sequence[int] | None] = {}
    for item_id, deduction, remark, item_counts in db.session.execute(
        _item_lines(round_id, post_id, sheet_id)
    ):
        lost[item_id] += Decimal(deduction)
        sheets[item_id] += 1 if deduction > 0 else 0
        if remark:
            remarks[item_id].append(remark)
        counts[item_id] = item_counts
    photos: dict[int | None, list[str]] = defaultdict(list)
    for item_id, sha256 in db.session.execute(_photo_rows(round_id, post_id, sheet_id)):
        photos[item_id].append(sha256)
    lines = [
        Line(
            item,
            lost[item.id],
            sheets[item.id],
            _marks(item, counts.get(item.id)) if sheet_id is not None else (),
            tuple(sorted(remarks[item.id])),
            tuple(sorted(photos[item.id])),
        )
        for item in sorted(items.values(), key=lambda i: i.position)
        if lost[item.id] > 0 or remarks[item.id] or photos[item.id]
    ]
    return lines, tuple(sorted(photos[None]))


def sheet_evidence(actor: Actor, sheet_id: int) -> Evidence:
    """One signed sheet: its signer, or a supervisor who sees the post's unit."""
    sheet = db.session.scalar(
        select(Sheet).where(Sheet.id == sheet_id).options(selectinload(Sheet.post), selectinload(Sheet.round))
    )
    if sheet is None:
        raise EvidenceRefused("not_found", 404)
    if sheet.inspector_id != actor.id and not may_see_unit(actor, sheet.post.unit_id):
        if actor.role in (Role.INSPECTOR,):
            raise EvidenceRefused("not_found", 404)  # an inspector has only their own sheets: no others exist
        raise EvidenceRefused("forbidden", 403)
    lines, photos = _lines(sheet.round_id, sheet.post_id, sheet.standard_version_id, sheet.id)
    return Evidence(sheet.round, sheet.post, 1, lines, photos, sheet=sheet, score=sheet.score)


def post_evidence(actor: Actor, round_id: int, code: str) -> Evidence:
    """A post's sheets in a round pooled by item, for supervisors who see the post's unit."""
    rnd = db.session.get(Round, round_id)
    post = db.session.scalar(select(Post).where(Post.code == code))
    if rnd is None or post is None:
        raise EvidenceRefused("not_found", 404)
    entry = next((e for e in rnd.entries if e.post_id == post.id), None)
    if entry is None:
        raise EvidenceRefused("not_found", 404)
    if not may_see_unit(actor, post.unit_id):
        raise EvidenceRefused("forbidden", 403)
    if not results_visible(RoundStatus(rnd.status), rnd.anonymous):
        raise EvidenceRefused("not_sealed", 409)
    table = sql_standings(rnd.id, round_rules(rnd))
    if rnd.anonymous and post.id not in rated_in(table):
        raise EvidenceRefused("too_few", 409)  # a pool of fewer sheets than the quorum could be one sheet
    standing = table.get(post.id)
    count = len(sheet_scores([rnd.id])[rnd.id][post.id])
    lines, photos = _lines(rnd.id, post.id, entry.standard_version_id, None)
    signed = [
        (int(sheet_id), str(name))
        for sheet_id, name in db.session.execute(
            select(Sheet.id, User.display_name)
            .join(User, User.id == Sheet.inspector_id)
            .where(Sheet.round_id == rnd.id, Sheet.post_id == post.id)
            .order_by(Sheet.id)
        )
    ]
    return Evidence(
        rnd, post, count, lines, photos, score=standing.score if standing else None, signed=signed
    )


def before_photos(
    round_id: int | None, post_id: int, sheet_id: int | None, item_id: int | None
) -> tuple[str, ...]:
    """The photos a rectification's problem was found with: its item's photos on its sheet or, raised from a
    round's results, on the post's sheets of the round (an anonymous round's only if it rates the post)."""
    if round_id is None or item_id is None:
        return ()
    rnd = db.session.get(Round, round_id)
    if rnd is None or not results_visible(RoundStatus(rnd.status), rnd.anonymous):
        return ()
    if rnd.anonymous and post_id not in rated_posts(rnd):
        return ()
    rows = db.session.execute(_photo_rows(round_id, post_id, sheet_id))
    return tuple(sorted(sha for item, sha in rows if item == item_id))
