"""通报 notices for staff: draft from a sealed round, edit, publish with a number, print (HTML or PDF)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app import clock
from inspect_app.audit import actor_of
from inspect_app.documents.services import issuing_mine, pdf_response, print_response
from inspect_app.domain.documents import Document
from inspect_app.domain.text import form_text
from inspect_app.errors import refuse
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.i18n import hidden_message
from inspect_app.models import Notice
from inspect_app.rounds.messages import refused as refused_message
from inspect_app.rounds.services import RoundRefused, may_organise
from inspect_app.security import SUPERVISORS, roles_required

from .services import draft_notice, edit_notice, may_see, notice_document

bp = Blueprint("notices", __name__, url_prefix="/notices")
LIMITS = {"title": 128, "praise": 5000, "criticism": 5000, "revocation": 5000}


def _visible(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        abort(404)
    if not may_see(actor_of(current_user), notice):
        abort(403)
    return notice


@bp.get("/")
@roles_required(*SUPERVISORS)
def index() -> Response:
    notices = db.session.scalars(
        select(Notice).order_by(Notice.year.desc(), Notice.seq.desc(), Notice.id.desc())
    )
    actor = actor_of(current_user)
    return render("notices/index.html", notices=[n for n in notices if may_see(actor, n)])


@bp.post("/draft/<int:round_id>")
@roles_required(*SUPERVISORS)
def draft(round_id: int) -> Response:
    try:
        notice_id = draft_notice(actor_of(current_user), round_id)
    except RoundRefused as refused:
        refuse(refused.status, refused_message(refused.code))
    return redirect(url_for("notices.show", notice_id=notice_id), 303)


@bp.get("/<int:notice_id>")
@roles_required(*SUPERVISORS)
def show(notice_id: int) -> Response:
    notice = _visible(notice_id)
    editable = notice.status == "draft" and may_organise(actor_of(current_user), notice.unit_id)
    return render("notices/show.html", notice=notice, number=_number(notice), editable=editable, errors={})


@bp.post("/<int:notice_id>")
@roles_required(*SUPERVISORS)
def edit(notice_id: int) -> Response:
    notice = _visible(notice_id)
    checked = {k: form_text(request.form.get(k, "")) for k in LIMITS}
    fields = {k: value for k, (value, _hidden) in checked.items()}
    errors = {k: _("At most %(n)d characters.", n=n) for k, n in LIMITS.items() if len(fields[k]) > n}
    errors |= {k: hidden_message() for k, (_value, hidden) in checked.items() if hidden}
    if not fields["title"]:
        errors["title"] = _("Give the notice a title.")
    if errors:
        return render("notices/show.html", status=422, notice=notice, number="", editable=True, errors=errors)
    try:
        publish_on = clock.today() if request.form.get("publish") else None
        number = edit_notice(actor_of(current_user), notice_id, **fields, publish_on=publish_on)
        flash(
            _("Published as %(number)s.", number=issuing_mine().doc_code + number) if number else _("Saved.")
        )
    except RoundRefused as refused:
        refuse(refused.status, refused_message(refused.code))
    return redirect(url_for("notices.show", notice_id=notice_id), 303)


def _number(notice: Notice) -> str:
    """发文字号 as printed: the mine's 代字 before the notice's 〔year〕n号."""
    return issuing_mine().doc_code + notice.number if notice.number else ""


def _document(notice: Notice) -> Document:
    mine = issuing_mine()
    return notice_document(notice, mine.committee_name, mine.doc_code, clock.today())


@bp.get("/<int:notice_id>.pdf")
@roles_required(*SUPERVISORS)
def pdf(notice_id: int) -> Response:
    notice = _visible(notice_id)
    return pdf_response([_document(notice)], f"notice-{notice.id}.pdf")


@bp.get("/<int:notice_id>/print")
@roles_required(*SUPERVISORS)
def print_view(notice_id: int) -> Response:
    notice = _visible(notice_id)
    return print_response(
        [_document(notice)],
        url_for("notices.pdf", notice_id=notice_id),
        url_for("notices.show", notice_id=notice_id),
    )
