"""Signboards (牌板) as A4 PDF pages: the five shows (五亮) and a QR code to scan at 1 m under a cap lamp.

Data in, PDF bytes out; no Flask. The QR is drawn as vector squares (crisp at any print size), 64 mm wide
without its quiet zone, error correction M, with the post's short code printed under it for typing when the
board is dirty. The CJK font is embedded (subset). Building a document costs mostly font loading, so a batch
is one document and recent documents are cached by content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from . import qr

QR_MM = 64.0  # the symbol itself; ≥ 60 mm reads from about 1 m
MARGIN = 12.0
RED = (178, 0, 0)
GREY = (80, 80, 80)


@dataclass(frozen=True)
class Person:
    name: str
    party_role: str
    job: str
    portrait: bytes | None = None


@dataclass(frozen=True)
class Board:
    """What one signboard shows. Labels are passed in so the board speaks the chosen language."""

    code: str
    url: str
    name: str
    unit: str
    area: str
    period: str
    people: tuple[Person, ...]
    duties: str
    commitment: str
    standard: str
    standard_summary: tuple[str, ...]
    assessor: str
    achievements: tuple[str, ...]
    #: who hangs the board, printed above its title, e.g. 中共××煤矿委员会
    issuer: str = ""


@dataclass(frozen=True)
class Labels:
    title: str = "党员示范岗"
    identity: str = "亮身份"
    post: str = "亮岗位"
    duties: str = "亮职责"
    standard: str = "亮标准"
    achievements: str = "亮业绩"
    scan: str = "扫码查看示范岗 · 检查员扫码评分"
    code: str = "牌板代码"
    commitment: str = "承诺"
    assessor: str = "考核"
    period: str = "示范时间"


class FontMissing(RuntimeError):
    pass


def new_pdf(font: str) -> FPDF:
    """An A4 document with the CJK font loaded as ``cjk`` (shared with the ballot-card sheets)."""
    if not Path(font).is_file():
        raise FontMissing(f"CJK font not found: {font} (scripts/setup installs fonts-wqy-microhei)")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    pdf.add_font("cjk", "", font)
    pdf.set_creator("inspect_app")
    return pdf


def draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float = QR_MM) -> None:
    """Dark modules as merged horizontal runs of filled rectangles; ``size`` mm without the quiet zone."""
    matrix = qr.modules(data)
    quiet = 4
    module = size / (len(matrix) - 2 * quiet)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(
                x + (start - quiet) * module, y + (r - quiet) * module, (c - start) * module, module, "F"
            )


def _heading(pdf: FPDF, text: str, width: float) -> None:
    pdf.set_font("cjk", size=15)
    pdf.set_text_color(*RED)
    pdf.cell(width, 9, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def _text(pdf: FPDF, text: str, width: float, size: float = 12, x: float | None = None) -> None:
    if not text:
        return
    pdf.set_font("cjk", size=size)
    if x is not None:
        pdf.set_x(x)
    pdf.multi_cell(width, size * 0.5, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _people(pdf: FPDF, people: tuple[Person, ...], width: float) -> None:
    for person in people:
        top = pdf.get_y()
        indent = 0.0
        if person.portrait:
            pdf.image(io.BytesIO(person.portrait), x=MARGIN, y=top, w=14, h=18)
            indent = 17.0
        pdf.set_x(MARGIN + indent)
        role = " · ".join(p for p in (person.party_role, person.job) if p)
        _text(pdf, f"{person.name}  {role}", width - indent, 13, MARGIN + indent)
        if person.portrait:
            pdf.set_y(max(pdf.get_y(), top + 20))


def _page(pdf: FPDF, board: Board, labels: Labels) -> None:
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    pdf.set_text_color(*RED)
    if board.issuer:
        pdf.set_font("cjk", size=14)
        pdf.cell(width, 8, board.issuer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=30)
    pdf.cell(width, 14, labels.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=22)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(width, 11, board.name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    pdf.line(MARGIN, pdf.get_y() + 2, pdf.w - MARGIN, pdf.get_y() + 2)
    pdf.ln(5)

    qr_box = QR_MM + 8
    qr_x, qr_y = pdf.w - MARGIN - qr_box + 4, pdf.get_y() + 4
    draw_qr(pdf, board.url, qr_x, qr_y)
    pdf.set_xy(pdf.w - MARGIN - qr_box, qr_y + QR_MM + 2)
    pdf.set_font("cjk", size=26)
    pdf.cell(qr_box, 12, " ".join(board.code), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(qr_box, 5, f"{labels.scan}\n{labels.code} {board.code}", align="C")
    pdf.set_text_color(0, 0, 0)
    qr_bottom = pdf.get_y()

    left = width - qr_box - 4
    pdf.set_xy(MARGIN, qr_y - 4)
    _heading(pdf, labels.identity, left)
    _people(pdf, board.people, left)
    pdf.ln(2)
    _heading(pdf, labels.post, left)
    _text(pdf, board.area, left)
    _text(pdf, board.unit, left, 11)
    _text(pdf, f"{labels.period}: {board.period}", left, 11)
    pdf.set_y(max(pdf.get_y(), qr_bottom) + 3)

    _heading(pdf, labels.duties, width)
    _text(pdf, board.duties, width)
    if board.commitment:
        _text(pdf, f"{labels.commitment}: {board.commitment}", width)
    pdf.ln(2)
    _heading(pdf, labels.standard, width)
    _text(pdf, board.standard, width)
    _text(pdf, "\n".join(board.standard_summary), width, 11)
    _text(pdf, f"{labels.assessor}: {board.assessor}", width, 11)
    if board.achievements:
        pdf.ln(2)
        _heading(pdf, labels.achievements, width)
        _text(pdf, "\n".join(f"★ {a}" for a in board.achievements), width)


@lru_cache(maxsize=16)
def render_pdf(boards: tuple[Board, ...], font: str, labels: Labels = Labels()) -> bytes:
    """One PDF with a page (or more, for long text) per board, in the given order."""
    pdf = new_pdf(font)
    pdf.set_title(labels.title if len(boards) != 1 else f"{labels.title} {boards[0].name}")
    for board in boards:
        _page(pdf, board, labels)
    return bytes(pdf.output())
