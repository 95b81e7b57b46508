"""Ballot cards (选票卡) as an A4 sheet of ten cut-out cards: bytes out, no Flask.

Each card shows its serial number (for voiding a lost or spare card), the code in three groups of six and a
QR. The QR holds a link whose card part sits after ``#``: a phone camera opens the app's card page, the
browser never sends the fragment to the server (so no access log, proxy or history entry on the server side
carries a code), and the page's script keeps the card on the phone. Never cached: the codes exist only in
this one response.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align

from inspect_app.domain.ballots import format_card
from inspect_app.signboard import draw_qr, new_pdf

COLS, ROWS = 2, 5
CARD_W, CARD_H = 93.0, 55.0
LEFT, TOP = (210 - COLS * CARD_W) / 2, (297 - ROWS * CARD_H) / 2
QR_SIZE = 36.0


@dataclass(frozen=True)
class Card:
    serial: int
    code: str
    link: str  # what the QR opens, e.g. https://host/b/card#3-ABCDEF…


@dataclass(frozen=True)
class CardLabels:
    title: str = "无记名打分选票卡"
    serial: str = "第 %d 号"
    hint: str = "扫码或在打分页输入卡号；每卡对每个示范岗只打分一次；勿拍照外传，用后交回。"


def _card(pdf: FPDF, card: Card, round_title: str, labels: CardLabels, x: float, y: float) -> None:
    pdf.set_draw_color(150, 150, 150)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.rect(x, y, CARD_W, CARD_H)
    pdf.set_dash_pattern()
    pdf.set_xy(x + 4, y + 3)
    pdf.set_font("cjk", size=11)
    pdf.cell(CARD_W - QR_SIZE - 10, 6, labels.title)
    pdf.set_xy(x + 4, y + 9)
    pdf.set_font("cjk", size=7.5)
    pdf.multi_cell(CARD_W - QR_SIZE - 10, 3.6, round_title, align=Align.L)
    pdf.set_xy(x + 4, y + 19)
    pdf.set_font("cjk", size=10)
    pdf.cell(CARD_W - QR_SIZE - 10, 5, labels.serial % card.serial)
    pdf.set_xy(x + 4, y + 27)
    pdf.set_font("Courier", "B", size=12.5)
    for group in format_card(card.code).split("-"):
        pdf.cell(CARD_W - QR_SIZE - 10, 5.6, group, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(x + 4, y + CARD_H - 9)
    pdf.set_font("cjk", size=6)
    pdf.multi_cell(CARD_W - 8, 2.8, labels.hint, align=Align.L)
    draw_qr(pdf, card.link, x + CARD_W - QR_SIZE - 4, y + 5, QR_SIZE)


def render_cards(cards: list[Card], round_title: str, font: str, labels: CardLabels = CardLabels()) -> bytes:
    """Ten cards per A4 page with dashed cut lines, in serial order (shuffle them after cutting)."""
    pdf = new_pdf(font)
    pdf.set_auto_page_break(False)
    pdf.set_title(labels.title)
    per_page = COLS * ROWS
    for index, card in enumerate(cards):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = LEFT + (slot % COLS) * CARD_W
        y = TOP + (slot // COLS) * CARD_H
        _card(pdf, card, round_title, labels, x, y)
    return bytes(pdf.output())
