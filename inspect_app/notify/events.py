"""What each event says in the work chat, written by the service that makes the event, in its transaction.

Messages are Chinese markdown with a link into the app. They name posts, units, rounds and fixes, never
anything of an anonymous sheet: a rectification raised from an anonymous round carries only what its
organiser wrote from the aggregated results, and nothing is written while a sheet is stored.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from inspect_app import clock
from inspect_app.domain.notify import Event, Message
from inspect_app.domain.rectification import rect_number
from inspect_app.extensions import db
from inspect_app.models import Member, Notice, Post, Rectification, Round

from .outbox import link, mobiles, tell


def day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def rectification(
    rect_id: int, word: str, extra: tuple[str, ...] = (), conn: Connection | None = None
) -> int:
    """整改通知 / 改派 / 期限调整 / 退回 (``word``): to the unit's groups, @ the responsible person. Read
    through ``conn`` when the event runs on a Core connection (a signed sheet's re-check), else through the
    session."""
    stmt = (
        select(
            Rectification.issued_on, Rectification.unit_id, Rectification.problem, Rectification.measures,
            Rectification.deadline, Rectification.responsible, Rectification.checker, Post.name, Post.code,
            Member.phone,
        )
        .join(Post, Post.id == Rectification.post_id)
        .outerjoin(Member, Member.id == Rectification.responsible_member_id)
        .where(Rectification.id == rect_id)
    )  # fmt: skip
    r = (conn if conn is not None else db.session).execute(stmt).one()
    lines = (
        f"**岗位**: {r.name} ({r.code})",
        f"**问题**: {r.problem}",
        *extra,
        f"**整改措施**: {r.measures}",
        f"**整改期限**: {day(r.deadline)}",
        f"**责任人**: {r.responsible}　**复查人**: {r.checker}",
    )
    title = f"{word} {rect_number(r.issued_on.year, rect_id)}: {r.name}"
    message = Message(title, lines, link("rectifications.show", rect_id=rect_id), mobiles(r.phone))
    return tell(Event.RECT_ISSUED, message, r.unit_id, conn=conn)


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
