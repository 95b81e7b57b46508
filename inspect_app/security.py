"""Who may do what, and the headers every response carries.

Every view is marked either ``@public`` or ``@roles_required(...)``; a test walks the URL map and fails on a
view with neither, then requests every route as every role. Templates never decide access.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Request, Response, abort, current_app, request, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import UserMixin, current_user
from htmx_flask import make_response as htmx_response
from htmx_flask import request as htmx_request
from itsdangerous import BadSignature
from sqlalchemy import bindparam, func, select
from werkzeug.middleware.proxy_fix import ProxyFix

from . import tenancy
from .domain.enums import Role
from .driver import Prepared
from .errors import refuse
from .extensions import db, limiter, login
from .models import Member, User, session_id

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
                return _unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = allowed  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


#: blueprints whose every route has a rate limit (``rate_limited`` on the blueprint)
_LIMITED_BLUEPRINTS: set[str] = set()
L = TypeVar("L", bound=Callable[..., Any] | Blueprint)


def rate_limited(limit: Callable[[], str], **options: Any) -> Callable[[L], L]:
    """``limiter.limit`` on a view or a whole blueprint, remembered: a request to a route that declares no
    limit skips the limiter (``_only_where_declared``), which otherwise resolves an empty list of limits on
    every request: ~4 % of a sheet submit (issue 22). Never call ``limiter.limit`` directly (a test
    checks)."""

    def apply(target: L) -> L:
        if isinstance(target, Blueprint):
            limiter.limit(limit, **options)(target)
            _LIMITED_BLUEPRINTS.add(target.name)
            return target
        limited: Any = limiter.limit(limit, **options)(target)
        limited.rate_limited = True
        return limited

    return apply


def login_limited(account: Callable[[], str]) -> Callable[[F], F]:
    """A login form's two limits: attempts per address (``RATELIMIT_LOGIN``), and wrong passwords per
    account whatever the address (``RATELIMIT_LOGIN_ACCOUNT``, keyed by ``account()``: guessing one account
    stays slow however many phones try)."""

    def apply(view: F) -> F:
        per_account = rate_limited(
            lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], key_func=account, methods=["POST"],
            deduct_when=lambda response: response.status_code == 422,
        )  # fmt: skip
        return rate_limited(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])(
            per_account(view)
        )

    return apply


def _only_where_declared(app: Flask) -> None:
    """Run the limiter's per-request check only for routes that declare a limit (``rate_limited``): for the
    others it resolves an empty list of limits, ~20 µs of every request (issue 22). Views' own limits are
    checked by their decorator anyway; blueprints' limits by this check."""
    checks = app.before_request_funcs.setdefault(None, [])
    for n, check in enumerate(checks):
        if getattr(check, "__self__", None) is limiter and check.__name__ == "_check_request_limit":
            checks[n] = partial(_check_declared, check)
            return  # none when limits are turned off (RATELIMIT_ENABLED)


def _check_declared(check: Callable[[], Any]) -> None:
    if not route_declares_no_limit(current_app, request.endpoint or "", request.blueprint):
        check()


def route_declares_no_limit(app: Flask, endpoint: str, blueprint: str | None) -> bool:
    view = app.view_functions.get(endpoint)
    return not (getattr(view, "rate_limited", False) or blueprint in _LIMITED_BLUEPRINTS)


def _unauthorized() -> Any:
    """The login page; for an htmx request (a ranking polled after the session ended) an HX-Redirect to it,
    with the page the user was on as ``next``: htmx would otherwise swap the login form into a fragment."""
    if htmx_request.htmx:
        here = urlsplit(htmx_request.htmx.current_url or "")
        page = here.path + (f"?{here.query}" if here.query else "") if here.path else None
        return htmx_response("", 401, redirect=url_for("auth.login", next=page))
    return login.unauthorized()


@dataclass(frozen=True, eq=False)
class SessionUser(UserMixin):
    """The logged-in user as views and templates see it: plain values, nothing to lazy-load, one query."""

    id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    #: the unit the person belongs to: a secretary's unit, else their roster entry's (互查 and 自查 are
    #: signed by a unit's people)
    home_unit_id: int | None
    active: bool
    session_version: int
    #: an initial or reset password: nothing but the password page opens until it is changed
    must_change_password: bool

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return session_id(self.id, self.session_version)


_SESSION_USER = Prepared(
    select(
        User.id,
        User.username,
        User.display_name,
        User.role,
        User.unit_id,
        func.coalesce(User.unit_id, Member.unit_id).label("home_unit_id"),
        User.active,
        User.session_version,
        User.must_change_password,
    )
    .outerjoin(Member, Member.id == User.member_id)
    .where(User.id == bindparam("id"))
)  # every request of a logged-in user runs it: prepared for the driver (driver.py)


@login.user_loader
def load_session_user(cookie_id: str) -> SessionUser | None:
    """The login a session or remember cookie names, if its session version is still the account's: logging
    out raises the version, so every copy of the cookie is dead from then on."""
    user_id, _, version = cookie_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(user_id) > 10 or len(version) > 10:
        return None
    if tenancy.outside_mines():  # the group's own area: its administrators, from the catalogue
        from .group.services import load_group_user

        return load_group_user(int(user_id), int(version))
    with db.engine.connect() as conn:  # not the ORM session: one plain read, no transaction left open
        row = _SESSION_USER.first(conn, {"id": int(user_id)})
    if row is None:
        return None
    user = SessionUser(**dict(zip(_SESSION_USER.names, row, strict=True)))
    return user if user.session_version == int(version) else None


_SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


def _headers(response: Response) -> Response:
    headers = response.headers
    if "Cache-Control" not in headers and request.endpoint != "static" and current_user.is_authenticated:
        # a page or export for a logged-in user stays off the shared phone's disk and out of its back button
        headers["Cache-Control"] = "no-store"
    for name, value in _SECURITY_HEADERS:
        if name not in headers:
            headers[name] = value
    return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse_nul() -> None:
    """A NUL character in the path, a query or a form field is never text anyone typed, and PostgreSQL
    refuses it in any string (a 500 deep in a query): every request carrying one is refused up front."""
    values = [request.path, *request.args.values()]
    if request.method == "POST" and request.mimetype in FORM_TYPES:
        values += request.form.values()
    if any("\x00" in value for value in values):
        refuse(400, _("The request contains a character that is not allowed."))


def may_open(endpoint: str) -> bool:
    """Whether the current user's role is admitted by ``endpoint``'s decorator (for menus, not for access)."""
    view = current_app.view_functions.get(endpoint)
    access = getattr(view, "access", None)
    if access == "public":
        return True
    return bool(current_user.is_authenticated and access and current_user.role in access)


def _nav_links() -> dict[str, Any]:
    from flask_babel import lazy_gettext as _l

    menu = (
        ("posts.index", _l("Posts")),
        ("rounds.index", _l("Rounds")),
        ("plans.index", _l("Plan")),
        ("plans.self_checks", _l("Self-checks")),
        ("rankings.current", _l("Ranking")),
        ("notices.index", _l("Notices")),
        ("reviews.index", _l("Quarterly reviews")),
        ("rectifications.index", _l("Rectification")),
        ("standards.index", _l("Standards")),
        ("org.members", _l("Roster")),
        ("posts.feedback", _l("Feedback")),
        ("admin.audit", _l("Audit log")),
        ("accounts.index", _l("Accounts")),
        ("notify.index", _l("Work chat")),
    )
    if (
        request.path.startswith(SESSIONLESS_PREFIX)
        or not current_user.is_authenticated
        or current_user.must_change_password  # nothing else opens until the password is their own
    ):
        return {"nav_links": ()}
    return {"nav_links": tuple((e, t) for e, t in menu if may_open(e))}


#: paths served without any session: anonymous scoring with a ballot card (see ballot/views.py)
SESSIONLESS_PREFIX = "/b/"


class CardSessionInterface(SecureCookieSessionInterface):
    """The usual signed-cookie session, except that ballot routes get none: whatever cookie a phone sends,
    they read an empty session and can write nothing, so a sheet is never next to a login.

    A cookie whose signature was checked once is remembered (its payload and signing time, per worker):
    every request of a phone sends the same cookie, and checking it again cost ~25 µs of the ~1.5 ms a sheet
    submit takes (issue 22). Its age is still checked on every request; only an exact, already verified
    cookie is found, so nothing can be forged through the memory.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(SESSIONLESS_PREFIX):
            return None  # Flask substitutes a NullSession: empty, and saving it sets no cookie
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        max_age = app.permanent_session_lifetime.total_seconds()
        verified: dict[str, tuple[float, str]] = tenancy.state().setdefault("inspect_verified_sessions", {})
        found = verified.get(cookie)
        if found is not None and time.time() - found[0] <= max_age:
            return self.session_class(self.serializer.loads(found[1]))
        signing = self.get_signing_serializer(app)
        assert signing is not None  # a secret key is set
        try:
            data, signed = signing.loads(cookie, max_age=int(max_age), return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(verified) >= _VERIFIED_SESSIONS:
            verified.clear()  # bounded: the phones still in use fill it again at one check each
        verified[cookie] = (signed.timestamp(), self.serializer.dumps(data))
        return self.session_class(data)


#: how many verified session cookies a worker remembers (a mine's phones, many times over)
_VERIFIED_SESSIONS = 4096


def _behind_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* from exactly TRUSTED_PROXIES proxies: rate limits then count per phone, not per
    proxy (behind one proxy, the whole mine would share one address and one limit). With 0, a forged
    X-Forwarded-For changes nothing."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    storage = str(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if storage.startswith("memory://") and app.config.get("RATELIMIT_ENABLED", True) and not app.testing:
        app.logger.warning(
            "rate limits are kept in this process's memory: if gunicorn runs N workers, every limit is N "
            "times looser. Set INSPECT_RATELIMIT_STORAGE_URI=redis://… (README, Deploying)."
        )


def init_app(app: Flask) -> None:
    _behind_proxies(app)
    app.session_interface = CardSessionInterface()
    app.context_processor(_nav_links)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = None  # the login page explains itself; a flash here would be untranslated
    app.after_request(_headers)
    _only_where_declared(app)
    app.before_request(_refuse_nul)
