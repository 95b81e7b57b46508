"""A notice as an A4 PDF with the CJK font embedded (fpdf2): bytes out, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from fpdf.enums import Align, XPos, YPos

from inspect_app.signboard import RED, new_pdf


@dataclass(frozen=True)
class NoticeText:
    issuer: str
    number: str
    title: str
    praise_heading: str
    praise: str
    criticism_heading: str
    criticism: str
    dated: str
    #: printed above the date, e.g. the committee's name
    signer: str = ""


def render_notice(text: NoticeText, font: str) -> bytes:
    pdf = new_pdf(font)
    pdf.set_title(text.title)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("cjk", size=22)
    pdf.set_text_color(*RED)
    pdf.cell(width, 14, text.issuer, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=11)
    pdf.cell(width, 8, text.number, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*RED)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + width, pdf.get_y() + 1)
    pdf.ln(6)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(width, 9, text.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for heading, body in ((text.praise_heading, text.praise), (text.criticism_heading, text.criticism)):
        pdf.ln(3)
        pdf.set_font("cjk", size=13)
        pdf.cell(width, 8, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(width, 6.5, body or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    if text.signer:
        pdf.cell(width, 7, text.signer, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(width, 7, text.dated, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
