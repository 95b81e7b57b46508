"""The year's plan: its lines (add, change from a date on, stop), and the run that makes each line's round
for the period that opens today — once, however often or concurrently the run is started.

Each change is one transaction with its audit entry. The run creates rounds through
``rounds.services.create_planned`` (the round's own rules: standards frozen, periods, 互查), one transaction
per round; a round's ``plan_key`` (plan:period:unit) is unique, so a twin run finds it made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_app.audit import Actor, record
from inspect_app.database import Lock, hold_in_session, write_transaction
from inspect_app.domain.ballots import HR_DEPARTMENT
from inspect_app.domain.enums import PostStatus, RoundKind, RoundMode
from inspect_app.domain.lifecycle import period_overlaps
from inspect_app.domain.mutual import monthly_shift, ring
from inspect_app.domain.plans import Occurrence, due, month_index, plan_problems, title
from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundPlan
from inspect_app.reviews.services import open_review_record
from inspect_app.rounds.services import RoundInput, RoundRefused, create_planned


class PlanRefused(Exception):
    def __init__(self, code: str, status: int = 422, problems: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code, self.status, self.problems = code, status, problems or {}


@dataclass(frozen=True)
class PlanInput:
    kind: str
    mode: str
    anonymous: bool
    scope: str
    weekday: int
    min_sheets: int
    trim: bool
    rotate: bool
    valid_from: date
    valid_to: date | None = None


def _check(data: PlanInput) -> None:
    problems = plan_problems(data.kind, data.mode, data.scope, data.rotate, data.valid_from, data.valid_to)
    if problems:
        raise PlanRefused("invalid", 422, problems)


def all_plans() -> list[RoundPlan]:
    return list(db.session.scalars(select(RoundPlan).order_by(RoundPlan.kind, RoundPlan.valid_from)))


def add_plan(actor: Actor, data: PlanInput) -> int:
    _check(data)
    with write_transaction():
        plan = RoundPlan(**asdict(data))
        db.session.add(plan)
        db.session.flush()
        record(actor, "plan.add", "plan", plan.id, None, _summary(plan))
        return plan.id


def change_plan(actor: Actor, plan_id: int, data: PlanInput) -> int:
    """The plan as changed from ``data.valid_from`` on: the line ends the day before and a new line starts
    (a line not yet in force is changed in place). Rounds already made keep what they were made with."""
    _check(data)
    with write_transaction():
        hold_in_session(Lock.PLAN, plan_id)
        old = _plan(plan_id)
        if old.valid_to is not None and old.valid_to < data.valid_from:
            raise PlanRefused("ended", 409)
        if data.valid_from <= old.valid_from:
            before = _summary(old)
            for key, value in asdict(data).items():
                setattr(old, key, value)
            record(actor, "plan.change", "plan", old.id, before, _summary(old))
            return old.id
        new = RoundPlan(**(asdict(data) | {"valid_to": data.valid_to or old.valid_to}))
        old.valid_to = data.valid_from - timedelta(days=1)
        db.session.add(new)
        db.session.flush()
        record(
            actor, "plan.change", "plan", old.id, None, {"valid_to": old.valid_to.isoformat(), "next": new.id}
        )
        record(actor, "plan.add", "plan", new.id, None, _summary(new))
        return new.id


def stop_plan(actor: Actor, plan_id: int, last_day: date) -> None:
    """No round of this line opens after ``last_day``."""
    with write_transaction():
        hold_in_session(Lock.PLAN, plan_id)
        plan = _plan(plan_id)
        if last_day < plan.valid_from:
            raise PlanRefused("stop_before_start", 422)
        before = {"valid_to": plan.valid_to.isoformat() if plan.valid_to else None}
        plan.valid_to = min(last_day, plan.valid_to or last_day)
        record(actor, "plan.stop", "plan", plan.id, before, {"valid_to": plan.valid_to.isoformat()})


def _plan(plan_id: int) -> RoundPlan:
    plan = db.session.get(RoundPlan, plan_id)
    if plan is None:
        raise PlanRefused("no_plan", 404)
    return plan


def _summary(plan: RoundPlan) -> dict[str, object]:
    return {
        "kind": plan.kind, "mode": plan.mode, "anonymous": plan.anonymous, "scope": plan.scope,
        "weekday": plan.weekday, "rotate": plan.rotate, "valid_from": plan.valid_from.isoformat(),
        "valid_to": plan.valid_to.isoformat() if plan.valid_to else None,
    }  # fmt: skip


# --- the daily run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """What the run did for one round of a plan: ``created``, ``exists`` (an earlier or twin run made it),
    ``no_posts`` (nothing listed to check), or a refusal code of the round's rules."""

    plan_id: int
    title: str
    outcome: str
    round_id: int | None = None
    review_id: int | None = None


