"""Check-then-insert under concurrent writers, on the real database of the pass (PostgreSQL does not
serialise writers the way SQLite's BEGIN IMMEDIATE does): a double-clicked "add member" without 工号, two
accounts for one roster person, two units of one name. One wins; the others get a refusal, never a twin
and never a 500."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from inspect_app.accounts.services import AccountInput, AccountRefused, create_account
from inspect_app.audit import Actor
from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from inspect_app.models import Member, Unit, User
from inspect_app.org.services import MemberInput, OrgRefused, UnitInput, add_member, add_unit

from .helpers import together

HR = Actor(None, "组织人事部", Role.HR.value)
ADMIN = Actor(None, "系统管理员", Role.ADMIN.value)


def _count(app: Flask, stmt: Any) -> int:
    with app.app_context():
        return db.session.scalar(stmt) or 0


def test_a_double_clicked_new_member_is_stored_once(app: Flask) -> None:
    with app.app_context():
        unit = db.session.scalars(select(Unit.id).where(Unit.code == "zc1")).one()
    data = MemberInput(name="双胞胎", unit_id=unit, standing="member", job="支架工")
    succeeded, errors = together(app, lambda _: add_member(HR, data))
    assert succeeded == 1
    assert all(isinstance(e, OrgRefused) for e in errors), errors
    assert _count(app, select(func.count()).select_from(Member).where(Member.name == "双胞胎")) == 1


def test_one_roster_person_gets_one_account(app: Flask) -> None:
    with app.app_context():
        member = db.session.scalars(select(Member.id).where(Member.name == "刘国华")).one()
    succeeded, errors = together(
        app, lambda n: create_account(ADMIN, AccountInput(f"liu{n}", "刘国华", "inspector", member_id=member))
    )
    assert succeeded == 1
    assert all(isinstance(e, AccountRefused) for e in errors), errors
    assert _count(app, select(func.count()).select_from(User).where(User.member_id == member)) == 1


def test_two_units_of_one_name_cannot_both_be_made(app: Flask) -> None:
    succeeded, errors = together(
        app, lambda _: add_unit(HR, UnitInput(name="综采三区", branch="综采三区党支部"))
    )
    assert succeeded == 1
    assert all(isinstance(e, OrgRefused) for e in errors), errors
    assert _count(app, select(func.count()).select_from(Unit).where(Unit.name == "综采三区")) == 1
