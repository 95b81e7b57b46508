"""What the 工作台 shows one user: their to-dos (counted and listed from the same rows the pages act on),
the latest standings at a glance and what others changed since their last visit.

Every list asks the rule its page applies (``may_sign``, ``may_recheck``, ``may_organise``), so a to-do is
never one the page behind it would then refuse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from inspect_app import clock
from inspect_app.audit import Actor
from inspect_app.database import write_transaction
from inspect_app.domain.ballots import Signer, may_recheck, results_visible
from inspect_app.domain.completion import BEHIND, SelfCheck, previous_month
from inspect_app.domain.desk import TASKS, Entry, Task, ToDo, awaits_findings, todo, visit
from inspect_app.domain.enums import FeedbackStatus, PostStatus, RectStatus, Role, RoundStatus
from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Feedback, Notice, Post, Rectification, Round, User
from inspect_app.notify.channels import undelivered
from inspect_app.notify.messages import state_label
from inspect_app.offline.services import offline_rounds
from inspect_app.plans.completion import unit_months
from inspect_app.queries import open_rounds, round_rules
from inspect_app.rankings.services import RankRow, round_ranking
from inspect_app.rounds.services import may_organise, may_view, progress


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    signer: Signer
    today: date

    @property
    def own_unit(self) -> int | None:
        """The unit a branch secretary answers for (None: the whole mine)."""
        return self.actor.unit_id if self.actor.role == Role.BRANCH_SECRETARY else None


def _post_entries(
    v: Viewer, statuses: tuple[PostStatus, ...], past_end: bool = False, findings: bool = False
) -> list[Entry]:
    stmt = (
        select(Post)
        .where(Post.status.in_([s.value for s in statuses]))
        .options(selectinload(Post.unit))
        .order_by(Post.id)
    )
    if findings:
        stmt = stmt.options(selectinload(Post.events))
    if v.own_unit is not None:
        stmt = stmt.where(Post.unit_id == v.own_unit)
    if past_end:
        stmt = stmt.where(Post.end_date < v.today)
    posts = list(db.session.scalars(stmt))
    if findings:
        posts = [p for p in posts if awaits_findings([e.action for e in p.events])]
    return [Entry(p.name, url_for("posts.detail", code=p.code), f"{p.unit.name} · {p.code}") for p in posts]


def _notes(v: Viewer) -> list[Entry]:
    stmt = (
        select(Post.name, Post.code, func.count())
        .join(Feedback, Feedback.post_id == Post.id)
        .where(Feedback.status == FeedbackStatus.PENDING.value)
        .group_by(Post.id, Post.name, Post.code)
        .order_by(Post.name)
    )
    if v.own_unit is not None:
        stmt = stmt.where(Post.unit_id == v.own_unit)
    url = url_for("posts.feedback", status="pending")
    return [
        Entry(name, url, f"{code} · " + _("notes: %(n)d", n=int(n)), weight=int(n))
        for name, code, n in db.session.execute(stmt)
    ]


def _to_sign(v: Viewer) -> list[Entry]:
    entries = []
    for rnd in offline_rounds(v.signer, v.actor.id):
        if rnd.anonymous:
            continue  # scored with a ballot card, never with a login
        for post in rnd.posts:
            if not post.scored:
                url = url_for("field.form", round_id=rnd.id, code=post.code)
                entries.append(Entry(post.name, url, f"{rnd.title} · {post.unit}"))
    return entries


def _organised(v: Viewer, status: RoundStatus) -> list[Round]:
    stmt = open_rounds() if status == RoundStatus.OPEN else select(Round).where(Round.status == status.value)
    stmt = stmt.options(selectinload(Round.entries))
    return [r for r in db.session.scalars(stmt) if may_organise(v.actor, r.unit_id)]


def _quorum(v: Viewer) -> list[Entry]:
    entries = []
    for rnd in _organised(v, RoundStatus.OPEN):
        counts = progress(rnd)
        need = round_rules(rnd).min_sheets
        short = sum(1 for e in rnd.entries if counts.get(e.post_id, 0) < need)
        if short:
            total = len(rnd.entries)
            if need == 1:
                detail = _("%(short)d of %(total)d posts have no sheet yet", short=short, total=total)
            else:
                detail = _(
                    "%(short)d of %(total)d posts have fewer than %(need)d sheets",
                    short=short,
                    total=total,
                    need=need,
                )
            entries.append(Entry(rnd.title, url_for("rounds.show", round_id=rnd.id), detail))
    return entries


def _to_publish(v: Viewer) -> list[Entry]:
    return [
        Entry(r.title, url_for("rounds.show", round_id=r.id), _("Sealed: publish the results"))
        for r in _organised(v, RoundStatus.SEALED)
    ]


def _fixes(v: Viewer, statuses: tuple[RectStatus, ...], overdue: bool | None) -> list[Rectification]:
    stmt = (
        select(Rectification)
        .where(Rectification.status.in_([s.value for s in statuses]))
        .options(selectinload(Rectification.post))
        .order_by(Rectification.deadline, Rectification.id)
    )
    if v.own_unit is not None:
        stmt = stmt.where(Rectification.unit_id == v.own_unit)
    if overdue is True:
        stmt = stmt.where(Rectification.deadline < v.today)
    elif overdue is False:
        stmt = stmt.where(Rectification.deadline >= v.today)
    return list(db.session.scalars(stmt))


def _fix_entries(rects: list[Rectification], today: date, staff: bool = True) -> list[Entry]:
    """Each fix links to its page; for an inspector (no fix pages) to its post's page, whose 评分 button
    opens the signed form where the re-check is given."""
    return [
        Entry(
            f"{r.post.name} · {r.clause}" if r.clause else r.post.name,
            url_for("rectifications.show", rect_id=r.id)
            if staff
            else url_for("public.post", code=r.post.code),
            _("Due %(date)s", date=r.deadline.isoformat()) + f" · {r.number}",
            late=r.deadline < today and r.status != RectStatus.DONE.value,
        )
        for r in rects
    ]


LATE = (RectStatus.ISSUED, RectStatus.ASSIGNED)


def _rechecks(v: Viewer) -> list[Entry]:
    """Fixes reported done that this user may pass or fail (never a secretary's own unit's: a unit does not
    verify its own fix)."""
    stmt = select(Rectification).where(Rectification.status == RectStatus.DONE.value)
    rects = db.session.scalars(stmt.options(selectinload(Rectification.post)).order_by(Rectification.id))
    mine = [
        r
        for r in rects
        if may_recheck(v.signer, r.checker, r.unit_id, None, r.checker_user_id)
        and (v.own_unit is None or r.unit_id != v.own_unit)
    ]
    return _fix_entries(mine, v.today, staff=v.actor.role != Role.INSPECTOR)


def _self_checks(v: Viewer) -> list[Entry]:
    """Units whose self-check last month was not done (late ones too), and, for a branch secretary, their
    own unit's month while it still lacks posts."""
    own = {v.own_unit} if v.own_unit is not None else None
    entries = []
    for month, states in ((previous_month(v.today), BEHIND), (v.today, {SelfCheck.RUNNING})):
        if month == v.today and own is None:
            continue  # the mine's staff hear of a month once it is over
        key = month.strftime("%Y-%m")
        for row in unit_months(month, own):
            if row.state in states:
                detail = _("%(month)s: %(n)d of %(total)d posts checked", month=key, n=row.checked,
                           total=row.expected)  # fmt: skip
                url = url_for("plans.self_checks", month=key, _anchor=f"unit-{row.unit.code}")
                entries.append(Entry(row.unit.name, url, detail, late=row.state != SelfCheck.RUNNING))
    return entries


