"""Logging in and out (Flask-Login). Public pages never need this."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from inspect_app.extensions import limiter
from inspect_app.htmx import render
from inspect_app.security import ALL_ROLES, public, roles_required

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
    return url_for("posts.index")


def _account() -> str:
    """The per-account limit's key: the username as typed, normalised (never a password)."""
    return "login-account:" + request.form.get("username", "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], key_func=_account, methods=["POST"],
    deduct_when=lambda response: response.status_code == 422,
)  # fmt: skip
def login() -> Response:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user:
            login_user(user, remember=bool(form.remember.data))
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
