"""Changes to a post, each one transaction with its audit entry: create and edit a draft, take a lifecycle
step, adjust a listed post (及时调整), rotate its board code, edit achievements, expire posts past their end.

Who may act is decided twice: the view's decorator admits roles, and here the lifecycle table and the unit
scope of a branch secretary are applied, so a service called from anywhere stays safe.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from inspect_app import signboard
from inspect_app.audit import Actor, record
from inspect_app.database import write_transaction
from inspect_app.domain.codes import new_post_code
from inspect_app.domain.enums import PostStatus, Role
from inspect_app.domain.lifecycle import (
    EDITABLE,
    Action,
    Clarities,
    TransitionRefused,
    due_to_expire,
    missing_clarities,
    step,
)
from inspect_app.domain.scoring import points_text
from inspect_app.extensions import db
from inspect_app.models import (
    Member,
    Post,
    PostDemonstrator,
    PostEvent,
    RetiredCode,
    StandardVersion,
    Unit,
)
from inspect_app.notify import events
from inspect_app.queries import post_with_clarities
from inspect_app.setup.services import mine_info


class PostRefused(Exception):
    """The change was not made; ``code`` names why for the UI, ``status`` is the HTTP status."""

    def __init__(self, code: str, status: int = 409, missing: tuple[str, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.missing = missing


@dataclass(frozen=True)
class PostInput:
    """The editable fields of a post, as parsed from its form."""

    name: str
    unit_id: int
    profession: str
    area: str
    basis: str
    standard_version_id: int | None
    assessor: str
    assessment: str
    duties: str
    commitment: str
    start_date: date | None
    end_date: date | None
    demonstrator_ids: tuple[int, ...]


def may_manage(actor: Actor, post_unit_id: int) -> bool:
    """A branch secretary manages their own unit's posts only; other staff roles see the whole mine."""
    return actor.role != Role.BRANCH_SECRETARY or actor.unit_id == post_unit_id


def load_post(code: str) -> Post | None:
    """The post with its clarities and its history, for staff pages and changes."""
    return db.session.scalar(post_with_clarities(code).options(selectinload(Post.events)))


def snapshot(post: Post) -> dict[str, Any]:
    """The five clarities and the board's text as they stand, for history and the audit log."""
    version = post.standard_version
    return {
        "name": post.name,
        "unit": post.unit.name if post.unit else "",
        "profession": post.profession,
        "area": post.area,
        "basis": post.basis,
        "standard": f"{version.standard.title} v{version.number}" if version else "",
        "assessor": post.assessor,
        "assessment": post.assessment,
        "duties": post.duties,
        "commitment": post.commitment,
        "start_date": post.start_date.isoformat() if post.start_date else "",
        "end_date": post.end_date.isoformat() if post.end_date else "",
        "demonstrators": [
            {"name": d.member.name, "party_role": d.member.title, "job": d.member.job}
            for d in post.demonstrators
        ],
    }


def clarities_of(post: Post) -> Clarities:
    return Clarities(
        area=post.area,
        party_demonstrators=sum(1 for d in post.demonstrators if d.member.party_member),
        basis=post.basis,
        standard_version_id=post.standard_version_id,
        assessor=post.assessor,
        assessment=post.assessment,
        start=post.start_date,
        end=post.end_date,
    )


def _fresh_code() -> str:
    for _attempt in range(20):
        code = new_post_code()
        in_use = select(exists().where(Post.code == code))
        retired = select(exists().where(RetiredCode.code == code))
        if not db.session.scalar(in_use) and not db.session.scalar(retired):
            return code
    raise RuntimeError("no free post code after 20 attempts")  # 28.6 million codes: practically never


def _check_input(actor: Actor, data: PostInput) -> None:
    if not may_manage(actor, data.unit_id):
        raise PostRefused("other_unit", 403)
    if db.session.get(Unit, data.unit_id) is None:
        raise PostRefused("unknown_unit", 422)
    if data.standard_version_id is not None:
        version = db.session.get(StandardVersion, data.standard_version_id)
        if version is None or version.standard.profession != data.profession:
            raise PostRefused("standard_mismatch", 422)
    if data.demonstrator_ids:
        found = db.session.scalars(select(Member).where(Member.id.in_(data.demonstrator_ids))).all()
        wrong = [m for m in found if m.unit_id != data.unit_id or not m.party_member]
        if len(found) != len(set(data.demonstrator_ids)) or wrong:
            raise PostRefused("demonstrator_elsewhere", 422)


