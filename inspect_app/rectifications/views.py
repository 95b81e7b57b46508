"""整改 for staff: raise from a check, assign, report done with after-photos, list overdue first, print the
整改通知单 (HTML and PDF) and export the 台账. Re-checks happen on the signed form of the next check
(``templates/field/_rechecks.html``)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app import clock
from inspect_app.audit import Actor, actor_of
from inspect_app.documents.services import print_response
from inspect_app.domain.enums import RectStatus, Role
from inspect_app.domain.rectification import RectDraft, RectRefused, is_overdue
from inspect_app.errors import error_response
from inspect_app.evidence.services import before_photos
from inspect_app.extensions import db
from inspect_app.field.forms import read_photos
from inspect_app.field.services import SubmitRefused
from inspect_app.field.sheet_form import problem_message
from inspect_app.htmx import render
from inspect_app.models import AuditEntry, Rectification, Unit
from inspect_app.params import key
from inspect_app.rounds.services import may_organise
from inspect_app.security import SUPERVISORS, roles_required

from . import exports
from .messages import STATUS_CODES, action_label, refused, status_label
from .services import (
    assign,
    checker_choices,
    complete,
    listed,
    overdue_count,
    raise_rectifications,
    responsible_choices,
)
from .sources import Source, SourceLine, load_source

bp = Blueprint("rectifications", __name__, url_prefix="/rectifications")
STATES = ("", "overdue", "open", "closed")


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {
        "rect_status": status_label,
        "rect_action": action_label,
        "overdue_total": _overdue_total,
        "rect_overdue": lambda r: is_overdue(RectStatus(r.status), r.deadline, clock.today()),
    }


def _overdue_total() -> int:
    """For the menu (called only where the menu is drawn): overdue fixes this user answers for."""
    if not current_user.is_authenticated or current_user.role not in SUPERVISORS:
        return 0
    unit = current_user.unit_id if current_user.role == Role.BRANCH_SECRETARY else None
    return overdue_count(clock.today(), unit)


def _actor() -> Actor:
    return actor_of(current_user)


def _fail(error: RectRefused) -> Response:
    status = STATUS_CODES.get(error.code, 422)
    body, _status = error_response(status, refused(error.code, error.field), error.code)
    response = current_app.response_class(body) if isinstance(body, str) else body
    response.status_code = status
    return response


def _units() -> list[Unit]:
    stmt = select(Unit).order_by(Unit.name)
    if current_user.role == Role.BRANCH_SECRETARY:
        stmt = stmt.where(Unit.id == current_user.unit_id)
    return list(db.session.scalars(stmt))


@bp.get("/")
@roles_required(*SUPERVISORS)
def index() -> Response:
    unit_id = request.args.get("unit", type=key)
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    post = request.args.get("post", "").strip().upper()[:8]
    rows = listed(_actor(), clock.today(), unit_id, post, state)
    return render(
        "rectifications/index.html",
        rows=rows,
        units=_units(),
        unit_id=unit_id,
        state=state,
        post=post,
        today=clock.today(),
    )


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise RectRefused("bad_date", "deadline") from None


def _picks(source: Source) -> list[tuple[SourceLine, RectDraft]]:
    form = request.form
    chosen = set(form.getlist("line"))
    picks = []
    for line in source.lines:
        if line.key in chosen:
            k = line.key
            draft = RectDraft(
                form.get(f"problem-{k}", ""),
                form.get(f"measures-{k}", ""),
                _date(form.get(f"deadline-{k}", "")),
                form.get(f"responsible-{k}", ""),
                form.get(f"checker-{k}", ""),
            )
            picks.append((line, draft))
    return picks


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def new() -> Response:
    """Raise rectifications for the chosen deductions of one post in one round (or one signed sheet)."""
    try:
        source = load_source(
            _actor(),
            request.args.get("round", type=key) or 0,
            request.args.get("post", ""),
            request.args.get("sheet", type=key),
        )
    except RectRefused as not_found:
        return _fail(not_found)
    error: tuple[str, str] | None = None
    if request.method == "POST":
        try:
            ids = raise_rectifications(_actor(), source, _picks(source), clock.today())
        except RectRefused as refusal:
            error = (refusal.field, refused(refusal.code, refusal.field))
        else:
            flash(_("%(n)d rectifications issued.", n=len(ids)))
            return redirect(url_for(".index", post=source.post.code), 303)
    leader = source.post.demonstrators[0].member.name if source.post.demonstrators else ""
    return render(
        "rectifications/new.html",
        status=422 if error else 200,
        source=source,
        error=error,
        values=request.form,
        leader=leader,
        people=responsible_choices(source.post.unit_id),
        checkers=checker_choices(),
        default_deadline=clock.today() + timedelta(days=7),
    )


def _visible(rect_id: int) -> Rectification:
    rect = db.session.get(Rectification, rect_id)
    if rect is None:
        abort(404)
    if not may_organise(_actor(), rect.unit_id):
        abort(403)
    return rect


@bp.get("/<int:rect_id>")
@roles_required(*SUPERVISORS)
def show(rect_id: int) -> Response:
    return _detail(_visible(rect_id))


def _detail(rect: Rectification, error: tuple[str, str] | None = None) -> Response:
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "rectification", AuditEntry.entity_id == str(rect.id))
        .order_by(AuditEntry.id)
    )
    response = render(
        "rectifications/show.html",
        rect=rect,
        history=list(history),
        error=error,
        people=responsible_choices(rect.unit_id),
        before=before_photos(rect.round_id, rect.post_id, rect.sheet_id, rect.item_id),
        values=request.form,
        today=clock.today(),
    )
    if error:
        response.status_code = 422
    return response


@bp.post("/<int:rect_id>/assign")
@roles_required(*SUPERVISORS)
def assign_view(rect_id: int) -> Response:
    rect = _visible(rect_id)
    try:
        assign(
            _actor(),
            rect_id,
            request.form.get("responsible", ""),
            _date(request.form.get("deadline", "")),
            clock.today(),
        )
    except RectRefused as error:
        if error.code in STATUS_CODES:
            return _fail(error)
        return _detail(rect, (error.field, refused(error.code, error.field)))
    flash(_("The rectification is assigned to %(who)s.", who=request.form.get("responsible", "").strip()))
    return redirect(url_for(".show", rect_id=rect_id), 303)


@bp.post("/<int:rect_id>/complete")
@roles_required(*SUPERVISORS)
def complete_view(rect_id: int) -> Response:
    rect = _visible(rect_id)
    try:
        photos = read_photos(request.files, current_app.config["MAX_PHOTOS_PER_SHEET"])
        complete(_actor(), rect_id, request.form.get("note", ""), photos, clock.today())
    except SubmitRefused as bad_photo:
        response = _detail(rect, ("photo", problem_message(bad_photo.problems[0])))
        response.status_code = bad_photo.status
        return response
    except RectRefused as error:
        if error.code in STATUS_CODES:
            return _fail(error)
        return _detail(rect, (error.field, refused(error.code, error.field)))
    flash(_("Reported done. The next check of the post re-checks it."))
    return redirect(url_for(".show", rect_id=rect_id), 303)


@bp.get("/<int:rect_id>/notice")
@roles_required(*SUPERVISORS)
def notice(rect_id: int) -> Response:
    """整改通知单 as a print page (phones whose browser opens no PDF)."""
    rect = _visible(rect_id)
    return print_response(
        exports.documents([rect]),
        url_for("rectifications.notice_pdf", rect_id=rect_id),
        url_for("rectifications.show", rect_id=rect_id),
    )


@bp.get("/<int:rect_id>.pdf")
@roles_required(*SUPERVISORS)
def notice_pdf(rect_id: int) -> Response:
    rect = _visible(rect_id)
    return exports.pdf_response([rect], f"rectification-{rect.number}.pdf")


@bp.get("/unit/<int:unit_id>.pdf")
@roles_required(*SUPERVISORS)
def unit_pdf(unit_id: int) -> Response:
    """Every open rectification of a unit, one notice per page."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if not may_organise(_actor(), unit_id):
        abort(403)
    rows = listed(_actor(), clock.today(), unit_id, state="open")
    return exports.pdf_response(rows, f"rectifications-unit-{unit_id}.pdf")


@bp.get("/ledger.xlsx")
@roles_required(*SUPERVISORS)
def ledger() -> Response:
    """整改台账: what the list shows, as a spreadsheet."""
    state = request.args.get("state", "")
    rows = listed(
        _actor(),
        clock.today(),
        request.args.get("unit", type=key),
        request.args.get("post", "").strip().upper()[:8],
        state if state in STATES else "",
    )
    return exports.ledger_response(rows, clock.today())
