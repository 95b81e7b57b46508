"""The 工作台 (desk): which to-dos each role meets on its home page, in the order it should do them.

Pure: the services count and list; this module says what belongs to whom and how a list is cut for a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .enums import Role


class Task(StrEnum):
    """One kind of to-do; the value is also the anchor of its card on the desk."""

    APPLICATIONS = "applications"  # 申报待审核: the committee starts 调研论证
    REVIEWS = "reviews"  # 调研论证中: 挂牌 or 推倒重建 (committee)
    FINDINGS = "findings"  # 调研论证中 with no findings recorded yet (HR)
    DRAFTS = "drafts"  # 待申报: the unit's drafts and posts sent back for rebuilding
    EXPIRING = "expiring"  # 已过期未处理: listed posts past their end date
    NOTES = "notes"  # 职工意见待处理
    TO_SIGN = "to_sign"  # 待我打分: posts of open signed rounds I may sign and have not
    QUORUM = "quorum"  # 进行中的检查: posts below their quorum of sheets
    TO_PUBLISH = "to_publish"  # 已封箱待公布
    FIXES_TO_ASSIGN = "fixes_to_assign"  # 整改待指派
    FIXES_TO_DO = "fixes_to_do"  # 整改待完成
    RECHECKS = "rechecks"  # 整改待我复查
    FIXES_OVERDUE = "fixes_overdue"  # 整改已逾期
    SELF_CHECKS = "self_checks"  # 月度自查: not done last month, or still to finish this month
    MESSAGES = "messages"  # 工作群消息 failed or unsure: resend or fix the channel (administrator)


_SIGNER = (Task.TO_SIGN, Task.RECHECKS)

#: each role's to-dos, most urgent first
TASKS: dict[Role, tuple[Task, ...]] = {
    Role.COMMITTEE: (
        Task.APPLICATIONS,
        Task.REVIEWS,
        *_SIGNER,
        Task.QUORUM,
        Task.TO_PUBLISH,
        Task.FIXES_OVERDUE,
        Task.SELF_CHECKS,
    ),
    Role.HR: (Task.FINDINGS, *_SIGNER, Task.QUORUM, Task.TO_PUBLISH, Task.FIXES_OVERDUE, Task.SELF_CHECKS),
    Role.BRANCH_SECRETARY: (
        Task.FIXES_OVERDUE,
        Task.FIXES_TO_ASSIGN,
        Task.FIXES_TO_DO,
        Task.SELF_CHECKS,
        Task.NOTES,
        *_SIGNER,
        Task.QUORUM,
        Task.TO_PUBLISH,
        Task.DRAFTS,
    ),
    Role.ADMIN: (Task.MESSAGES, Task.EXPIRING, Task.QUORUM, Task.TO_PUBLISH, Task.FIXES_OVERDUE),
    Role.INSPECTOR: _SIGNER,
}

#: entries a card lists before "all N"
SHOWN = 5


@dataclass(frozen=True)
class Entry:
    """One thing to do: what, where it is done, and a short line of context."""

    label: str
    url: str
    detail: str = ""
    late: bool = False
    #: how many to-dos the entry stands for (a post's pending notes are one entry)
    weight: int = 1


@dataclass(frozen=True)
class ToDo:
    task: Task
    count: int
    entries: tuple[Entry, ...]
    #: the whole list when it is longer than the card, else None
    more_url: str | None = None


def awaits_findings(actions: Sequence[str]) -> bool:
    """Whether a post under review (its event actions, oldest first) has no findings since review began."""
    for action in reversed(actions):
        if action == "findings":
            return False
        if action == "review":
            return True
    return True


def todo(task: Task, entries: Sequence[Entry], more_url: str) -> ToDo:
    """A card with at most ``SHOWN`` entries; its count is always the whole list's."""
    count = sum(e.weight for e in entries)
    return ToDo(task, count, tuple(entries[:SHOWN]), more_url if len(entries) > SHOWN else None)


#: a gap longer than this between two desk visits starts a new visit (what changed is counted from the
#: end of the one before)
NEW_VISIT = timedelta(minutes=30)


def visit(
    seen_at: datetime | None, since: datetime | None, now: datetime
) -> tuple[datetime, datetime | None]:
    """(seen_at, since) after a desk visit at ``now``: ``since`` moves on to the previous visit's last view
    only when this is a new visit, so reloading the desk keeps showing the same changes."""
    if seen_at is None:
        return now, None
    if now - seen_at > NEW_VISIT:
        return now, seen_at
    return now, since
