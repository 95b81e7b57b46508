"""Accounts (账号): create with a one-time password, reset, disable, enable; a user's own password change.

Each change is one transaction with its audit entry. Neither a password nor its hash ever reaches the audit
log; a one-time password is returned to the caller to be shown once and is stored only as a hash. Each
function owns its transaction: call it outside any other (``write_transaction`` refuses unsaved changes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash

from inspect_app import clock
from inspect_app.audit import SYSTEM_ACTOR, Actor, record
from inspect_app.auth.services import hash_password
from inspect_app.database import Lock, hold_in_session, write_transaction
from inspect_app.domain.enums import Role, values
from inspect_app.domain.passwords import new_initial_password, password_problem
from inspect_app.domain.text import has_hidden_chars, normalise_text
from inspect_app.extensions import db
from inspect_app.models import Member, Unit, User

USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
MAX_DISPLAY_NAME = 64


class AccountRefused(Exception):
    """The change was not made; ``code`` names why for the UI, ``status`` is the HTTP status, ``field`` the
    input at fault ("" for none); ``problem`` the password rule broken (``domain.passwords``)."""

    def __init__(self, code: str, status: int = 422, field: str = "", problem: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.field = field
        self.problem = problem


@contextmanager
def _writing() -> Iterator[None]:
    """An account write: one at a time (PostgreSQL does not serialise writers: two admins could both find a
    username or a roster person free), and a unique key taken meanwhile is refused, not a 500."""
    try:
        with write_transaction():
            hold_in_session(Lock.ACCOUNTS, 0)
            yield
    except IntegrityError:
        raise AccountRefused("username_taken", 409, "username") from None


@dataclass(frozen=True)
class AccountInput:
    """A new account as typed: unit only for a branch secretary, member = the roster entry of the person."""

    username: str
    display_name: str
    role: str
    unit_id: int | None = None
    member_id: int | None = None


def _checked(data: AccountInput) -> AccountInput:
    """The input cleaned (username lower case, name NFC), or AccountRefused for its first bad field."""
    username = data.username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountRefused("bad_username", field="username")
    name = normalise_text(data.display_name)
    if not name or len(name) > MAX_DISPLAY_NAME or has_hidden_chars(name) or "\n" in name:
        raise AccountRefused("bad_display_name", field="display_name")
    if data.role not in values(Role):
        raise AccountRefused("bad_role", field="role")
    secretary = data.role == Role.BRANCH_SECRETARY
    if secretary and data.unit_id is None:
        raise AccountRefused("unit_required", field="unit_id")
    if not secretary and data.unit_id is not None:
        raise AccountRefused("unit_not_allowed", field="unit_id")
    return AccountInput(username, name, data.role, data.unit_id, data.member_id)


def _check_references(data: AccountInput) -> None:
    """The username is free, the unit open, the roster entry open and unlinked (asked before hashing, and
    again inside the write, where it counts)."""
    taken = select(User.id).where(func.lower(User.username) == data.username)
    if db.session.scalar(taken) is not None:
        raise AccountRefused("username_taken", field="username")
    if data.unit_id is not None:
        unit = db.session.get(Unit, data.unit_id)
        if unit is None or unit.closed_on is not None:
            raise AccountRefused("unknown_unit", field="unit_id")
    if data.member_id is not None:
        member = db.session.get(Member, data.member_id)
        if member is None or member.closed_on is not None:
            raise AccountRefused("unknown_member", field="member_id")
        if db.session.scalar(select(User.id).where(User.member_id == data.member_id)) is not None:
            raise AccountRefused("member_linked", field="member_id")


def create_account(actor: Actor, data: AccountInput, password: str | None = None) -> tuple[int, str]:
    """Create a login; returns its id and the one-time password to show once (it must be changed at the
    first login). ``password`` (``flask create-user`` only): the password to set instead, checked against
    the policy and not to be changed."""
    clean = _checked(data)
    _check_references(clean)  # read first, so a taken username is said before a weak password (again below)
    if password is not None:
        problem = password_problem(password, clean.username, clean.display_name)
        if problem:
            raise AccountRefused("weak_password", field="password", problem=problem)
    one_time = password if password is not None else new_initial_password()
    hashed = hash_password(one_time)  # slow on purpose: before the write lock, not while holding it
    with _writing():
        _check_references(clean)
        user = User(
            username=clean.username,
            display_name=clean.display_name,
            role=clean.role,
            unit_id=clean.unit_id,
            member_id=clean.member_id,
            password_hash=hashed,
            must_change_password=password is None,
        )
        db.session.add(user)
        db.session.flush()
        record(actor, "account.create", "user", user.id, None, _shown(user))
        return user.id, one_time


def _shown(user: User) -> dict[str, object]:
    """What the audit log keeps of an account: never its password or hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "unit_id": user.unit_id,
        "member_id": user.member_id,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


