"""Logging in and out (Flask-Login). Public pages never need this."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from inspect_app import tenancy
from inspect_app.accounts.messages import refusal
from inspect_app.accounts.services import AccountRefused, change_password, record_login
from inspect_app.audit import actor_of
from inspect_app.domain.passwords import MIN_LENGTH
from inspect_app.htmx import render
from inspect_app.models import session_id
from inspect_app.security import (
    ALL_ROLES,
    load_session_user,
    login_limited,
    public,
    rate_limited,
    roles_required,
)

from .services import authenticate, end_sessions

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Stay logged in on this phone"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after login would be a phishing gift."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("desk.index")


def _account() -> str:
    """The per-account limit's key: the username as typed, normalised (never a password)."""
    return f"login-account:{tenancy.code()}:" + request.form.get("username", "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limited(_account)
def login() -> Response:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user:
            login_user(user, remember=bool(form.remember.data))
            record_login(user.id)
            if user.must_change_password:
                return redirect(url_for(".password"), 303)
            return redirect(_safe_next(request.args.get("next")), 303)
        error = _l("Wrong username or password.")
    status = 422 if request.method == "POST" else 200
    return render("auth/login.html", form=form, error=error, status=status)


@bp.post("/logout")
@roles_required(*ALL_ROLES)
def logout() -> Response:
    """Ends this account's sessions on the server too (a copied cookie is dead), then this browser's."""
    end_sessions(current_user.id)
    logout_user()
    return redirect(url_for("public.home"), 303)


#: what an account that must change its password may still open: public pages would otherwise show it what
#: its login may do (score links, the signed rounds to download, a CSRF token), so they wait too
_WHILE_MUST_CHANGE = frozenset(
    {"auth.password", "auth.logout", "static", "offline.service_worker", "offline.manifest", "offline.theme"}
)


@bp.before_app_request
def _must_change_first() -> Response | None:
    """An initial or reset password opens nothing but the page that replaces it (and logout)."""
    if not (current_user.is_authenticated and current_user.must_change_password) or tenancy.outside_mines():
        return None  # the group's area asks its own administrators (group/views.py)
    if request.endpoint is None or request.endpoint in _WHILE_MUST_CHANGE:
        return None
    flash(_("Choose your own password first."))
    return redirect(url_for("auth.password"), 303)


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    repeat = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=256)])


@bp.route("/password", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
@rate_limited(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def password() -> Response:
    """Change one's own password. The other sessions of the account end; this one goes on (logged in again
    under the new session version)."""
    form = PasswordForm()
    error: AccountRefused | None = None
    if form.validate_on_submit():
        try:
            version = change_password(
                actor_of(current_user), form.current.data or "", form.new.data or "", form.repeat.data or ""
            )
        except AccountRefused as refused:
            error = refused
        else:
            _log_in_again(version)
            flash(_("Your password has been changed."))
            return redirect(url_for("posts.index"), 303)
    status = 422 if request.method == "POST" else 200
    message = {error.field or "form": refusal(error)} if error else {}
    return render("auth/password.html", form=form, error=message, min_length=MIN_LENGTH, status=status)


def _log_in_again(version: int) -> None:
    """This browser keeps its login under the account's new session version (a remember cookie too)."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    user = load_session_user(session_id(current_user.id, version))
    if user is not None:
        login_user(user, remember=remember)
