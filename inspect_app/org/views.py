"""The mine's organisation (组织机构) and member roster (党员花名册): units, Party branches, members, and the
organisation department's spreadsheets imported all or nothing.

The organisation department, the Party committee and the administrator change it; a branch secretary reads
their own unit's members only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app.audit import actor_of
from inspect_app.domain.enums import Role, Standing, UnitKind, UnitProfession
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import Branch, Member, Unit
from inspect_app.params import key
from inspect_app.security import roles_required

from . import messages, queries, services
from .forms import parse_branch, parse_member, parse_unit
from .samples import sample_file
from .services import ImportRefused, OrgRefused

bp = Blueprint("org", __name__, url_prefix="/org")

EDITORS = (Role.ADMIN, Role.COMMITTEE, Role.HR)
READERS = (*EDITORS, Role.BRANCH_SECRETARY)
IMPORTS = {"units": services.import_units, "members": services.import_members}


def _done(message: str, endpoint: str, **values: Any) -> Response:
    flash(message)
    return redirect(url_for(endpoint, **values), 303)


@bp.get("/")
@roles_required(*EDITORS)
def index() -> Response:
    """Units and branches, open ones first."""
    return render(
        "org/index.html",
        units=queries.units(),
        branches=queries.branches(),
        counts=queries.member_counts(),
    )


# --- units ------------------------------------------------------------------------------------------------


def _unit_page(unit: Unit | None, status: int = 200, errors: dict[str, str] | None = None) -> Response:
    return render(
        "org/unit.html",
        status=status,
        unit=unit,
        errors=errors or {},
        form=request.form if request.method == "POST" else None,
        kinds=list(UnitKind),
        professions=list(UnitProfession),
        branch_names=queries.open_branch_names(),
        former=queries.former_names(unit.id) if unit else [],
        references=messages.references(services.unit_references(unit.id)) if unit else "",
    )


@bp.route("/units/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def unit_new() -> Response:
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = parse_unit(request.form)
        if data is not None:
            try:
                unit_id = services.add_unit(actor_of(current_user), data)
            except OrgRefused as refused:
                errors = {"form": messages.refusal(refused)}
            else:
                return _done(_("Unit added."), "org.unit", unit_id=unit_id)
    return _unit_page(None, 422 if errors else 200, errors)


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    return unit


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def unit(unit_id: int) -> Response:
    """A unit: edit (a rename keeps the former name in its history), close, or delete while unused."""
    found = _unit(unit_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = parse_unit(request.form)
        if data is not None:
            try:
                services.edit_unit(actor_of(current_user), unit_id, data)
            except OrgRefused as refused:
                errors = {"form": messages.refusal(refused)}
            else:
                return _done(_("Saved."), "org.unit", unit_id=unit_id)
    return _unit_page(found, 422 if errors else 200, errors)


@bp.post("/units/<int:unit_id>/close")
@roles_required(*EDITORS)
def unit_close(unit_id: int) -> Response:
    try:
        services.close_unit(actor_of(current_user), unit_id)
    except OrgRefused as refused:
        return _unit_page(_unit(unit_id), refused.status, {"form": messages.refusal(refused)})
    return _done(_("The unit is closed."), "org.unit", unit_id=unit_id)


@bp.post("/units/<int:unit_id>/delete")
@roles_required(*EDITORS)
def unit_delete(unit_id: int) -> Response:
    try:
        services.delete_unit(actor_of(current_user), unit_id)
    except OrgRefused as refused:
        return _unit_page(_unit(unit_id), refused.status, {"form": messages.refusal(refused)})
    return _done(_("The unit was deleted."), "org.index")


# --- branches ---------------------------------------------------------------------------------------------


def _branch_page(branch: Branch | None, status: int = 200, errors: dict[str, str] | None = None) -> Response:
    return render(
        "org/branch.html",
        status=status,
        branch=branch,
        errors=errors or {},
        form=request.form if request.method == "POST" else None,
        units=queries.branch_units(branch.id) if branch else [],
    )


@bp.route("/branches/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def branch_new() -> Response:
    errors: dict[str, str] = {}
    if request.method == "POST":
        name, errors = parse_branch(request.form)
        if name is not None:
            try:
                branch_id = services.add_branch(actor_of(current_user), name)
            except OrgRefused as refused:
                errors = {"form": messages.refusal(refused)}
            else:
                return _done(_("Branch added."), "org.branch", branch_id=branch_id)
    return _branch_page(None, 422 if errors else 200, errors)


def _branch(branch_id: int) -> Branch:
    branch = db.session.get(Branch, branch_id)
    if branch is None:
        abort(404)
    return branch


@bp.route("/branches/<int:branch_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def branch(branch_id: int) -> Response:
    found = _branch(branch_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        name, errors = parse_branch(request.form)
        if name is not None:
            try:
                services.rename_branch(actor_of(current_user), branch_id, name)
            except OrgRefused as refused:
                errors = {"form": messages.refusal(refused)}
            else:
                return _done(_("Saved."), "org.branch", branch_id=branch_id)
    return _branch_page(found, 422 if errors else 200, errors)


@bp.post("/branches/<int:branch_id>/close")
@roles_required(*EDITORS)
def branch_close(branch_id: int) -> Response:
    try:
        services.close_branch(actor_of(current_user), branch_id)
    except OrgRefused as refused:
        return _branch_page(_branch(branch_id), refused.status, {"form": messages.refusal(refused)})
    return _done(_("The branch is closed."), "org.branch", branch_id=branch_id)


@bp.post("/branches/<int:branch_id>/delete")
@roles_required(*EDITORS)
def branch_delete(branch_id: int) -> Response:
    try:
        services.delete_branch(actor_of(current_user), branch_id)
    except OrgRefused as refused:
        return _branch_page(_branch(branch_id), refused.status, {"form": messages.refusal(refused)})
    return _done(_("The branch was deleted."), "org.index")


# --- members ----------------------------------------------------------------------------------------------


def _own_unit() -> int | None:
    """A branch secretary's unit: the only one whose members they may read."""
    return current_user.unit_id if current_user.role == Role.BRANCH_SECRETARY else None


