"""整改通知单 as an A4 PDF (one rectification per page, CJK font embedded) and the 整改台账 as XLSX."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import Response, current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from inspect_app import tables
from inspect_app.domain.enums import RectStatus
from inspect_app.domain.rectification import is_overdue
from inspect_app.models import Rectification
from inspect_app.setup.services import mine_info
from inspect_app.signboard import RED, new_pdf

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


def _issuer() -> str:
    mine = mine_info()
    return mine.committee_name if mine else ""


def _page(pdf: FPDF, rect: Rectification) -> None:
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_text_color(*RED)
    pdf.set_font("cjk", size=14)
    pdf.cell(width, 8, _issuer(), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=20)
    pdf.cell(width, 12, _("Rectification notice"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=11)
    pdf.cell(
        width, 8, _("No. %(number)s", number=rect.number), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    for label, value in _fields(rect):
        pdf.set_font("cjk", size=11)
        pdf.set_fill_color(240, 240, 240)
        pdf.multi_cell(34, 8, label, border=1, fill=True, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.multi_cell(width - 34, 8, value or "—", border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    for line in (
        _("Received by (unit): ____________  Date: ________"),
        _("Reported done on: ____________  Re-check: pass / fail  Checker: ________"),
    ):
        pdf.cell(width, 9, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def pdf_response(rects: Sequence[Rectification], filename: str) -> Response:
    pdf = new_pdf(current_app.config["CJK_FONT"])
    pdf.set_title(_("Rectification notice"))
    for rect in rects:
        _page(pdf, rect)
    if not rects:
        pdf.add_page()
        pdf.set_font("cjk", size=14)
        pdf.cell(0, 10, _("No open rectifications."))
    response = current_app.response_class(bytes(pdf.output()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


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