def _apply_input(post: Post, data: PostInput) -> None:
    fields = asdict(data)
    ids = fields.pop("demonstrator_ids")
    for name, value in fields.items():
        setattr(post, name, value)
    post.demonstrators = [PostDemonstrator(member_id=mid, position=i) for i, mid in enumerate(ids)]
    db.session.flush()
    db.session.refresh(post)


def create_post(actor: Actor, data: PostInput) -> str:
    """A new draft post with a fresh board code; returns the code."""
    if actor.role not in (Role.ADMIN, Role.BRANCH_SECRETARY):
        raise PostRefused("forbidden", 403)
    with write_transaction():
        _check_input(actor, data)
        unit = db.session.get(Unit, data.unit_id)
        if unit is not None and unit.closed_on is not None:
            raise PostRefused("unit_closed", 422)
        post = Post(code=_fresh_code(), name=data.name, unit_id=data.unit_id, profession=data.profession)
        db.session.add(post)
        _apply_input(post, data)
        record(actor, "post.create", "post", post.code, None, snapshot(post))
        return post.code


def _locked(code: str) -> Post:
    post = load_post(code)
    if post is None:
        raise PostRefused("not_found", 404)
    return post


def edit_post(actor: Actor, code: str, data: PostInput, reason: str = "") -> None:
    """Edit a draft or a rejected post freely; a listed post only by adjustment (及时调整), with a reason,
    which raises its revision and keeps the former clarities in its history."""
    with write_transaction():
        post = _locked(code)
        if not may_manage(actor, post.unit_id) or data.unit_id != post.unit_id:
            raise PostRefused("other_unit", 403)
        status = PostStatus(post.status)
        if status in EDITABLE and actor.role not in (Role.ADMIN, Role.BRANCH_SECRETARY):
            raise PostRefused("forbidden", 403)
        if status not in EDITABLE and status != PostStatus.LISTED:
            raise PostRefused("not_editable")
        _check_input(actor, data)
        before = snapshot(post)
        _apply_input(post, data)
        if status == PostStatus.LISTED:
            _step(actor, post, Action.ADJUST, reason)
            post.revision += 1
        record(actor, "post.edit", "post", post.code, before, snapshot(post))


def _step(actor: Actor, post: Post, action: Action, reason: str) -> PostStatus:
    try:
        target = step(post.status, action, actor.role, reason, clarities_of(post))
    except TransitionRefused as refused:
        status = 403 if refused.code == "forbidden" else 422 if refused.code != "not_allowed" else 409
        raise PostRefused(refused.code, status, tuple(refused.missing)) from None
    keeps_snapshot = action in (Action.APPLY, Action.APPROVE, Action.ADJUST)
    post.events.append(
        PostEvent(
            action=action.value,
            from_status=post.status,
            to_status=target.value,
            actor_id=actor.id,
            actor_name=actor.name,
            note=reason.strip(),
            snapshot=snapshot(post) if keeps_snapshot else None,
        )
    )
    return target


def take_step(actor: Actor, code: str, action: Action, reason: str = "") -> PostStatus:
    """Apply a lifecycle step (申报, 调研论证, 挂牌, 推倒重建, 撤销 …) and log it."""
    if action == Action.ADJUST:
        raise PostRefused("not_allowed")  # adjusting changes the clarities: edit_post does it
    with write_transaction():
        return step_within(actor, code, action, reason)


def step_within(actor: Actor, code: str, action: Action, reason: str = "") -> PostStatus:
    """``take_step``'s work inside the caller's write transaction (a 季讲评 revokes with its own record)."""
    post = _locked(code)
    if not may_manage(actor, post.unit_id):
        raise PostRefused("other_unit", 403)
    before = {"status": post.status, "status_reason": post.status_reason, "revision": post.revision}
    target = _step(actor, post, action, reason)
    if action in (Action.REJECT, Action.REVOKE):
        post.status_reason = reason.strip()
    elif action == Action.APPLY:
        post.status_reason = ""
    if action == Action.APPROVE:
        post.revision += 1
    post.status = target.value
    after = {"status": post.status, "status_reason": post.status_reason, "revision": post.revision}
    record(actor, f"post.{action.value}", "post", post.code, before, after | {"note": reason.strip()})
    if action == Action.APPLY:
        events.post_applied(post)
    return target