def set_password(user_id: int, password: str, must_change: bool) -> None:
    """Give an account a known password, for trusted callers only (the demo loader, first-run setup): the
    policy is NOT checked here, and other sessions of the account stay as they are."""
    hashed = hash_password(password)
    with _writing():
        user = _account(user_id)
        user.password_hash = hashed
        user.must_change_password = must_change
        record(
            SYSTEM_ACTOR, "account.set_password", "user", user_id, None, {"must_change_password": must_change}
        )


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountRefused("no_account", 404)
    return user


def reset_password(actor: Actor, user_id: int) -> str:
    """A new one-time password for someone who forgot theirs: every session of the account ends and the
    password must be changed at the next login. Returns it, to be shown once."""
    if actor.id == user_id:
        raise AccountRefused("own_account", 409)
    one_time = new_initial_password()
    hashed = hash_password(one_time)
    with _writing():
        user = _account(user_id)
        before = user.must_change_password
        user.password_hash = hashed
        user.must_change_password = True
        user.session_version = user.session_version + 1
        record(
            actor,
            "account.reset_password",
            "user",
            user_id,
            {"must_change_password": before},
            {"must_change_password": True, "sessions_ended": True},
        )
    return one_time


def _active_admins() -> Select[int]:
    # FOR UPDATE: on PostgreSQL two administrators disabling each other at once queue here, and the second
    # one counts without the first (SQLite's writers are serial anyway)
    return select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True)).with_for_update()


def set_active(actor: Actor, user_id: int, active: bool) -> None:
    """Disable (every session ends, login refused) or enable an account. Nobody disables themselves, and the
    last active administrator stays."""
    if actor.id == user_id and not active:
        raise AccountRefused("own_account", 409)
    with _writing():
        user = _account(user_id)
        if user.active == active:
            return
        if not active and user.role == Role.ADMIN:
            others = [i for i in db.session.scalars(_active_admins()) if i != user_id]
            if not others:
                raise AccountRefused("last_admin", 409)
        user.active = active
        if not active:
            user.session_version = user.session_version + 1
        action = "account.enable" if active else "account.disable"
        record(actor, action, "user", user_id, {"active": not active}, {"active": active})


def change_password(actor: Actor, current: str, new: str, repeated: str) -> int:
    """A user's own change: the current password, then a new one (twice) that keeps the policy and differs.
    Clears the must-change flag and ends the account's other sessions; returns the new session version (the
    caller logs this browser in again with it)."""
    if new != repeated:
        raise AccountRefused("mismatch", field="repeat")
    if actor.id is None:
        raise AccountRefused("no_account", 404)
    # both hashes are computed before the write lock (scrypt is slow on purpose); the write then checks that
    # the password did not change meanwhile
    user = _account(actor.id)
    known = user.password_hash
    if not check_password_hash(known, current):
        raise AccountRefused("wrong_password", field="current")
    problem = password_problem(new, user.username, user.display_name)
    if problem:
        raise AccountRefused("weak_password", field="new", problem=problem)
    if current == new:
        raise AccountRefused("unchanged", field="new")
    hashed = hash_password(new)
    with _writing():
        user = _account(actor.id)
        if user.password_hash != known:
            raise AccountRefused("stale_form", 409)
        before = user.must_change_password
        user.password_hash = hashed
        user.must_change_password = False
        user.session_version = user.session_version + 1
        record(
            actor,
            "account.change_password",
            "user",
            user.id,
            {"must_change_password": before},
            {"must_change_password": False},
        )
        return user.session_version


def record_login(user_id: int) -> None:
    """When the account last logged in (UTC), for the administrator's list."""
    with _writing():
        db.session.execute(update(User).where(User.id == user_id).values(last_login_at=clock.now()))


# --- what the pages list ---------------------------------------------------------------------------------


def accounts() -> list[tuple[User, str | None]]:
    """Every account with the name of its roster entry (if linked), by role, then username."""
    stmt = (
        select(User, Member.name)
        .outerjoin(Member, Member.id == User.member_id)
        .options(selectinload(User.unit))
        .order_by(User.role, User.username)
    )
    return [(user, member) for user, member in db.session.execute(stmt)]


def open_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.closed_on.is_(None)).order_by(Unit.name)))


def open_members() -> list[Member]:
    """The roster to link an account to: open entries, by unit and name."""
    stmt = (
        select(Member)
        .join(Unit, Unit.id == Member.unit_id)
        .where(Member.closed_on.is_(None))
        .order_by(Unit.name, Member.name)
    )
    return list(db.session.scalars(stmt))
