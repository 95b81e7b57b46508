"""The daily reminders (``flask remind``): computed from the data, each written once per channel and day
(or once per deadline, per round), so a rerun, a second run or a run on a later day adds nothing twice.

- 整改期限将到: a fix due in ``NOTIFY_DUE_DAYS`` days or fewer, once per deadline, @ its responsible person;
- 逾期整改: each unit's overdue fixes, a digest a day;
- 逾期升级: fixes overdue ``NOTIFY_ESCALATE_DAYS`` days or more, a digest a day to the mine-wide groups;
- 待复查: a fix reported done whose post is in an open round, once per report;
- 意见待公开: miners' notes awaiting the unit's decision, a digest a day (a note's own time is never told);
- 检查明日截止: an open round ending tomorrow with posts below their quorum, once per round and unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inspect_app.database import write_transaction
from inspect_app.domain.enums import FeedbackStatus, RectStatus
from inspect_app.domain.notify import Event, Message
from inspect_app.extensions import db
from inspect_app.models import Feedback, Member, Post, Rectification, Round, Unit
from inspect_app.queries import open_rounds, round_rules
from inspect_app.rounds.services import progress

from .events import day
from .outbox import link, mobiles, tell

LATE = (RectStatus.ISSUED.value, RectStatus.ASSIGNED.value)
LISTED = 20  # lines of a digest; the link shows the rest


@dataclass
class Reminded:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, event: Event, queued: int) -> None:
        self.counts[event.value] = self.counts.get(event.value, 0) + queued


def remind(today: date) -> Reminded:
    """Write today's reminders, one transaction for all (a rerun finds them written)."""
    done = Reminded()
    due_days = int(current_app.config.get("NOTIFY_DUE_DAYS", 2))
    escalate_days = int(current_app.config.get("NOTIFY_ESCALATE_DAYS", 3))
    with write_transaction():
        for rect in _late(Rectification.deadline.between(today, today + timedelta(days=due_days))):
            done.add(Event.RECT_DUE, _due(rect, today))
        overdue = list(_late(Rectification.deadline < today))
        for unit_id, rects in _by_unit(overdue).items():
            done.add(Event.RECT_OVERDUE, _overdue(unit_id, rects, today))
        escalated = [r for r in overdue if (today - r.deadline).days >= escalate_days]
        if escalated:
            done.add(Event.RECT_ESCALATED, _escalated(escalated, today, escalate_days))
        rounds = list(db.session.scalars(open_rounds().options(selectinload(Round.entries))))
        done.add(Event.RECHECK_DUE, _rechecks(rounds))
        for rnd in rounds:
            if rnd.period_end == today + timedelta(days=1):
                done.add(Event.ROUND_SHORT, _short(rnd))
        done.add(Event.NOTES_WAITING, _notes(today))
    return done


def _late(when: object) -> Iterable[Rectification]:
    stmt = (
        select(Rectification)
        .where(Rectification.status.in_(LATE), when)  # type: ignore[arg-type]
        .options(selectinload(Rectification.post), selectinload(Rectification.unit))
        .order_by(Rectification.deadline, Rectification.id)
    )
    return db.session.scalars(stmt)


def _by_unit(rects: Iterable[Rectification]) -> dict[int, list[Rectification]]:
    found: dict[int, list[Rectification]] = defaultdict(list)
    for rect in rects:
        found[rect.unit_id].append(rect)
    return found


def _line(rect: Rectification, today: date) -> str:
    late = (today - rect.deadline).days
    when = f"逾期{late}天" if late > 0 else f"期限{day(rect.deadline)}"
    return f"- {rect.number} {rect.post.name}: {rect.problem[:40]}（{rect.responsible}，{when}）"


def _digest(rects: list[Rectification], today: date) -> tuple[str, ...]:
    lines = [_line(r, today) for r in rects[:LISTED]]
    if len(rects) > LISTED:
        lines.append(f"另有{len(rects) - LISTED}项，见整改台账。")
    return tuple(lines)


