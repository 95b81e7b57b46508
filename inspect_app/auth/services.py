"""Password checks and account creation."""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from inspect_app.database import write_transaction
from inspect_app.extensions import db
from inspect_app.models import User

#: checked against when the username is unknown (password_ok), so both cases take the same time
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate(username: str, password: str) -> User | None:
    """Usernames are matched without regard to case (phones capitalise the first letter)."""
    typed = username.strip()
    user = db.session.scalar(select(User).where(User.username == typed))
    if user is None:
        alike = db.session.scalars(select(User).where(func.lower(User.username) == typed.lower())).all()
        user = alike[0] if len(alike) == 1 else None
    return user if password_ok(user, password) else None


class Login(Protocol):
    active: bool
    password_hash: str


def password_ok(user: Login | None, password: str) -> bool:
    """An active account whose password this is (a mine's or the group's). An unknown account is checked
    against a dummy hash, so both cases take the same time."""
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return user.active and check_password_hash(user.password_hash, password)


def end_sessions(user_id: int) -> None:
    """Logout: every session and remember cookie of this account stops working, wherever a copy of it is."""
    with write_transaction():
        db.session.execute(
            update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
        )