def _messages(_v: Viewer) -> list[Entry]:
    """Messages that failed or may not have arrived: the administrator resends them or mends the channel."""
    return [
        Entry(m.title, url_for("notify.index", state=m.state, _anchor=f"message-{m.id}"),
              f"{m.channel.name} · {state_label(m.state)}", late=True)
        for m in undelivered()
    ]  # fmt: skip


LISTS: dict[Task, Callable[[Viewer], list[Entry]]] = {
    Task.APPLICATIONS: lambda v: _post_entries(v, (PostStatus.APPLIED,)),
    Task.REVIEWS: lambda v: _post_entries(v, (PostStatus.REVIEW,)),
    Task.FINDINGS: lambda v: _post_entries(v, (PostStatus.REVIEW,), findings=True),
    Task.DRAFTS: lambda v: _post_entries(v, (PostStatus.DRAFT, PostStatus.REJECTED)),
    Task.EXPIRING: lambda v: _post_entries(v, (PostStatus.LISTED,), past_end=True),
    Task.NOTES: _notes,
    Task.TO_SIGN: _to_sign,
    Task.QUORUM: _quorum,
    Task.TO_PUBLISH: _to_publish,
    Task.FIXES_TO_ASSIGN: lambda v: _fix_entries(_fixes(v, (RectStatus.ISSUED,), False), v.today),
    Task.FIXES_TO_DO: lambda v: _fix_entries(_fixes(v, (RectStatus.ASSIGNED,), False), v.today),
    Task.RECHECKS: _rechecks,
    Task.FIXES_OVERDUE: lambda v: _fix_entries(_fixes(v, LATE, True), v.today),
    Task.SELF_CHECKS: _self_checks,
    Task.MESSAGES: _messages,
}


