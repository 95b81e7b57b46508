"""通报 notices: drafted from a sealed round's results, edited, then published with a fixed number.

The draft praises the best rated posts and criticises the worst, each with its score and grade; a criticised
post also gets its main deductions, as the mean lost per sheet (the same footing as its score, itself a mean
of sheets; aggregates only: for an anonymous round nothing here points at one sheet, and only posts rated on
≥ 3 sheets appear at all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import func, select, union_all

from inspect_app.audit import Actor, record
from inspect_app.database import Lock, hold_in_session, write_transaction
from inspect_app.domain.documents import Document, Section
from inspect_app.domain.enums import Role, RoundStatus
from inspect_app.extensions import db
from inspect_app.i18n import grade_label
from inspect_app.models import AnonSheetItem, Notice, Post, Round, Sheet, SheetItem, StandardItem
from inspect_app.notify import events
from inspect_app.queries import sheet_scores
from inspect_app.rankings.services import RankRow, round_ranking
from inspect_app.rounds.services import STAFF, RoundRefused, may_organise

#: posts praised and criticised at most (fewer when few posts are rated)
PICK = 3
MAIN_DEDUCTIONS = 2


@dataclass(frozen=True)
class Deduction:
    clause: str
    category: str
    points: Decimal


def main_deductions(round_id: int, post_id: int) -> list[Deduction]:
    """The items that cost the post most in the round, as the mean lost per sheet (signed or anonymous)."""
    sheets = len(sheet_scores([round_id])[round_id][post_id]) or 1
    lost = union_all(
        select(SheetItem.item_id, SheetItem.deduction)
        .join(Sheet, Sheet.id == SheetItem.sheet_id)
        .where(Sheet.round_id == round_id, Sheet.post_id == post_id),
        select(AnonSheetItem.item_id, AnonSheetItem.deduction).where(
            AnonSheetItem.round_id == round_id, AnonSheetItem.post_id == post_id
        ),
    ).subquery()
    stmt = (
        select(StandardItem.clause, StandardItem.category, func.sum(lost.c.deduction).label("points"))
        .join(lost, lost.c.item_id == StandardItem.id)
        .group_by(StandardItem.id, StandardItem.clause, StandardItem.category)
        .having(func.sum(lost.c.deduction) > 0)
        .order_by(func.sum(lost.c.deduction).desc(), StandardItem.clause)
        .limit(MAIN_DEDUCTIONS)
    )
    return [
        Deduction(c, cat, (Decimal(str(p)) / sheets).quantize(Decimal("0.01"), ROUND_HALF_UP))
        for c, cat, p in db.session.execute(stmt)
    ]


class Ranked(Protocol):
    """A row of a round's or a period's ranking (``RankRow``, ``PeriodRow``)."""

    @property
    def post(self) -> Post: ...
    @property
    def score(self) -> Decimal | None: ...
    @property
    def rank(self) -> int | None: ...


def ranked_line(n: int, row: Ranked, note: str = "") -> str:
    """One line of a notice: "1. post (unit): 96.50 points, rank 1, grade one." and the note, if any."""
    assert row.score is not None
    text = _(
        "%(n)d. %(post)s (%(unit)s): %(score)s points, rank %(rank)d, %(grade)s.",
        n=n, post=row.post.name, unit=row.post.unit.name, score=f"{row.score:.2f}", rank=row.rank or 0,
        grade=grade_label(row.score),
    )  # fmt: skip
    return f"{text} {note}".strip()


def picks(rnd: Round) -> tuple[list[RankRow], list[RankRow]]:
    """(praised, criticised): the best and the worst rated posts, at most ``PICK`` each and never overlapping
    (the criticised worst first)."""
    rated = [r for r in round_ranking(rnd) if r.rank is not None]
    pick = min(PICK, len(rated) // 2)
    best, worst = rated[:pick], rated[len(rated) - pick :] if pick else []
    return best, list(reversed(worst))


def draft_text(rnd: Round) -> tuple[str, str]:
    """(praise, criticism) from the round's ranking."""
    best, worst = picks(rnd)
    praise = "\n".join(ranked_line(i, r) for i, r in enumerate(best, 1))
    lines = []
    for i, row in enumerate(worst, 1):
        lost = "；".join(
            _(
                "%(clause)s %(category)s, %(points)s points lost per sheet",
                clause=d.clause,
                category=d.category,
                points=f"{d.points:.2f}",
            )
            for d in main_deductions(rnd.id, row.post.id)
        )
        lines.append(ranked_line(i, row) + (" " + _("Main deductions: %(list)s.", list=lost) if lost else ""))
    return praise, "\n".join(lines)


