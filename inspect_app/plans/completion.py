"""自查完成情况: for each unit and month, whether its self-check covered its model posts on time, how many,
and which 整改 it raised (``domain.completion`` says the state). Read-only; counts signed sheets of the
unit's self-check rounds whose period starts in the month."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from inspect_app import clock
from inspect_app.domain.completion import SelfCheck, month_bounds, state
from inspect_app.domain.enums import PostStatus, RoundMode
from inspect_app.domain.lifecycle import period_overlaps
from inspect_app.extensions import db
from inspect_app.models import Post, Rectification, Round, Sheet, Unit

#: posts that were model posts for some time (a post revoked mid-month is not asked for)
HELD = (PostStatus.LISTED.value, PostStatus.EXPIRED.value)


@dataclass(frozen=True)
class UnitMonth:
    unit: Unit
    month: date
    expected: int
    checked: int
    state: SelfCheck
    rounds: tuple[Round, ...]
    #: (id, number) of the 整改 its self-checks raised
    fixes: tuple[tuple[int, str], ...]


def _expected(first: date, last: date, unit_ids: set[int] | None) -> dict[int, set[int]]:
    stmt = select(Post.id, Post.unit_id, Post.start_date, Post.end_date).where(Post.status.in_(HELD))
    found: dict[int, set[int]] = defaultdict(set)
    for post_id, unit_id, start, end in db.session.execute(stmt):
        if (unit_ids is None or unit_id in unit_ids) and period_overlaps(start, end, first, last):
            found[unit_id].add(post_id)
    return found


def _deadline(last: date) -> datetime:
    """The first instant after the month's last day, in the mine's zone."""
    return datetime.combine(last + timedelta(days=1), time(), clock.zone())


def unit_months(month: date, unit_ids: set[int] | None = None) -> list[UnitMonth]:
    """Every open unit (or those of ``unit_ids``) for ``month``, by unit name."""
    first, last = month_bounds(month)
    rounds_stmt = (
        select(Round)
        .where(Round.mode == RoundMode.SELF.value, Round.period_start.between(first, last))
        .order_by(Round.period_start, Round.id)
    )
    rounds: dict[int, list[Round]] = defaultdict(list)
    for rnd in db.session.scalars(rounds_stmt):
        if rnd.unit_id is not None:
            rounds[rnd.unit_id].append(rnd)
    round_ids = [r.id for rs in rounds.values() for r in rs]
    expected = _expected(first, last, unit_ids)
    sheets = (
        select(Round.unit_id, Sheet.post_id, func.min(Sheet.created_at))
        .join(Round, Round.id == Sheet.round_id)
        .where(Sheet.round_id.in_(round_ids))
        .group_by(Round.unit_id, Sheet.post_id)
    )
    firsts: dict[int, dict[int, datetime]] = defaultdict(dict)
    for unit_id, post_id, at in db.session.execute(sheets):
        if unit_id is not None:
            firsts[unit_id][post_id] = at if at.tzinfo else at.replace(tzinfo=UTC)
    fixes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    fix_rows = select(Rectification).where(Rectification.round_id.in_(round_ids)).order_by(Rectification.id)
    for rect in db.session.scalars(fix_rows):
        fixes[rect.unit_id].append((rect.id, rect.number))
    month_over, deadline = clock.today() > last, _deadline(last)
    units = (
        select(Unit).where(Unit.closed_on.is_(None)).options(selectinload(Unit.branch)).order_by(Unit.name)
    )
    result = []
    for unit in db.session.scalars(units):
        if unit_ids is not None and unit.id not in unit_ids:
            continue
        wanted = expected.get(unit.id, set())
        done = {p: at for p, at in firsts.get(unit.id, {}).items() if p in wanted}
        in_time = sum(1 for at in done.values() if at < deadline)
        result.append(
            UnitMonth(unit, first, len(wanted), len(done), state(len(wanted), len(done), in_time, month_over),
                      tuple(rounds.get(unit.id, ())), tuple(fixes.get(unit.id, ())))
        )  # fmt: skip
    return result


def year_summary(year: int, today: date, unit_ids: set[int] | None = None) -> list[tuple[Unit, Counter[str]]]:
    """Per unit, how many months of ``year`` (up to today's) ended in each state."""
    last_month = 12 if year < today.year else today.month
    return months_summary([date(year, m, 1) for m in range(1, last_month + 1)], unit_ids)


def months_summary(
    months: Sequence[date], unit_ids: set[int] | None = None
) -> list[tuple[Unit, Counter[str]]]:
    """Per open unit, how many of ``months`` ended in each state: what ``unit_months`` says month by month,
    read in four queries for all of them (a group compares 50 mines' years: issue 23)."""
    if not months:
        return []
    first, last = month_bounds(min(months))[0], month_bounds(max(months))[1]
    rounds = select(Round.id, Round.unit_id, Round.period_start).where(
        Round.mode == RoundMode.SELF.value, Round.period_start.between(first, last)
    )
    month_of = {rid: (unit_id, start.replace(day=1)) for rid, unit_id, start in db.session.execute(rounds)}
    posts = select(Post.id, Post.unit_id, Post.start_date, Post.end_date).where(Post.status.in_(HELD))
    held = list(db.session.execute(posts))
    sheets = (
        select(Sheet.round_id, Sheet.post_id, func.min(Sheet.created_at))
        .where(Sheet.round_id.in_(list(month_of)))
        .group_by(Sheet.round_id, Sheet.post_id)
    )
    firsts: dict[tuple[int | None, date], dict[int, datetime]] = defaultdict(dict)
    for round_id, post_id, at in db.session.execute(sheets):
        key, at = month_of[round_id], at if at.tzinfo else at.replace(tzinfo=UTC)
        if post_id not in firsts[key] or at < firsts[key][post_id]:
            firsts[key][post_id] = at
    units = select(Unit).where(Unit.closed_on.is_(None)).order_by(Unit.name)
    found = [u for u in db.session.scalars(units) if unit_ids is None or u.id in unit_ids]
    counts: dict[int, Counter[str]] = {u.id: Counter() for u in found}
    today = clock.today()
    for month in months:
        start, end = month_bounds(month)
        deadline, month_over = _deadline(end), today > end
        wanted: dict[int, set[int]] = defaultdict(set)
        for post_id, unit_id, begins, ends in held:
            if period_overlaps(begins, ends, start, end):
                wanted[unit_id].add(post_id)
        for unit in found:
            done = {p: at for p, at in firsts.get((unit.id, start), {}).items() if p in wanted[unit.id]}
            in_time = sum(1 for at in done.values() if at < deadline)
            counts[unit.id][state(len(wanted[unit.id]), len(done), in_time, month_over).value] += 1
    return [(u, counts[u.id]) for u in found]