def _more_url(task: Task) -> str:
    if task in _POST_FILTER:
        return url_for("posts.index", status=_POST_FILTER[task])
    if task == Task.NOTES:
        return url_for("posts.feedback", status="pending")
    if task in (Task.QUORUM, Task.TO_PUBLISH):
        return url_for("rounds.index")
    if task == Task.TO_SIGN:
        return url_for("offline.index")
    if task == Task.SELF_CHECKS:
        return url_for("plans.self_checks")
    if task == Task.MESSAGES:
        return url_for("notify.index", state="failed")
    state = "overdue" if task == Task.FIXES_OVERDUE else "open"
    return url_for("rectifications.index", state=state)


_POST_FILTER = {
    Task.APPLICATIONS: PostStatus.APPLIED.value,
    Task.REVIEWS: PostStatus.REVIEW.value,
    Task.FINDINGS: PostStatus.REVIEW.value,
    Task.DRAFTS: PostStatus.DRAFT.value,
    Task.EXPIRING: PostStatus.LISTED.value,
}


def todos(v: Viewer) -> list[ToDo]:
    """Every to-do of the viewer's role, counted; the empty ones too (the page says "nothing waiting")."""
    return [todo(task, LISTS[task](v), _more_url(task)) for task in TASKS.get(Role(v.actor.role), ())]


@dataclass(frozen=True)
class Glance:
    round: Round
    top: list[RankRow]
    bottom: list[RankRow]
    own: list[RankRow]


def glance(v: Viewer) -> Glance | None:
    """The newest round whose results the viewer may see: its best three, its last two and, for a branch
    secretary, their own unit's posts."""
    if v.actor.role == Role.INSPECTOR:
        return None
    stmt = select(Round).where(Round.status != RoundStatus.DRAFT.value)
    stmt = stmt.order_by(Round.period_end.desc(), Round.id.desc()).limit(20)
    for rnd in db.session.scalars(stmt):
        visible = results_visible(RoundStatus(rnd.status), rnd.anonymous)
        if not visible or not may_view(v.actor, rnd):
            continue
        rated = [row for row in round_ranking(rnd) if row.rank is not None]
        if not rated:
            continue
        own = [row for row in rated if v.own_unit is not None and row.post.unit_id == v.own_unit]
        return Glance(rnd, rated[:3], rated[3:][-2:], own)
    return None


#: what others did that a desk reports, and for a branch secretary only on their own unit's records
REPORTED = ("post.", "round.", "notice.publish", "rectification.", "feedback.decide", "standard.")


def changes(v: Viewer, since: datetime | None) -> list[tuple[str, int]]:
    """(action, how many times) others did it since ``since``, most frequent first."""
    if since is None:
        return []
    stmt = select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id).where(
        AuditEntry.at > since, AuditEntry.actor_id.is_distinct_from(v.actor.id)
    )
    seen: Counter[str] = Counter()
    visible = _records_of_unit(v.own_unit) if v.own_unit is not None else None
    for action, entity, entity_id in db.session.execute(stmt.limit(5000)):
        if not action.startswith(REPORTED):
            continue
        if visible is not None and entity_id not in visible.get(entity, set()):
            continue  # another unit's record: a branch secretary hears of their own unit's only
        seen[action] += 1
    return seen.most_common(8)


def _records_of_unit(unit_id: int) -> dict[str, set[str]]:
    """The records a branch secretary may hear about, by audit entity: the unit's posts and fixes, and the
    rounds they may open (mine-wide and the unit's own) with their notices."""
    rounds = select(Round.id).where(Round.unit_id.is_(None) | (Round.unit_id == unit_id))
    found: dict[str, Iterable[object]] = {
        "post": db.session.scalars(select(Post.code).where(Post.unit_id == unit_id)),
        "rectification": db.session.scalars(select(Rectification.id).where(Rectification.unit_id == unit_id)),
        "round": db.session.scalars(rounds),
        "notice": db.session.scalars(select(Notice.id).where(Notice.round_id.in_(rounds))),
    }
    return {entity: {str(key) for key in keys} for entity, keys in found.items()}


def mark_visit(user_id: int, now: datetime) -> datetime | None:
    """Record a desk visit; returns the moment the changes are counted from (None: a first visit)."""
    with write_transaction():
        row = db.session.execute(
            select(User.desk_seen_at, User.desk_since).where(User.id == user_id).with_for_update()
        ).one()
        seen_at, since = visit(clock.aware(row.desk_seen_at), clock.aware(row.desk_since), now)
        db.session.execute(
            update(User).where(User.id == user_id).values(desk_seen_at=seen_at, desk_since=since)
        )
    return since
