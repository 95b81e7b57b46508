"""What each event says in the work chat, written by the service that makes the event, in its transaction.

Messages are Chinese markdown with a link into the app. They name posts, units, rounds and fixes, never
anything of an anonymous sheet: a rectification raised from an anonymous round carries only what its
organiser wrote from the aggregated results, and nothing is written while a sheet is stored.
"""

from __future__ import annotations

from datetime import date

from inspect_app import clock
from inspect_app.domain.notify import Event, Message
from inspect_app.extensions import db
from inspect_app.models import Member, Notice, Post, Rectification, Round

from .outbox import link, mobiles, tell


def day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def rectification_issued(rect: Rectification, again: bool = False) -> int:
    """整改下达 (or 改派 after a failed re-check): to the unit's groups, @ the responsible person."""
    member = db.session.get(Member, rect.responsible_member_id) if rect.responsible_member_id else None
    post = rect.post or db.session.get_one(Post, rect.post_id)
    title = f"{'整改改派' if again else '整改通知'} {rect.number}: {post.name}"
    lines = (
        f"**岗位**: {post.name} ({post.code})",
        f"**问题**: {rect.problem}",
        f"**整改措施**: {rect.measures}",
        f"**整改期限**: {day(rect.deadline)}",
        f"**责任人**: {rect.responsible}　**复查人**: {rect.checker}",
    )
    phone = member.phone if member is not None else ""
    message = Message(title, lines, link("rectifications.show", rect_id=rect.id), mobiles(phone))
    return tell(Event.RECT_ISSUED, message, rect.unit_id)


def notice_published(notice: Notice) -> int:
    """A 通报 (or 表彰决定) published: its title, number and a link, to every group that takes it."""
    lines = (f"**文号**: {notice.number}", f"**发布日期**: {day(notice.published_on or clock.today())}")
    message = Message(f"发布{notice.title}", lines, link("notices.show", notice_id=notice.id))
    return tell(Event.NOTICE_PUBLISHED, message, notice.unit_id)


def post_applied(post: Post) -> int:
    """A post applied for listing (申报): the reviewers' mine-wide groups."""
    lines = (f"**岗位**: {post.name} ({post.code})", f"**单位**: {post.unit.name}", "请组织调研论证。")
    message = Message(f"示范岗申报待审: {post.name}", lines, link("posts.detail", code=post.code))
    return tell(Event.POST_APPLIED, message, post.unit_id)


def round_opened(rnd: Round) -> int:
    """A round opened: every group that takes it (a unit's self-check: that unit's and the mine's)."""
    lines = (
        f"**检查期间**: {day(rnd.period_start)} 至 {day(rnd.period_end)}",
        f"**受检岗位**: {len(rnd.entries)} 个" + ("　无记名打分" if rnd.anonymous else ""),
    )
    message = Message(f"检查开始: {rnd.title}", lines, link("rounds.show", round_id=rnd.id))
    return tell(Event.ROUND_OPENED, message, rnd.unit_id)
