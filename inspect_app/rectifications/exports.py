"""整改通知单 as 公文 (one document per rectification: PDF or print page) and the 整改台账 as XLSX."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import Response, current_app
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from inspect_app import tables
from inspect_app.documents.services import issuing_mine
from inspect_app.documents.services import pdf_response as documents_pdf
from inspect_app.domain.documents import Document, Section
from inspect_app.domain.enums import RectStatus
from inspect_app.domain.rectification import is_overdue
from inspect_app.models import Rectification
from inspect_app.setup.services import mine_info

from .messages import status_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fields(rect: Rectification) -> list[tuple[str, str]]:
    return [
        (_("Unit"), rect.unit.name),
        (_("Model post"), f"{rect.post.name} ({rect.post.code})"),
        (_("Found at"), rect.round.title if rect.round else "—"),
        (_("Standard clause"), rect.clause),
        (_("Problem"), rect.problem),
        (_("Rectification measures"), rect.measures),
        (_("Deadline"), rect.deadline.isoformat()),
        (_("Responsible person"), rect.responsible),
        (_("Re-checked by"), rect.checker),
        (_("Issued on"), rect.issued_on.isoformat()),
    ]


def rect_document(rect: Rectification, issuer: str) -> Document:
    """整改通知单 as the committee issues it: to the unit, the fields as a table, a receipt to fill in."""
    found = rect.round.title if rect.round else _("the check")
    intro = _(
        "At %(found)s, model post %(post)s of your unit showed the problem below. Carry out the measures by "
        "the deadline and report the fix for re-checking.", found=found, post=rect.post.name,
    )  # fmt: skip
    receipt = (
        (_("Received by (unit)"), ""),
        (_("Reported done on"), rect.done_on.isoformat() if rect.done_on else ""),
        (_("Re-check"), _("pass / fail")),
    )
    return Document(
        issuer=issuer,
        number=rect.number,
        title=_("Rectification notice"),
        addressee=rect.unit.name,
        sections=(Section("", (intro,), tuple(_fields(rect))), Section(_("Receipt"), (), receipt)),
        written_on=rect.issued_on,
    )


def documents(rects: Sequence[Rectification]) -> list[Document]:
    issuer = issuing_mine().committee_name
    return [rect_document(rect, issuer) for rect in rects]


def pdf_response(rects: Sequence[Rectification], filename: str) -> WerkzeugResponse:
    return documents_pdf(documents(rects), filename, _("No open rectifications."))


def ledger_response(rects: Sequence[Rectification], today: date) -> Response:
    headers = [
        _("No."),
        _("Unit"),
        _("Model post"),
        _("Found at"),
        _("Standard clause"),
        _("Problem"),
        _("Rectification measures"),
        _("Deadline"),
        _("Responsible person"),
        _("Re-checked by"),
        _("State"),
        _("Overdue"),
        _("Reported done on"),
        _("Returned"),
        _("Closed on"),
    ]
    rows = [
        [
            r.number,
            r.unit.name,
            r.post.name,
            r.round.title if r.round else "",
            r.clause,
            r.problem,
            r.measures,
            r.deadline,
            r.responsible,
            r.checker,
            status_label(r.status),
            _("yes") if is_overdue(RectStatus(r.status), r.deadline, today) else "",
            r.done_on or "",
            r.returns,
            r.closed_on or "",
        ]
        for r in rects
    ]
    mine = mine_info()
    body = tables.to_xlsx(
        (mine.short_name if mine else "") + _("Rectification ledger"),
        headers,
        rows,
        (12, 12, 18, 22, 16, 30, 30, 12, 10, 10, 14, 6, 12, 6, 12),
        mine.name if mine else "",
    )
    response = current_app.response_class(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="rectifications-{today.isoformat()}.xlsx"'
    )
    return response
