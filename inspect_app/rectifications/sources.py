"""Where a rectification comes from: the deductions of a signed sheet, or a post's aggregated deductions in a
sealed anonymous round (counts and points only: nothing that could stand for one inspector's sheet)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from inspect_app.audit import Actor
from inspect_app.domain.enums import RoundStatus
from inspect_app.domain.rectification import RectRefused
from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundPost, Sheet, SheetItem, StandardItem, User
from inspect_app.queries import sheet_scores
from inspect_app.rankings.aggregate import deduction_rows, rated_posts
from inspect_app.rounds.services import may_organise

SEALED = (RoundStatus.SEALED.value, RoundStatus.PUBLISHED.value)


@dataclass(frozen=True)
class SourceLine:
    """One deducted item a rectification may be raised for."""

    key: str  # "<sheet id or 0>-<item id>": names the line's fields in the form
    item_id: int
    clause: str
    category: str
    rule: str
    points: Decimal
    sheet_id: int | None = None
    signer: str = ""  # who signed the sheet (signed rounds only)
    defects: int | None = None
    remark: str = ""
    sheets: int = 0  # anonymous: how many sheets lost points on it


@dataclass(frozen=True)
class Source:
    round: Round
    post: Post
    sheet_id: int | None
    lines: list[SourceLine]
    #: why there is no line: "no_sheets", "unrated" (an anonymous round's post below its quorum) or
    #: "no_deductions"; empty when there are lines
    empty: str = ""


def load_source(actor: Actor, round_id: int, post_code: str, sheet_id: int | None = None) -> Source:
    rnd = db.session.get(Round, round_id)
    post = db.session.scalar(select(Post).where(Post.code == post_code))
    if rnd is None or post is None:
        raise RectRefused("no_source")
    in_round = select(RoundPost.post_id).where(RoundPost.round_id == round_id, RoundPost.post_id == post.id)
    if db.session.scalar(in_round) is None:
        raise RectRefused("no_source")
    if not may_organise(actor, post.unit_id):
        raise RectRefused("forbidden")
    if rnd.anonymous:
        if rnd.status not in SEALED:
            raise RectRefused("anonymous_not_sealed")
        lines = _anonymous_lines(rnd, post.id)
    else:
        lines = _signed_lines(rnd.id, post.id, sheet_id)
    if sheet_id is not None and not lines and not _sheet_exists(sheet_id, rnd.id, post.id):
        raise RectRefused("no_source")
    return Source(rnd, post, sheet_id, lines, "" if lines else _why_empty(rnd, post.id))


def _why_empty(rnd: Round, post_id: int) -> str:
    if not sheet_scores([rnd.id])[rnd.id][post_id]:
        return "no_sheets"
    if rnd.anonymous and post_id not in rated_posts(rnd):
        return "unrated"
    return "no_deductions"


def _sheet_exists(sheet_id: int, round_id: int, post_id: int) -> bool:
    stmt = select(Sheet.id).where(Sheet.id == sheet_id, Sheet.round_id == round_id, Sheet.post_id == post_id)
    return db.session.scalar(stmt) is not None


def _signed_lines(round_id: int, post_id: int, sheet_id: int | None) -> list[SourceLine]:
    stmt = (
        select(SheetItem, StandardItem, Sheet.id, User.display_name)
        .join(Sheet, Sheet.id == SheetItem.sheet_id)
        .join(StandardItem, StandardItem.id == SheetItem.item_id)
        .join(User, User.id == Sheet.inspector_id)
        .where(Sheet.round_id == round_id, Sheet.post_id == post_id, SheetItem.deduction > 0)
        .order_by(Sheet.id, StandardItem.position)
    )
    if sheet_id is not None:
        stmt = stmt.where(Sheet.id == sheet_id)
    return [
        SourceLine(
            f"{sid}-{item.id}",
            item.id,
            item.clause,
            item.category,
            item.summary,
            line.deduction,
            sheet_id=sid,
            signer=name,
            defects=line.defects,
            remark=line.remark,
        )
        for line, item, sid, name in db.session.execute(stmt)
    ]


def _anonymous_lines(rnd: Round, post_id: int) -> list[SourceLine]:
    lost = {item: (n, points) for post, item, n, points in deduction_rows(rnd) if post == post_id}
    if not lost:
        return []
    items = db.session.scalars(
        select(StandardItem).where(StandardItem.id.in_(lost)).order_by(StandardItem.position)
    )
    return [
        SourceLine(f"0-{i.id}", i.id, i.clause, i.category, i.summary, lost[i.id][1], sheets=lost[i.id][0])
        for i in items
    ]
