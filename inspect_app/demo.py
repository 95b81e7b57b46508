"""Loads the demo mine from ``demo_data`` (taken from the seed report): units, members, standards, posts,
logins for every role, an open weekly round, and a few sheets from two inspectors so the ranking has rows.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from . import demo_data as data
from .auth.services import hash_password
from .database import write_transaction
from .domain.enums import PostStatus, Role, RoundKind, RoundMode, RoundStatus
from .domain.scoring import ItemEntry
from .extensions import db
from .field.services import submit_signed_sheet
from .models import (
    Member,
    Post,
    PostDemonstrator,
    Round,
    RoundPost,
    Standard,
    StandardItem,
    StandardVersion,
    Unit,
    User,
)

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
        posts = [_post(p, units, members, versions) for p in data.POSTS]
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
        monday = today - timedelta(days=today.weekday())
        week = monday.isocalendar().week
        rnd = Round(
            title=f"{monday.year}年第{week}周党员示范岗联合检查",
            kind=RoundKind.WEEKLY.value,
            mode=RoundMode.JOINT.value,
            period_start=monday,
            period_end=monday + timedelta(days=6),
            status=RoundStatus.OPEN.value,
            entries=[RoundPost(post=p, standard_version=p.standard_version) for p in posts],
        )
        db.session.add(rnd)
        db.session.flush()
        round_id = rnd.id
    if with_sheets:
        _demo_sheets(round_id)


def _standard(s: data.DemoStandard) -> StandardVersion:
    standard = Standard(profession=s.profession, title=s.title)
    version = StandardVersion(standard=standard, number=1)
    version.items = [
        StandardItem(
            position=i,
            category=it.category,
            clause=it.clause,
            max_points=it.max_points,
            deduction=it.deduction,
            rule=it.rule,
            veto=it.veto,
        )
        for i, it in enumerate(s.items)
    ]
    db.session.add(standard)
    return version


def _post(
    p: data.DemoPost, units: dict[str, Unit], members: dict[str, Member], versions: dict[str, StandardVersion]
) -> Post:
    post = Post(
        code=p.code,
        name=p.name,
        area=p.area,
        unit=units[p.unit],
        profession=p.profession,
        standard_version=versions[p.profession],
        assessor=p.assessor,
        duties=p.duties,
        commitment=p.commitments,
        achievements="\n".join(p.achievements),
        start_date=date.fromisoformat(p.start),
        end_date=date.fromisoformat(p.end),
        status=PostStatus.LISTED.value,
    )
    post.demonstrators = [
        PostDemonstrator(member=members[name], position=i) for i, name in enumerate(p.demonstrators)
    ]
    db.session.add(post)
    return post


def _demo_sheets(round_id: int) -> None:
    """Two inspectors score the first posts with a few plausible defects (fixed seed: same demo each time)."""
    rng = random.Random(56804)  # noqa: S311 — demo content, not security
    inspectors = db.session.scalars(
        select(User.id).where(User.username.in_(("jiancha2", "jiancha3"))).order_by(User.username)
    ).all()
    entries = db.session.scalars(
        select(RoundPost).where(RoundPost.round_id == round_id).join(Post).order_by(Post.code)
    ).all()
    plan = [(e.post.code, [(i.id, i.veto) for i in e.standard_version.items]) for e in entries[:PRESCORED]]
    for code, items in plan:
        for inspector_id in inspectors:
            sheet = [
                ItemEntry(item_id, 0 if veto else rng.choice((0, 0, 0, 1, 1, 2))) for item_id, veto in items
            ]
            submit_signed_sheet(round_id, code, inspector_id, uuid.uuid4(), sheet)