def set_achievements(actor: Actor, code: str, text: str) -> None:
    """亮业绩 is a living list: edited any time by the branch or the committee, logged, not a revision."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 20 or any(len(line) > 120 for line in lines):
        raise PostRefused("achievements_too_long", 422)
    with write_transaction():
        post = _locked(code)
        if not may_manage(actor, post.unit_id):
            raise PostRefused("other_unit", 403)
        before = {"achievements": post.achievement_list}
        post.achievements = "\n".join(lines)
        record(actor, "post.achievements", "post", post.code, before, {"achievements": lines})


def rotate_code(actor: Actor, code: str, today: date) -> str:
    """Give a post a new board code when its board was lost or defaced; the old code stays retired for
    good, so it can never lead to another post. Returns the new code."""
    with write_transaction():
        post = _locked(code)
        if not may_manage(actor, post.unit_id):
            raise PostRefused("other_unit", 403)
        new = _fresh_code()
        db.session.add(RetiredCode(code=post.code, post_id=post.id, retired_on=today))
        post.code = new
        record(actor, "post.rotate_code", "post", new, {"code": code}, {"code": new})
        return new


def expire_due(actor: Actor, today: date) -> list[str]:
    """Mark listed posts whose end date has passed as expired (已到期); returns their codes."""
    with write_transaction():
        posts = db.session.scalars(
            select(Post).where(Post.status == PostStatus.LISTED.value, Post.end_date < today)
        ).all()
        expired = []
        for post in posts:
            if not due_to_expire(post.status, post.end_date, today):
                continue
            target = _step(actor, post, Action.EXPIRE, "")
            record(actor, "post.expire", "post", post.code, {"status": post.status}, {"status": target.value})
            post.status = target.value
            expired.append(post.code)
        return expired


def missing_for_apply(post: Post) -> tuple[str, ...]:
    return tuple(c.value for c in missing_clarities(clarities_of(post)))


def board_of(post: Post, url: str) -> signboard.Board:
    """The signboard's content: 五亮 from the post, its standard summarised by category (亮标准)."""
    version = post.standard_version
    summary: dict[str, Decimal] = {}
    vetoes = 0
    for item in version.items if version else ():
        if item.veto and not item.max_points:
            vetoes += 1
        else:
            summary[item.category] = summary.get(item.category, Decimal(0)) + item.max_points
    lines = [f"{category} {points_text(pts)}分" for category, pts in summary.items()]
    if vetoes:
        lines.append(f"一票否决项 {vetoes} 项")
    period = (
        f"{post.start_date:%Y年%m月%d日} — {post.end_date:%Y年%m月%d日}"
        if post.start_date and post.end_date
        else ""
    )
    mine = mine_info()
    return signboard.Board(
        issuer=mine.committee_name if mine else "",
        code=post.code,
        url=url,
        name=post.name,
        unit=" · ".join(n for n in (post.unit.name, post.unit.branch_name) if n),
        area=post.area,
        period=period,
        people=tuple(
            signboard.Person(d.member.name, d.member.title, d.member.job, d.member.portrait)
            for d in post.demonstrators
        ),
        duties=post.duties,
        commitment=post.commitment,
        standard=f"{version.standard.title}（第{version.number}版）" if version else "",
        standard_summary=(" · ".join(lines),) if lines else (),
        assessor=f"{post.assessor}；{post.assessment}",
        achievements=tuple(post.achievement_list),
    )


def set_portrait(actor: Actor, code: str, member_id: int, jpeg: bytes | None) -> None:
    """Store (or with ``None`` remove) a demonstrator's portrait; only for a demonstrator of this post."""
    with write_transaction():
        post = _locked(code)
        if not may_manage(actor, post.unit_id):
            raise PostRefused("other_unit", 403)
        if member_id not in {d.member_id for d in post.demonstrators}:
            raise PostRefused("not_found", 404)
        member = db.session.get_one(Member, member_id)
        member.portrait = jpeg
        record(actor, "member.portrait", "member", member_id, None, {"portrait": jpeg is not None})
