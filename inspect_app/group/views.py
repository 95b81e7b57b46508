"""The group's own area (``/group/``, group mode only): its administrators log in here, add mines from a
spreadsheet, publish the group's standards to every mine and compare the mines' years. No page here reads a
sheet: the comparison asks each mine for its rates (``reviews.annual.mine_summary``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from inspect_app import clock, tables
from inspect_app.audit import Actor
from inspect_app.domain.enums import Profession, values
from inspect_app.domain.group import HEADERS, check_mine_rows
from inspect_app.domain.passwords import MIN_LENGTH
from inspect_app.domain.standards import StandardRejected, check_items
from inspect_app.domain.text import form_text
from inspect_app.htmx import render
from inspect_app.security import login_limited, public, rate_limited
from inspect_app.standards.exchange import read_upload
from inspect_app.tables_in import FileRefused
from inspect_app.tables_in import read_upload as read_table

from . import messages
from .compare import compare
from .services import (
    GROUP_ADMIN,
    MINES_LAYOUT,
    GroupRefused,
    add_mines,
    add_standard,
    authenticate,
    change_password,
    end_sessions,
    load_group_user,
    mine_codes,
    mines,
    publish,
    standards,
)

bp = Blueprint("group", __name__, url_prefix="/group")
F = TypeVar("F", bound=Callable[..., Any])
#: refusals of a password change that are not the password rules' own
REFUSALS = frozenset({"wrong_password", "mismatch"})


def group_required(view: F) -> F:
    """Only a group administrator (logged in at /group/login); anyone else: the group's login page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or current_user.role != GROUP_ADMIN:
            return redirect(url_for("group.login", next=request.path), 302)
        if current_user.must_change_password and request.endpoint not in ("group.password", "group.logout"):
            flash(_("Choose your own password first."))
            return redirect(url_for("group.password"), 303)
        return view(*args, **kwargs)

    wrapper.access = frozenset({GROUP_ADMIN})  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _actor() -> Actor:
    return Actor(None, f"{current_user.display_name}（集团）", GROUP_ADMIN)


def _account() -> str:
    """The per-account limit's key: the username as typed (never a password)."""
    return "group-login:" + request.form.get("username", "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limited(_account)
def login() -> Response:
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("username", "")[:64], request.form.get("password", "")[:256])
        loaded = load_group_user(user.id, user.session_version) if user else None
        if loaded is not None:
            login_user(loaded)
            target = request.args.get("next", "")
            safe = target.startswith("/group/") and "//" not in target and "\\" not in target
            return redirect(target if safe else url_for("group.index"), 303)
        error = _("Wrong username or password.")
    return render("group/login.html", error=error, status=422 if error else 200)


@bp.post("/logout")
@group_required
def logout() -> Response:
    end_sessions(current_user.id)
    logout_user()
    return redirect(url_for("group.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@group_required
@rate_limited(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def password() -> Response:
    error = None
    if request.method == "POST":
        form = request.form
        try:
            version = change_password(
                current_user,
                form.get("current", "")[:256],
                form.get("new", "")[:256],
                form.get("repeat", "")[:256],
            )
        except GroupRefused as refused:
            error = (
                messages.refused(refused.code)
                if refused.code in REFUSALS
                else messages.password(refused.code)
            )
        else:
            user = load_group_user(current_user.id, version)
            if user is not None:
                login_user(user)
            flash(_("Your password has been changed."))
            return redirect(url_for("group.index"), 303)
    return render("group/password.html", error=error, min_length=MIN_LENGTH, status=422 if error else 200)


@bp.get("/")
@group_required
def index() -> Response:
    """The mines compared over a year or one of its quarters: their posts' period results, self-check
    completion, rectification closure, and the weighted result (``domain.annual``), best first."""
    today = clock.today()
    year = request.args.get("year", type=int) or today.year
    quarter = request.args.get("quarter", type=int)
    if not 2000 <= year <= today.year + 1 or quarter not in (None, 1, 2, 3, 4):
        abort(404)
    return render(
        "group/index.html", year=year, quarter=quarter, rows=compare(year, quarter),
        years=range(today.year, today.year - 5, -1),
    )  # fmt: skip


@bp.get("/mines")
@group_required
def mine_list() -> Response:
    return render("group/mines.html", mines=mines(active_only=False), problems=[], added=[], status=200)


@bp.post("/mines/import")
@group_required
def import_mines() -> Response:
    """Mines and their first administrators from one sheet; any problem refuses the whole file."""
    upload = request.files.get("file")
    problems: list[str] = []
    added = []
    try:
        if upload is None or not upload.filename:
            raise FileRefused("unknown_type")
        rows = read_table(upload.filename, upload.read(), MINES_LAYOUT)
    except FileRefused as refused:
        problems = [messages.file_problem(refused)]
    else:
        found, bad = check_mine_rows(rows, mine_codes())
        problems = [messages.row_problem(p) for p in bad]
        if not problems:
            try:
                added = add_mines(found)
            except GroupRefused as refused:
                problems = [messages.refused(refused.code)]
    status = 422 if problems else 200
    return render(
        "group/mines.html", mines=mines(active_only=False), problems=problems, added=added, status=status
    )


@bp.get("/mines/template.<fmt>")
@group_required
def mines_template(fmt: str) -> Response:
    example = [
        [
            "yangzhuang",
            "山东能源集团杨庄煤矿",
            "杨庄煤矿",
            "yz_admin",
            "刘建国",
            "",
            "Asia/Shanghai",
            "",
            "杨矿党发",
        ]
    ]
    if fmt == "csv":
        body, mimetype = tables.to_csv(HEADERS, example), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = tables.to_xlsx("矿井", HEADERS, example, [12, 24, 12, 12, 10, 20, 14, 28, 10])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename=mines.{fmt}"}
    )


@bp.get("/standards")
@group_required
def standard_list() -> Response:
    return _standards_page([], 200)


def _standards_page(problems: list[str], status: int, published: Any = None) -> Response:
    return render(
        "group/standards.html", standards=standards(), problems=problems, professions=list(Profession),
        published=published, form=request.form, status=status,
    )  # fmt: skip


@bp.post("/standards")
@group_required
def upload_standard() -> Response:
    """A group standard from the mines' own score-sheet format: a new one, or a new edition of one."""
    title, hidden = form_text(request.form.get("title", ""))
    profession = request.form.get("profession", "")
    problems: list[str] = []
    if not title or len(title) > 128 or hidden:
        problems.append(_("Give the standard a title of at most 128 characters."))
    if profession not in values(Profession):
        problems.append(_("Choose a profession."))
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise FileRefused("unknown_type")
        items = check_items(read_upload(upload.filename, upload.read()))
    except (StandardRejected, FileRefused) as error:
        problems += messages.standard_problems(error)
    if problems:
        return _standards_page(problems, 422)
    try:
        add_standard(title, profession, items, request.form.get("note", "")[:500])
    except GroupRefused as refused:
        return _standards_page([messages.refused(refused.code)], refused.status)
    flash(_("The group standard is saved. Publish it to the mines."))
    return redirect(url_for("group.standard_list"), 303)


@bp.post("/standards/versions/<int:version_id>/publish")
@group_required
def publish_version(version_id: int) -> Response:
    try:
        published = publish(_actor(), version_id)
    except GroupRefused as refused:
        abort(refused.status)
    return _standards_page([], 200, published)
