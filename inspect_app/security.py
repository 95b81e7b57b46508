"""Who may do what, and the headers every response carries.

Every view is marked either ``@public`` or ``@roles_required(...)``; a test walks the URL map and fails on a
view with neither, then requests every route as every role. Templates never decide access.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, abort
from flask_login import current_user

from .domain.enums import Role
from .extensions import db, login
from .models import User

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset(Role)
SUPERVISORS = frozenset({Role.ADMIN, Role.COMMITTEE, Role.HR, Role.BRANCH_SECRETARY})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    view.access = "public"  # type: ignore[attr-defined]
    return view


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow only logged-in users holding one of ``roles`` (anonymous → login page, wrong role → 403)."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


@login.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = None  # the login page explains itself; a flash here would be untranslated
    app.after_request(_headers)