def draft_notice(actor: Actor, round_id: int) -> int:
    """The round's notice, drafted now if there is none yet (sealed or published rounds only)."""
    with write_transaction():
        hold_in_session(Lock.ROUND_NOTICE, round_id)  # one notice per round: a twin waits, then finds it
        rnd = db.session.get(Round, round_id)
        if rnd is None:
            raise RoundRefused("no_round", 404)
        if not may_organise(actor, rnd.unit_id):
            raise RoundRefused("forbidden", 403)
        existing = db.session.scalar(select(Notice.id).where(Notice.round_id == round_id))
        if existing is not None:
            return existing
        if rnd.status not in (RoundStatus.SEALED, RoundStatus.PUBLISHED):
            raise RoundRefused("notice_needs_seal")
        praise, criticism = draft_text(rnd)
        notice = Notice(round_id=round_id, title=_("Notice on %(round)s", round=rnd.title), praise=praise,
                        criticism=criticism)  # fmt: skip
        db.session.add(notice)
        db.session.flush()
        record(actor, "notice.draft", "notice", notice.id, None, {"round": round_id})
        return notice.id


def may_see(actor: Actor, notice: Notice) -> bool:
    """Staff see every notice; a branch secretary the mine-wide ones and their own unit's."""
    return actor.role in STAFF or (
        actor.role == Role.BRANCH_SECRETARY and notice.unit_id in (None, actor.unit_id)
    )


def _editable(actor: Actor, notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise RoundRefused("no_notice", 404)
    if not may_organise(actor, notice.unit_id):
        raise RoundRefused("forbidden", 403)
    if notice.status != "draft":
        raise RoundRefused("notice_published")
    return notice


def edit_notice(
    actor: Actor,
    notice_id: int,
    title: str,
    praise: str,
    criticism: str,
    publish_on: date | None = None,
    revocation: str = "",
) -> str:
    """Save the text; with ``publish_on``, also give it the next number of that year and freeze it, in the
    same transaction. Returns the number ("" while a draft)."""
    with write_transaction():
        if publish_on is not None:  # numbers are max + 1 in the year; a twin publish then finds it published
            hold_in_session(Lock.NOTICE_NUMBERS, publish_on.year)
        notice = _editable(actor, notice_id)
        before = {"title": notice.title, "praise": notice.praise, "criticism": notice.criticism}
        notice.title, notice.praise, notice.criticism = title, praise, criticism
        if notice.review_id is not None:
            notice.revocation = revocation
        record(actor, "notice.edit", "notice", notice_id, before, {"title": title})
        if publish_on is not None:
            year = publish_on.year
            last = db.session.scalar(select(func.max(Notice.seq)).where(Notice.year == year)) or 0
            notice.status, notice.year, notice.seq, notice.published_on = (
                "published",
                year,
                last + 1,
                publish_on,
            )
            record(actor, "notice.publish", "notice", notice_id, None, {"number": notice.number})
            events.notice_published(notice)
        return notice.number


def _sections(notice: Notice, lines: Callable[[str], tuple[str, ...]]) -> tuple[Section, ...]:
    """A 表彰决定 is one run of paragraphs; a 通报 has 择优表扬, 择差批评 and, from a 季讲评, 撤销示范岗."""
    if notice.annual_id is not None:
        return (Section("", lines(notice.praise)),)
    found = (Section("择优表扬", lines(notice.praise)), Section("择差批评", lines(notice.criticism)))
    return found + ((Section("撤销示范岗", lines(notice.revocation)),) if notice.revocation.strip() else ())


#: 主送机关 of the committee's notices
ADDRESSEE = "各党支部，各单位"


def notice_document(notice: Notice, issuer: str, code: str, today: date) -> Document:
    """The notice as the committee issues it (a draft carries no number and today's date)."""

    def lines(text: str) -> tuple[str, ...]:
        return tuple(line.strip() for line in text.splitlines() if line.strip()) or ("无。",)

    return Document(
        issuer=issuer,
        number=f"{code}{notice.number}" if notice.number else "",
        title=notice.title,
        addressee=ADDRESSEE,
        sections=_sections(notice, lines),
        written_on=notice.published_on or today,
        draft=notice.status == "draft",
    )
