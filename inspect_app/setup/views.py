"""First-run setup (``/setup``): on an empty database nothing else answers until the mine has its names, its
time zone and its first administrator. Then ``/setup/mine`` lets an administrator correct them."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app.audit import actor_of
from inspect_app.domain.enums import Role
from inspect_app.domain.mine import COMMON_ZONES
from inspect_app.htmx import render
from inspect_app.security import public, rate_limited, roles_required
from inspect_app.tenancy import outside_mines

from . import messages
from .forms import check_key, parse_admin, parse_mine
from .services import MineInfo, SetupRefused, has_accounts, init_mine, mine_info, update_mine

bp = Blueprint("setup", __name__, url_prefix="/setup")

#: what answers before the mine is set up: the setup page itself and the files it needs
OPEN_BEFORE_SETUP = frozenset({"setup.start", "static"})


@bp.before_app_request
def require_setup() -> Response | None:
    if request.endpoint in OPEN_BEFORE_SETUP or outside_mines() or mine_info() is not None:
        return None
    return redirect(url_for("setup.start"), 303)


@bp.app_context_processor
def _the_mine() -> dict[str, MineInfo | None]:
    """Every page names the mine it belongs to (title, header)."""
    return {"mine": mine_info()}


def _page(status: int, errors: dict[str, str], needs_admin: bool) -> Response:
    return render(
        "setup/start.html", status=status, errors=errors, needs_admin=needs_admin, zones=COMMON_ZONES,
        form=request.form if request.method == "POST" else None, done=False,
    )  # fmt: skip


@bp.route("/", methods=["GET", "POST"])
@public
@rate_limited(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def start() -> Response:
    if mine_info() is not None:
        return render("setup/start.html", status=409, done=True, message=messages.refused("done"))
    needs_admin = not has_accounts()
    if request.method == "GET":
        return _page(200, {}, needs_admin)
    errors = check_key(request.form)
    fields, mine_errors = parse_mine(request.form)
    admin, admin_errors = parse_admin(request.form) if needs_admin else (None, {})
    errors |= mine_errors | admin_errors
    if errors:
        return _page(422, errors, needs_admin)
    try:
        init_mine(fields, admin)
    except SetupRefused as refused:
        if refused.code == "done":
            return render("setup/start.html", status=409, done=True, message=messages.refused("done"))
        return _page(refused.status, {"form": messages.refused(refused.code)}, needs_admin)
    flash(_("%(mine)s is set up. Log in as its administrator.", mine=fields.short_name))
    return redirect(url_for("auth.login"), 303)


@bp.route("/mine", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings() -> Response:
    info = mine_info()
    if request.method == "GET":
        return render("setup/settings.html", info=info, errors={}, zones=COMMON_ZONES, form=None)
    fields, errors = parse_mine(request.form)
    if not errors:
        try:
            update_mine(actor_of(current_user), fields)
        except SetupRefused as refused:
            errors = {"form": messages.refused(refused.code)}
    if errors:
        return render(
            "setup/settings.html", status=422, info=info, errors=errors, zones=COMMON_ZONES, form=request.form
        )
    flash(_("Saved."))
    return redirect(url_for("setup.settings"), 303)
