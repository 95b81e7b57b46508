"""Reads of the organisation pages: the roster search, units with their branches, a unit's former names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from inspect_app.extensions import db
from inspect_app.models import AuditEntry, Branch, Member, Unit

PAGE = 50


@dataclass(frozen=True)
class RosterQuery:
    """The roster list's filters, as read from the query string (``q``: name, 工号, job or unit)."""

    text: str = ""
    unit_id: int | None = None
    with_closed: bool = False
    page: int = 1


def roster(query: RosterQuery) -> Select[Member]:
    stmt = select(Member).join(Unit, Member.unit_id == Unit.id).options(selectinload(Member.unit))
    if query.unit_id is not None:
        stmt = stmt.where(Member.unit_id == query.unit_id)
    if not query.with_closed:
        stmt = stmt.where(Member.closed_on.is_(None))
    if query.text:
        stmt = stmt.where(
            or_(
                *(
                    column.contains(query.text, autoescape=True)
                    for column in (Member.name, Member.staff_no, Member.job, Unit.name)
                )
            )
        )
    return stmt


def roster_page(query: RosterQuery) -> tuple[list[Member], int]:
    """One page of members (by unit, then name) and how many match in all."""
    stmt = roster(query)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = stmt.order_by(Unit.id, Member.closed_on.is_not(None), Member.name, Member.id)
    members = db.session.scalars(page.limit(PAGE).offset((query.page - 1) * PAGE)).all()
    return list(members), total


def units(with_closed: bool = True) -> list[Unit]:
    stmt = select(Unit).options(selectinload(Unit.branch)).order_by(Unit.closed_on.is_not(None), Unit.id)
    if not with_closed:
        stmt = stmt.where(Unit.closed_on.is_(None))
    return list(db.session.scalars(stmt))


def branches() -> list[Branch]:
    return list(db.session.scalars(select(Branch).order_by(Branch.closed_on.is_not(None), Branch.id)))


def open_branch_names() -> list[str]:
    return list(db.session.scalars(select(Branch.name).where(Branch.closed_on.is_(None)).order_by(Branch.id)))


def member_counts() -> dict[int, int]:
    """Open members per unit id."""
    rows = db.session.execute(
        select(Member.unit_id, func.count()).where(Member.closed_on.is_(None)).group_by(Member.unit_id)
    )
    return {unit_id: n for unit_id, n in rows}


@dataclass(frozen=True)
class FormerName:
    name: str
    until: datetime


def former_names(unit_id: int) -> list[FormerName]:
    """The names a unit had before its renames, newest first, from the audit log (which keeps both)."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity == "unit",
            AuditEntry.entity_id == str(unit_id),
            AuditEntry.action == "unit.rename",
        )
        .order_by(AuditEntry.id.desc())
    )
    return [FormerName(str(e.before["name"]), e.at) for e in entries if e.before and "name" in e.before]


def branch_units(branch_id: int) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.branch_id == branch_id).order_by(Unit.id)))
