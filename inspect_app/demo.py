"""Loads the demo mine from ``demo_data`` (taken from the seed report): units, members, standards, posts,
logins for every role, an open weekly round, and a few sheets from two inspectors so the ranking has rows.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from . import demo_data as data
from .auth.services import hash_password
from .database import write_transaction
from .domain.enums import PostStatus, Role, RoundKind, RoundMode, RoundStatus
from .domain.lifecycle import Action
from .domain.scoring import ItemEntry
from .extensions import db
from .field.services import submit_signed_sheet
from .models import (
    Member,
    Post,
    PostDemonstrator,
    PostEvent,
    Round,
    RoundPost,
    Standard,
    StandardVersion,
    Unit,
    User,
)
from .posts.services import snapshot
from .standards.services import build_version

DEMO_PASSWORD = "demo-2026"  # noqa: S105 — printed in the README; demo databases only
#: username, display name, role, unit code (branch secretaries only)
DEMO_USERS = (
    ("admin", "系统管理员", Role.ADMIN, None),
    ("dangwei", "党委书记 赵国强", Role.COMMITTEE, None),
    ("renshi", "组织人事部 王建华", Role.HR, None),
    ("shuji", "综采一区党支部书记", Role.BRANCH_SECRETARY, "zc1"),
    ("jiancha", "检查员 刘志刚", Role.INSPECTOR, None),
    ("jiancha2", "检查员 陈海涛", Role.INSPECTOR, None),
    ("jiancha3", "检查员 孙立新", Role.INSPECTOR, None),
)
#: posts that already have sheets in the demo round; the rest wait for the first inspector
PRESCORED = 8


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Unit))


def load(today: date | None = None, with_sheets: bool = True) -> None:
    """Insert the demo mine into an empty database."""
    today = today or date.today()
    with write_transaction():
        units = {u.code: Unit(code=u.code, name=u.name, branch=u.branch) for u in data.UNITS}
        db.session.add_all(units.values())
        members = {
            m.name: Member(
                name=m.name,
                unit=units[m.unit],
                party_member=m.party_member,
                party_role=m.party_role,
                job=m.job,
            )
            for m in data.MEMBERS
        }
        db.session.add_all(members.values())
        versions = {s.profession: _standard(s) for s in data.STANDARDS}
        posts = [_post(p, units, members, versions, today) for p in data.POSTS]
        pipeline = [(status, _post(p, units, members, versions, today)) for status, p in data.PIPELINE]
        for username, name, role, unit in DEMO_USERS:
            db.session.add(
                User(
                    username=username,
                    display_name=name,
                    role=role.value,
                    unit=units[unit] if unit else None,
                    password_hash=hash_password(DEMO_PASSWORD),
                )
            )
        db.session.flush()
        for post in posts:
            _listed_history(post, today)
        for status, post in pipeline:
            _pipeline_history(post, PostStatus(status), today)
        monday = today - timedelta(days=today.weekday())
        last_week = _round(
            monday - timedelta(days=7), [p for p in posts if p.code != data.EXPIRED], RoundStatus.OPEN
        )
        current = _round(monday, [p for p in posts if p.status == PostStatus.LISTED.value], RoundStatus.OPEN)
    if with_sheets:
        _demo_sheets(last_week, len(posts))
        _demo_sheets(current, PRESCORED)
    with write_transaction():
        db.session.get_one(Round, last_week).status = RoundStatus.SEALED.value


def _round(monday: date, posts: list[Post], status: RoundStatus) -> int:
    week = monday.isocalendar().week
    rnd = Round(
        title=f"{monday.year}年第{week}周党员示范岗联合检查",
        kind=RoundKind.WEEKLY.value,
        mode=RoundMode.JOINT.value,
        period_start=monday,
        period_end=monday + timedelta(days=6),
        status=status.value,
        entries=[RoundPost(post=p, standard_version=p.standard_version) for p in posts],
    )
    db.session.add(rnd)
    db.session.flush()
    return rnd.id


def _event(post: Post, action: Action, to: PostStatus, who: str, when: date, note: str = "") -> None:
    post.events.append(
        PostEvent(
            action=action.value,
            from_status=post.status,
            to_status=to.value,
            actor_name=who,
            note=note,
            at=datetime.combine(when, time(2, 30), UTC),  # 10:30 at the mine
            snapshot=snapshot(post) if action in (Action.APPLY, Action.APPROVE) else None,
        )
    )
    post.status = to.value


def _apply_and_review(post: Post, when: date, rejections: tuple[str, ...] = ()) -> date:
    secretary = f"{post.unit.branch}书记"
    for reason in rejections:
        _event(post, Action.APPLY, PostStatus.APPLIED, secretary, when)
        _event(post, Action.REVIEW, PostStatus.REVIEW, DEMO_USERS[1][1], when + timedelta(days=3))
        _event(post, Action.REJECT, PostStatus.REJECTED, DEMO_USERS[1][1], when + timedelta(days=7), reason)
        post.status_reason = reason
        when += timedelta(days=14)
    _event(post, Action.APPLY, PostStatus.APPLIED, secretary, when)
    post.status_reason = ""
    _event(post, Action.REVIEW, PostStatus.REVIEW, DEMO_USERS[1][1], when + timedelta(days=3))
    return when + timedelta(days=7)


def _listed_history(post: Post, today: date) -> None:
    """申报 → 调研论证 → 挂牌 (rebuilt twice for one post), then revoked or expired for two of them."""
    assert post.start_date is not None  # listed demo posts have their dates
    post.status = PostStatus.DRAFT.value
    rejections = data.REJECTIONS if post.code == data.REBUILT_TWICE else ()
    when = post.start_date - timedelta(days=30 + 14 * len(rejections))
    reviewed = _apply_and_review(post, when, rejections)
    _event(
        post,
        Action.FINDINGS,
        PostStatus.REVIEW,
        DEMO_USERS[1][1],
        reviewed - timedelta(days=2),
        data.FINDINGS,
    )
    _event(post, Action.APPROVE, PostStatus.LISTED, DEMO_USERS[1][1], reviewed)
    post.revision = 1
    if post.code == data.REVOKED:
        _event(
            post,
            Action.REVOKE,
            PostStatus.REVOKED,
            DEMO_USERS[1][1],
            today - timedelta(days=2),
            data.REVOCATION,
        )
        post.status_reason = data.REVOCATION
    elif post.code == data.EXPIRED:
        post.end_date = today - timedelta(days=24)
        _event(post, Action.EXPIRE, PostStatus.EXPIRED, "", today - timedelta(days=23))


def _pipeline_history(post: Post, status: PostStatus, today: date) -> None:
    post.status = PostStatus.DRAFT.value
    if status != PostStatus.DRAFT:
        _apply_and_review(post, today - timedelta(days=10))
    if status == PostStatus.APPLIED:  # drop the review step again: this one waits for the committee
        post.events.pop()
        post.status = PostStatus.APPLIED.value


def _standard(s: data.DemoStandard) -> StandardVersion:
    return build_version(Standard(profession=s.profession, title=s.title), 1, s.items, "")


def _dates(p: data.DemoPost, today: date) -> tuple[date | None, date | None]:
    """The seed's dates, moved on by whole years if the demo is loaded after they ran out."""
    if not p.start or not p.end:
        return None, None
    start, end = date.fromisoformat(p.start), date.fromisoformat(p.end)
    while end < today:
        start, end = start.replace(year=start.year + 1), end.replace(year=end.year + 1)
    return start, end


