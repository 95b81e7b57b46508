"""Standards (考核标准): everyone on staff reads them (参检人员人手一份标准); the committee and the
administrator edit them (a new version each time), import and export them as XLSX or CSV."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from inspect_app.audit import actor_of
from inspect_app.domain.enums import Profession, Role, values
from inspect_app.domain.standards import HEADERS, ItemDraft, StandardRejected, check_items, sections
from inspect_app.domain.text import form_text
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.i18n import hidden_message
from inspect_app.models import Standard, StandardVersion
from inspect_app.security import ALL_ROLES, roles_required

from . import messages
from .exchange import TEMPLATE, FileRefused, ItemLike, item_rows, read_upload, to_csv, to_xlsx
from .services import StandardRefused, add_version, create_standard

bp = Blueprint("standards", __name__, url_prefix="/standards")

EDITORS = (Role.ADMIN, Role.COMMITTEE)
BLANK_ROWS = 5


@bp.get("/")
@roles_required(*ALL_ROLES)
def index() -> Response:
    standards = db.session.scalars(
        select(Standard)
        .options(selectinload(Standard.versions).selectinload(StandardVersion.items))
        .order_by(Standard.profession, Standard.id)
    ).all()
    return render("standards/index.html", standards=standards, may_edit=current_user.role in EDITORS)


def _version(standard_id: int, number: str | None) -> tuple[Standard, StandardVersion]:
    standard = db.session.get(Standard, standard_id)
    if standard is None or not standard.versions:
        abort(404)
    if not number:
        return standard, standard.versions[-1]
    found = next((v for v in standard.versions if str(v.number) == number), None)
    if found is None:
        abort(404)
    return standard, found


@bp.get("/<int:standard_id>")
@roles_required(*ALL_ROLES)
def show(standard_id: int) -> Response:
    standard, version = _version(standard_id, request.args.get("v"))
    return _show(standard, version)


def _show(
    standard: Standard, version: StandardVersion, problems: Sequence[str] = (), status: int = 200
) -> Response:
    return render(
        "standards/show.html",
        status=status,
        standard=standard,
        version=version,
        sections=sections(version.items),
        may_edit=current_user.role in EDITORS and standard.group_standard_id is None,
        problems=problems,
    )


def _group_owns(standard: Standard, version: StandardVersion) -> Response:
    message = _("The group's standard: its editions come from the group. Add a standard of the mine's own.")
    return _show(standard, version, [message], 409)


def _problems(error: StandardRejected | FileRefused) -> list[str]:
    if isinstance(error, FileRefused):
        return [messages.file_problem(error)]
    return [messages.problem(p) for p in error.problems]


def _numbered_rows(form: MultiDict[str, str]) -> list[tuple[int, list[str]]]:
    """Rows of the edit form (``row-<n>-<header index>``), numbered as shown on the page."""
    count = min(int(form["rows"]) if form.get("rows", "").isdigit() else 0, 400)
    return [(n, [form.get(f"row-{n}-{i}", "") for i in range(len(HEADERS))]) for n in range(1, count + 1)]


def _items_from(form: MultiDict[str, str]) -> list[ItemDraft]:
    return check_items([(n, dict(zip(HEADERS, cells, strict=True))) for n, cells in _numbered_rows(form)])


@bp.route("/<int:standard_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(standard_id: int) -> Response:
    """Edit the latest version's items in a table; saving makes a new version."""
    standard, version = _version(standard_id, None)
    if standard.group_standard_id is not None:
        return _group_owns(standard, version)
    problems: list[str] = []
    if request.method == "POST":
        try:
            items = _items_from(request.form)
            number = add_version(
                actor_of(current_user), standard_id, items, request.form.get("note", "")[:500]
            )
        except (StandardRejected, StandardRefused) as error:
            problems = _problems(error) if isinstance(error, StandardRejected) else [_("Not saved.")]
        else:
            flash(_("Saved as version %(n)d.", n=number))
            return redirect(url_for("standards.show", standard_id=standard_id), 303)
    rows = _form_rows(request.form) if request.method == "POST" else item_rows(version.items)
    return render(
        "standards/edit.html",
        status=422 if problems else 200,
        standard=standard,
        version=version,
        rows=rows + [[""] * len(HEADERS)] * BLANK_ROWS,
        headers=HEADERS,
        problems=problems,
        note=request.form.get("note", ""),
    )


def _form_rows(form: MultiDict[str, str]) -> list[list[str]]:
    """What was typed, blank rows dropped, to show the form again."""
    return [cells for _, cells in _numbered_rows(form) if any(v.strip() for v in cells)]


def _upload_items() -> list[ItemDraft]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise FileRefused("unknown_type")
    return check_items(read_upload(upload.filename, upload.read()))


@bp.post("/<int:standard_id>/import")
@roles_required(*EDITORS)
def import_version(standard_id: int) -> Response:
    """A file replaces the items as a new version; any problem leaves the standard as it was."""
    standard, version = _version(standard_id, None)
    if standard.group_standard_id is not None:
        return _group_owns(standard, version)
    try:
        items = _upload_items()
        number = add_version(actor_of(current_user), standard_id, items, request.form.get("note", "")[:500])
    except (StandardRejected, FileRefused) as error:
        return _show(standard, version, _problems(error), 422)
    flash(_("Imported as version %(n)d.", n=number))
    return redirect(url_for("standards.show", standard_id=standard_id), 303)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new() -> Response:
    problems: list[str] = []
    title, hidden = form_text(request.form.get("title", ""))
    profession = request.form.get("profession", "")
    if request.method == "POST":
        if not title or len(title) > 128:
            problems.append(_("Give the standard a title of at most 128 characters."))
        elif hidden:
            problems.append(hidden_message())
        if profession not in values(Profession):
            problems.append(_("Choose a profession."))
        try:
            items = _upload_items()
        except (StandardRejected, FileRefused) as error:
            problems += _problems(error)
        if not problems:
            try:
                standard_id = create_standard(actor_of(current_user), title, profession, items, "")
            except StandardRefused:
                problems.append(_("A standard with this title already exists."))
            else:
                flash(_("Standard created."))
                return redirect(url_for("standards.show", standard_id=standard_id), 303)
    return render(
        "standards/new.html",
        status=422 if problems else 200,
        problems=problems,
        title=title,
        profession=profession,
        professions=list(Profession),
    )


@bp.get("/template.<fmt>")
@roles_required(*EDITORS)
def template(fmt: str) -> Response:
    """An example score sheet in the import format: sections, long texts, several rules in one 评分办法."""
    return _download(TEMPLATE, "标准模板", f"standard-template.{fmt}", fmt)


def _download(items: Sequence[ItemLike], title: str, name: str, fmt: str) -> Response:
    if fmt == "csv":
        body, mimetype = to_csv(items), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = to_xlsx(items, title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/<int:standard_id>/export.<fmt>")
@roles_required(*ALL_ROLES)
def export(standard_id: int, fmt: str) -> Response:
    standard, version = _version(standard_id, request.args.get("v"))
    return _download(version.items, standard.title, f"standard-{standard_id}-v{version.number}.{fmt}", fmt)
