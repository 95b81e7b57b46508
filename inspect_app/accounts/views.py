"""Accounts (账号管理), for the administrator: the list, a new account with its one-time password, a reset,
disable and enable. A one-time password is shown once, in the answer to the POST that made it: never in a
URL, a flash message, a log or the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app.audit import actor_of
from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import User
from inspect_app.params import key
from inspect_app.security import roles_required

from .messages import refusal
from .services import (
    AccountInput,
    AccountRefused,
    accounts,
    create_account,
    open_members,
    open_units,
    reset_password,
    set_active,
)

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _list(refused: AccountRefused | None = None) -> Response:
    status = refused.status if refused else 200
    message = refusal(refused) if refused else None
    return render("accounts/index.html", rows=accounts(), error=message, status=status)


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> Response:
    return _list()


def _form_key(name: str) -> int | None:
    return request.form.get(name, type=key)


def _input() -> AccountInput:
    form = request.form
    return AccountInput(
        username=form.get("username", ""),
        display_name=form.get("display_name", ""),
        role=form.get("role", ""),
        unit_id=_form_key("unit_id"),
        member_id=_form_key("member_id"),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new() -> Response:
    """The form; on success the one-time password, on this answer only."""
    error: AccountRefused | None = None
    if request.method == "POST":
        try:
            user_id, password = create_account(actor_of(current_user), _input())
        except AccountRefused as refused:
            error = refused
        else:
            return _issued(user_id, password, created=True)
    return render(
        "accounts/new.html",
        status=error.status if error else 200,
        error={error.field or "form": refusal(error)} if error else {},
        values=request.form,
        roles=list(Role),
        units=open_units(),
        members=open_members(),
    )


def _issued(user_id: int, password: str, created: bool) -> Response:
    user = db.session.get(User, user_id)
    return render("accounts/issued.html", account=user, password=password, created=created)


def _named_account(user_id: int) -> None:
    """The form names the account it was shown for: a stale page or a bare POST does nothing."""
    user = db.session.get(User, user_id)
    if user is None:
        raise AccountRefused("no_account", 404)
    if request.form.get("username", "") != user.username:
        raise AccountRefused("stale_form", 422)


@bp.post("/<int:user_id>/reset")
@roles_required(Role.ADMIN)
def reset(user_id: int) -> Response:
    try:
        _named_account(user_id)
        password = reset_password(actor_of(current_user), user_id)
    except AccountRefused as refused:
        return _list(refused)
    return _issued(user_id, password, created=False)


@bp.post("/<int:user_id>/active")
@roles_required(Role.ADMIN)
def active(user_id: int) -> Response:
    """Disable (``active=0``: every session of the account ends) or enable (``active=1``)."""
    try:
        _named_account(user_id)
        choice = request.form.get("active", "")
        if choice not in ("0", "1"):
            raise AccountRefused("stale_form", 422)
        set_active(actor_of(current_user), user_id, choice == "1")
    except AccountRefused as refused:
        return _list(refused)
    flash(_("Account enabled.") if choice == "1" else _("Account disabled: its sessions have ended."))
    return redirect(url_for(".index"), 303)