def _post(
    p: data.DemoPost,
    units: dict[str, Unit],
    members: dict[str, Member],
    versions: dict[str, StandardVersion],
    today: date,
) -> Post:
    start, end = _dates(p, today)
    complete = bool(p.assessor)
    post = Post(
        code=p.code,
        name=p.name,
        area=p.area,
        unit=units[p.unit],
        profession=p.profession,
        standard_version=versions[p.profession] if complete else None,
        basis=data.BASIS if complete else "",
        assessor=p.assessor,
        assessment=data.ASSESSMENT if complete else "",
        duties=p.duties,
        commitment=p.commitments,
        achievements="\n".join(p.achievements),
        start_date=start,
        end_date=end,
        status=PostStatus.DRAFT.value,
    )
    post.demonstrators = [
        PostDemonstrator(member=members[name], position=i) for i, name in enumerate(p.demonstrators)
    ]
    db.session.add(post)
    return post


def _demo_sheets(round_id: int, count: int) -> None:
    """Two inspectors score the first ``count`` posts of a round with a few plausible defects (fixed seed:
    the same demo each time); 802溜子道, whose honour is revoked, scores badly."""
    rng = random.Random(56804)  # noqa: S311 — demo content, not security
    inspectors = db.session.scalars(
        select(User.id).where(User.username.in_(("jiancha2", "jiancha3"))).order_by(User.username)
    ).all()
    entries = db.session.scalars(
        select(RoundPost).where(RoundPost.round_id == round_id).join(Post).order_by(Post.code)
    ).all()
    plan = [(e.post.code, [(i.id, i.veto) for i in e.standard_version.items]) for e in entries[:count]]
    for code, items in plan:
        defects = (1, 2, 3) if code == data.REVOKED else (0, 0, 0, 1, 1, 2)
        for inspector_id in inspectors:
            sheet = [ItemEntry(item_id, 0 if veto else rng.choice(defects)) for item_id, veto in items]
            submit_signed_sheet(round_id, code, inspector_id, uuid.uuid4(), sheet)
