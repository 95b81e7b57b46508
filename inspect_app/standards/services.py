"""New standards and new versions of a standard. Versions are immutable: an edit or an import is a new
version; posts follow it, sheets already stored keep the version they were scored against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from inspect_app.audit import Actor, record
from inspect_app.database import Lock, hold_in_session, write_transaction
from inspect_app.domain.standards import ItemDraft
from inspect_app.extensions import db
from inspect_app.models import Post, Standard, StandardFromGroup, StandardItem, StandardRule, StandardVersion
from inspect_app.standards.exchange import ItemLike


class StandardRefused(Exception):
    def __init__(self, code: str, status: int = 422) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


def build_version(standard: Standard, number: int, items: Sequence[ItemLike], note: str) -> StandardVersion:
    """A new version of ``standard`` with ``items`` in order (added to the session, flushed)."""
    version = StandardVersion(standard=standard, number=number, note=note)
    version.items = [
        StandardItem(
            position=i,
            category=d.category,
            clause=d.clause,
            requirement=d.requirement,
            max_points=d.max_points,
            method=d.method,
            scoring=d.scoring,
            rules=[
                StandardRule(position=n, kind=r.kind.value, amount=r.amount, label=r.label)
                for n, r in enumerate(d.deductions, start=1)
            ],
        )
        for i, d in enumerate(items, start=1)
    ]
    db.session.add(version)
    db.session.flush()
    return version


def _summary(items: Sequence[ItemDraft]) -> dict[str, object]:
    total = sum((d.max_points for d in items), Decimal(0))
    return {"items": len(items), "total": f"{total:f}", "clauses": [d.clause for d in items]}


def create_standard(actor: Actor, title: str, profession: str, items: Sequence[ItemDraft], note: str) -> int:
    with write_transaction():
        if db.session.scalar(select(Standard.id).where(Standard.title == title)):
            raise StandardRefused("title_taken", 409)
        standard = Standard(title=title, profession=profession)
        db.session.add(standard)
        version = build_version(standard, 1, items, note)
        record(actor, "standard.create", "standard", standard.id, None, {"title": title} | _summary(items))
        return version.standard_id


def add_version(actor: Actor, standard_id: int, items: Sequence[ItemDraft], note: str) -> int:
    """A new version of one of the mine's own standards; posts on any earlier version move to it. Returns
    the version number. The group's standards are the group's to change (``take_group_version``)."""
    with write_transaction():
        hold_in_session(Lock.STANDARD_VERSIONS, standard_id)  # version numbers are max + 1
        standard = db.session.get(Standard, standard_id)
        if standard is None:
            raise StandardRefused("not_found", 404)
        if standard.from_group is not None:
            raise StandardRefused("group_standard", 409)
        return _next_version(actor, standard, items, note)


def _next_version(actor: Actor, standard: Standard, items: Sequence[ItemDraft], note: str) -> int:
    latest = db.session.scalar(
        select(func.max(StandardVersion.number)).where(StandardVersion.standard_id == standard.id)
    )
    old_ids = select(StandardVersion.id).where(StandardVersion.standard_id == standard.id)
    version = build_version(standard, (latest or 0) + 1, items, note)
    moving = select(Post.code).where(Post.standard_version_id.in_(old_ids))
    moved = list(db.session.scalars(moving))
    db.session.execute(
        update(Post).where(Post.standard_version_id.in_(old_ids)).values(standard_version_id=version.id)
    )
    record(
        actor,
        "standard.version",
        "standard",
        standard.id,
        {"version": latest},
        {"version": version.number, "posts_moved": moved, "note": note} | _summary(items),
    )
    return version.number


@dataclass(frozen=True)
class GroupEdition:
    """An edition of a group standard as the group publishes it (``group/services.publish``)."""

    group_id: int
    number: int
    title: str
    profession: str
    note: str


def take_group_version(actor: Actor, edition: GroupEdition, items: Sequence[ItemDraft]) -> int | None:
    """The group's edition into this mine, in one transaction: the group's standard the first time (refused
    if the mine's own has the title), else its next version, which the posts follow. None when the mine
    has this edition or a later one already (a twin publish): the check and the write share the lock."""
    try:
        with write_transaction():
            hold_in_session(Lock.GROUP_STANDARD, edition.group_id)
            link = db.session.scalar(
                select(StandardFromGroup).where(StandardFromGroup.group_standard_id == edition.group_id)
            )
            if link is not None:
                if link.group_version >= edition.number:
                    return None
                link.group_version = edition.number
                return _next_version(
                    actor, db.session.get_one(Standard, link.standard_id), items, edition.note
                )
            if db.session.scalar(select(Standard.id).where(Standard.title == edition.title)):
                raise StandardRefused("title_taken", 409)
            standard = Standard(title=edition.title, profession=edition.profession)
            standard.from_group = StandardFromGroup(
                group_standard_id=edition.group_id, group_version=edition.number
            )
            db.session.add(standard)
            build_version(standard, 1, items, edition.note)
            summary = {"title": edition.title, "group_version": edition.number} | _summary(items)
            record(actor, "standard.create", "standard", standard.id, None, summary)
            return 1
    except IntegrityError:  # SQLite: a twin created it first (PostgreSQL's lock made this one wait)
        return None