def _due(rect: Rectification, today: date) -> int:
    member = db.session.get(Member, rect.responsible_member_id) if rect.responsible_member_id else None
    left = (rect.deadline - today).days
    title = f"整改期限{'今天' if left == 0 else f'还有{left}天'}: {rect.number} {rect.post.name}"
    lines = (
        f"**问题**: {rect.problem}",
        f"**期限**: {day(rect.deadline)}",
        f"**责任人**: {rect.responsible}",
    )
    phone = member.phone if member is not None else ""
    message = Message(title, lines, link("rectifications.show", rect_id=rect.id), mobiles(phone))
    return tell(Event.RECT_DUE, message, rect.unit_id, key=f"rect_due:{rect.id}:{rect.deadline.isoformat()}")


def _overdue(unit_id: int, rects: list[Rectification], today: date) -> int:
    title = f"逾期整改 {len(rects)} 项: {rects[0].unit.name}（{day(today)}）"
    message = Message(title, _digest(rects, today), link("rectifications.index", state="overdue"))
    return tell(Event.RECT_OVERDUE, message, unit_id, key=f"rect_overdue:{unit_id}:{today.isoformat()}")


def _escalated(rects: list[Rectification], today: date, days: int) -> int:
    title = f"整改逾期{days}天以上 {len(rects)} 项，请督办（{day(today)}）"
    lines = tuple(f"{line}　[{r.unit.name}]" for line, r in zip(_digest(rects, today), rects, strict=False))
    message = Message(title, lines, link("rectifications.index", state="overdue"))
    return tell(Event.RECT_ESCALATED, message, None, key=f"rect_escalated:{today.isoformat()}")


def _rechecks(rounds: list[Round]) -> int:
    """Each fix reported done whose post is in an open round: once per report (a fix sent back and
    reported again is due again), naming the rounds it can be re-checked at."""
    open_for: dict[int, list[Round]] = defaultdict(list)
    for rnd in rounds:
        for entry in rnd.entries:
            open_for[entry.post_id].append(rnd)
    stmt = (
        select(Rectification)
        .where(Rectification.post_id.in_(open_for), Rectification.status == RectStatus.DONE.value)
        .options(selectinload(Rectification.post))
        .order_by(Rectification.id)
    )
    queued = 0
    for rect in db.session.scalars(stmt):
        title = f"待复查: {rect.number} {rect.post.name}"
        lines = (
            f"**问题**: {rect.problem}",
            f"**复查人**: {rect.checker}",
            "**可在检查中复查**: " + "、".join(r.title for r in open_for[rect.post_id]),
        )
        message = Message(title, lines, link("rectifications.show", rect_id=rect.id))
        key = f"recheck_due:{rect.id}:{rect.returns}"
        queued += tell(Event.RECHECK_DUE, message, rect.unit_id, key=key)
    return queued


def _short(rnd: Round) -> int:
    counts, need = progress(rnd), round_rules(rnd).min_sheets
    short: dict[int, list[str]] = defaultdict(list)
    for entry in rnd.entries:
        if counts.get(entry.post_id, 0) < need:
            short[entry.post.unit_id].append(f"- {entry.post.name}: {counts.get(entry.post_id, 0)}/{need} 份")
    queued = 0
    for unit_id, lines in short.items():
        title = f"检查明日截止，{len(lines)} 个岗位评分不足: {rnd.title}"
        message = Message(title, tuple(lines[:LISTED]), link("rounds.show", round_id=rnd.id))
        queued += tell(Event.ROUND_SHORT, message, unit_id, key=f"round_short:{rnd.id}:{unit_id}")
    return queued


def _notes(today: date) -> int:
    stmt = (
        select(Post.unit_id, func.count())
        .select_from(Feedback)
        .join(Post, Post.id == Feedback.post_id)
        .where(Feedback.status == FeedbackStatus.PENDING.value)
        .group_by(Post.unit_id)
    )
    queued = 0
    for unit_id, count in db.session.execute(stmt):
        unit = db.session.get_one(Unit, unit_id)
        message = Message(f"职工意见待处理 {count} 条: {unit.name}", (), link("posts.feedback"))
        queued += tell(
            Event.NOTES_WAITING, message, unit_id, key=f"notes_waiting:{unit_id}:{today.isoformat()}"
        )
    return queued