def _roster_query(own: int | None) -> tuple[queries.RosterQuery, str]:
    unit_code = request.args.get("unit", "")[:16]
    unit_id = own
    if own is None and unit_code:
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == unit_code)) or 0
    page = min(request.args.get("page", 1, type=key), 10_000)
    text = " ".join(request.args.get("q", "").split())[:32]
    return queries.RosterQuery(text, unit_id, request.args.get("closed") == "1", page), unit_code


@bp.get("/members")
@roles_required(*READERS)
def members() -> Response:
    """The roster: search by name, 工号, job or unit; 50 a page; members who left on request."""
    own = _own_unit()
    query, unit_code = _roster_query(own)
    found, total = queries.roster_page(query)
    return render(
        "org/members.html",
        "roster",
        members=found,
        total=total,
        query=query,
        unit_code=unit_code,
        units=[] if own else queries.units(),
        pages=max(1, -(-total // queries.PAGE)),
        may_edit=current_user.role in EDITORS,
    )


def _member(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    own = _own_unit()
    if own is not None and member.unit_id != own:
        abort(403)
    return member


@bp.get("/members/<int:member_id>")
@roles_required(*READERS)
def member(member_id: int) -> Response:
    return render("org/member.html", member=_member(member_id), may_edit=current_user.role in EDITORS)


def _member_form(member: Member | None, status: int, errors: dict[str, str]) -> Response:
    return render(
        "org/member_form.html",
        status=status,
        member=member,
        errors=errors,
        form=request.form if request.method == "POST" else None,
        units=[u for u in queries.units() if u.closed_on is None or (member and u.id == member.unit_id)],
        standings=list(Standing),
    )


@bp.route("/members/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def member_new() -> Response:
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = parse_member(request.form)
        if data is not None:
            try:
                member_id = services.add_member(actor_of(current_user), data)
            except OrgRefused as refused:
                errors = {"form": messages.refusal(refused)}
            else:
                return _done(_("Member added."), "org.member", member_id=member_id)
    return _member_form(None, 422 if errors else 200, errors)


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def member_edit(member_id: int) -> Response:
    found = _member(member_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = parse_member(request.form)
        if data is not None:
            try:
                services.edit_member(actor_of(current_user), member_id, data)
            except OrgRefused as refused:
                errors = {"form": messages.refusal(refused)}
            else:
                return _done(_("Saved."), "org.member", member_id=member_id)
    return _member_form(found, 422 if errors else 200, errors)


@bp.post("/members/<int:member_id>/close")
@roles_required(*EDITORS)
def member_close(member_id: int) -> Response:
    """Left the unit or the mine: kept on the roster as closed, never deleted."""
    found = _member(member_id)
    try:
        services.close_member(actor_of(current_user), member_id)
    except OrgRefused as refused:
        error = messages.refusal(refused)
        return render("org/member.html", status=refused.status, member=found, may_edit=True, error=error)
    return _done(_("Marked as left."), "org.member", member_id=member_id)


# --- imports ----------------------------------------------------------------------------------------------


@bp.get("/import")
@roles_required(*EDITORS)
def import_page() -> Response:
    return render("org/import.html")


def _imported(kind: str, report: services.ImportReport) -> Response:
    text = _("Imported: %(added)d added, %(updated)d updated, %(unchanged)d unchanged.", added=report.added,
             updated=report.updated, unchanged=report.unchanged)  # fmt: skip
    if report.branches_added:
        text += " " + _("New Party branches: %(names)s.", names="、".join(report.branches_added))
    return _done(text, "org.members" if kind == "members" else "org.index")


@bp.post("/import/<kind>")
@roles_required(*EDITORS)
def import_file(kind: str) -> Response:
    """One file, all or nothing: the page lists every problem with its row and column."""
    if kind not in IMPORTS:
        abort(404)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ImportRefused("unknown_type", 400)
        report = IMPORTS[kind](actor_of(current_user), upload.filename, upload.read())
    except OrgRefused as refused:
        problems = (
            messages.import_problems(refused)
            if isinstance(refused, ImportRefused)
            else [messages.refusal(refused)]
        )
        return render("org/import.html", status=refused.status, kind=kind, problems=problems)
    return _imported(kind, report)


@bp.get("/templates/<kind>.<fmt>")
@roles_required(*EDITORS)
def template(kind: str, fmt: str) -> Response:
    """An import file with the header row and one example row, to fill in."""
    found = sample_file(kind, fmt)
    if found is None:
        abort(404)
    body, mimetype = found
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}.{fmt}"'
    return response