def _posts(plan: RoundPlan, period: Occurrence) -> list[Post]:
    stmt = (
        select(Post)
        .where(Post.status == PostStatus.LISTED.value, Post.standard_version_id.is_not(None))
        .options(selectinload(Post.unit))
        .order_by(Post.id)
    )
    if plan.scope == "hr":
        stmt = stmt.where(Post.assessor.contains(HR_DEPARTMENT))
    return [
        p
        for p in db.session.scalars(stmt)
        if period_overlaps(p.start_date, p.end_date, period.period_start, period.period_end)
    ]


def _input(plan: RoundPlan, period: Occurrence, posts: list[Post], name: str) -> RoundInput:
    pairs: tuple[tuple[int, int], ...] = ()
    if plan.mode == RoundMode.MUTUAL:
        units = sorted({p.unit_id: p.unit.code for p in posts}.items(), key=lambda u: u[1])
        shift = monthly_shift(month_index(plan.valid_from, period.period_start)) if plan.rotate else 1
        pairs = ring([u for u, _code in units], shift)
    return RoundInput(
        title=name, kind=RoundKind(plan.kind), mode=RoundMode(plan.mode), period_start=period.period_start,
        period_end=period.period_end, anonymous=plan.anonymous, post_ids=tuple(p.id for p in posts),
        min_sheets=plan.min_sheets, trim=plan.trim, pairs=pairs,
    )  # fmt: skip


def _made(plan: RoundPlan, period: Occurrence, posts: list[Post], unit_id: int | None, name: str) -> Made:
    key = period.key(plan.id, unit_id)
    existing = db.session.scalar(select(Round.id).where(Round.plan_key == key))
    if existing is not None:
        return Made(plan.id, name, "exists", existing)
    if not posts:
        return Made(plan.id, name, "no_posts")
    try:
        round_id = create_planned(_input(plan, period, posts, name), unit_id, plan.id, key)
    except RoundRefused as refused:
        return Made(plan.id, name, refused.code)
    if round_id is None:
        return Made(plan.id, name, "exists", db.session.scalar(select(Round.id).where(Round.plan_key == key)))
    return Made(plan.id, name, "created", round_id)


def _review(plan: RoundPlan, period: Occurrence) -> Made:
    """The 季讲评 record of the quarter just ended (the meeting fills it in)."""
    year, quarter = period.period_start.year, (period.period_start.month - 1) // 3 + 1
    review_id, made = open_review_record(year, quarter)
    return Made(
        plan.id, title(RoundKind.QUARTERLY, period), "created" if made else "exists", review_id=review_id
    )


def run_plans(today: date) -> list[Made]:
    """Make and open the rounds whose periods open today (or opened earlier in the current period)."""
    made: list[Made] = []
    for plan in all_plans():
        kind = RoundKind(plan.kind)
        period = due(kind, today, plan.valid_from, plan.valid_to, plan.weekday)
        if period is None:
            continue
        if kind == RoundKind.QUARTERLY:
            made.append(_review(plan, period))
            continue
        posts = _posts(plan, period)
        mutual = plan.mode == RoundMode.MUTUAL
        if plan.scope != "units":
            made.append(_made(plan, period, posts, None, title(kind, period, mutual=mutual)))
            continue
        by_unit: dict[int, list[Post]] = defaultdict(list)
        for post in posts:
            by_unit[post.unit_id].append(post)
        for unit_id, unit_posts in sorted(by_unit.items(), key=lambda u: u[1][0].unit.code):
            name = title(kind, period, unit_name=unit_posts[0].unit.name)
            made.append(_made(plan, period, unit_posts, unit_id, name))
    return made
