"""公文 on A4 after GB/T 9704-2012 (fpdf2, fonts embedded as subsets): bytes out, no Flask.

The measures are the standard's: 版心 156 × 225 mm (top 37, left 28, right 26, bottom 35), 正文 in 3号
(16 pt) Song on 22 lines a page, 标题 in 2号 (22 pt) 小标宋 (a bold serif here), section headings in 黑体,
the red 发文机关标志 35 mm below the top of the 版心, a red rule 4 mm under the 发文字号, page numbers
"— 1 —" in 4号 7 mm under the 版心 (odd pages right, even pages left), the 版记 at the foot of the last page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from inspect_app.domain.documents import (
    Document,
    Section,
    closing_offsets,
    section_number,
    text_width,
    written_date,
)

RED = (230, 0, 18)
TOP, LEFT, RIGHT, BOTTOM = 37.0, 28.0, 26.0, 35.0
WIDTH = 210.0 - LEFT - RIGHT  # 156 mm
FOOT = 297.0 - BOTTOM  # the 版心's lower edge
PT = 25.4 / 72
BODY_PT, TITLE_PT, FOOT_PT = 16, 22, 14
LINE = 225.0 / 22  # 22 lines of 正文 to the page
CHAR = BODY_PT * PT  # one full-width character of 正文, in mm
NO_START = set("，。、；：？！）》」』】〕”’％．，,.;:!?)%…—")
NO_END = set("（《「『【〔“‘(")


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Fonts:
    """Font files: ``path`` or ``path#n`` for the n-th face of a collection (.ttc)."""

    serif: str
    title: str
    heading: str


def _add(pdf: FPDF, family: str, spec: str) -> None:
    path, _sep, index = spec.partition("#")
    if not Path(path).is_file():
        raise FontMissing(f"font not found: {path} (scripts/setup installs fonts-noto-cjk)")
    pdf.add_font(family, "", path, collection_font_number=int(index or 0))


class _Paper(FPDF):
    #: the page the current document starts on: each document counts its pages from 1
    first_page = 1

    def footer(self) -> None:
        page = self.page_no() - self.first_page + 1
        self.set_font("serif", size=FOOT_PT)
        self.set_text_color(0, 0, 0)
        self.set_xy(LEFT + FOOT_PT * PT, FOOT + 7)
        odd = page % 2 == 1
        self.cell(WIDTH - 2 * FOOT_PT * PT, FOOT_PT * PT, f"— {page} —", align=Align.R if odd else Align.L)


def new_paper(fonts: Fonts) -> _Paper:
    pdf = _Paper(format="A4", unit="mm")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, BOTTOM)
    _add(pdf, "serif", fonts.serif)
    _add(pdf, "title", fonts.title)
    _add(pdf, "heading", fonts.heading)
    pdf.set_creator("inspect_app")
    return pdf


def _letterhead(pdf: FPDF, doc: Document) -> None:
    size = min(42.0, WIDTH / (text_width(doc.letterhead) * PT) * 0.98)
    pdf.set_font("title", size=size)
    pdf.set_text_color(*RED)
    pdf.set_xy(LEFT, TOP + 35)
    pdf.cell(WIDTH, size * PT * 1.2, doc.letterhead, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("serif", size=BODY_PT)
    pdf.ln(LINE * 2 - LINE)
    pdf.cell(WIDTH, LINE, doc.number or "（草稿）", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    rule = pdf.get_y() + 4 - (LINE - CHAR) / 2
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    pdf.line(LEFT, rule, LEFT + WIDTH, rule)
    pdf.set_y(rule + LINE * 2 - CHAR)


def _paragraph(pdf: FPDF, text: str, font: str = "serif") -> None:
    """正文 lines: first line indented two characters, broken anywhere but never before a closing mark."""
    pdf.set_font(font, size=BODY_PT)
    for line in wrap("\u3000\u3000" + text.strip(), WIDTH, pdf.get_string_width):
        pdf.cell(WIDTH, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (CJK text breaks between any two characters); a
    closing mark (，。）…) never starts a line and an opening one (（《“…) never ends one: the character
    before goes down with it (禁则)."""
    lines: list[str] = []
    line = ""
    for char in text:
        if line and measure(line + char) > width:
            carry = ""
            while len(line) > 1 and ((carry or char)[0] in NO_START or line[-1] in NO_END):
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line)
            line = carry
        line += char
    if line or not lines:
        lines.append(line)
    return lines


def _table(pdf: FPDF, rows: Sequence[tuple[str, str]]) -> None:
    pdf.set_font("serif", size=FOOT_PT)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    with pdf.table(
        col_widths=(38, WIDTH - 38), line_height=FOOT_PT * PT * 1.6, first_row_as_headings=False,
        text_align=("CENTER", "LEFT"), padding=1.5,
    ) as table:  # fmt: skip
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value or "—")


def _sections(pdf: FPDF, sections: Sequence[Section]) -> None:
    numbered = sum(1 for s in sections if s.heading) > 1
    n = 0
    for section in sections:
        if section.heading:
            n += 1
            _paragraph(pdf, (section_number(n) if numbered else "") + section.heading, "heading")
        for paragraph in section.paragraphs:
            _paragraph(pdf, paragraph)
        if section.rows:
            _table(pdf, section.rows)


def _closing(pdf: FPDF, doc: Document) -> None:
    dated = written_date(doc.written_on)
    signer_right, date_right = closing_offsets(text_width(doc.issuer), text_width(dated))
    pdf.set_font("serif", size=BODY_PT)
    if pdf.get_y() + 3 * LINE > FOOT:
        pdf.add_page()
    pdf.ln(LINE)
    for text, right in ((doc.issuer, signer_right), (dated, date_right)):
        pdf.set_x(LEFT)
        pdf.cell(WIDTH - right * CHAR, LINE, text, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _record(pdf: FPDF, doc: Document) -> None:
    """版记: 抄送 and 印发机关/印发日期 between rules, its last rule on the 版心's lower edge."""
    step = FOOT_PT * PT * 2
    lines = ([f"抄送：{doc.copy_to}。"] if doc.copy_to else []) + [""]
    height = step * len(lines)
    if pdf.get_y() + height + LINE > FOOT:
        pdf.add_page()
    y = FOOT - height
    pdf.set_font("serif", size=FOOT_PT)
    pdf.set_draw_color(0, 0, 0)
    for i, line in enumerate(lines):
        pdf.set_line_width(0.35 if i == 0 else 0.25)
        pdf.line(LEFT, y, LEFT + WIDTH, y)
        pdf.set_xy(LEFT + FOOT_PT * PT, y)
        if line:
            pdf.cell(WIDTH - 2 * FOOT_PT * PT, step, line)
        else:  # 印发机关 on the left, 印发日期 on the right, one character in from each edge
            pdf.cell(WIDTH - 2 * FOOT_PT * PT, step, doc.printer)
            pdf.set_x(LEFT + FOOT_PT * PT)
            pdf.cell(WIDTH - 2 * FOOT_PT * PT, step, written_date(doc.written_on) + "印发", align=Align.R)
        y += step
    pdf.set_line_width(0.35)
    pdf.line(LEFT, y, LEFT + WIDTH, y)


def _one(pdf: _Paper, doc: Document) -> None:
    pdf.add_page()  # the former page's footer is drawn in here, still counted in the former document
    pdf.first_page = pdf.page_no()
    _letterhead(pdf, doc)
    pdf.set_font("title", size=TITLE_PT)
    pdf.multi_cell(WIDTH, TITLE_PT * PT * 1.5, doc.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(LINE - TITLE_PT * PT)
    if doc.addressee:
        pdf.set_font("serif", size=BODY_PT)
        pdf.cell(WIDTH, LINE, f"{doc.addressee}：", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _sections(pdf, doc.sections)
    if doc.attachments:
        pdf.ln(LINE)
        for i, name in enumerate(doc.attachments, 1):
            label = "附件：" if i == 1 else "\u3000\u3000\u3000"
            number = f"{i}．" if len(doc.attachments) > 1 else ""
            _paragraph(pdf, f"{label}{number}{name}")
    _closing(pdf, doc)
    _record(pdf, doc)


def render(docs: Sequence[Document], fonts: Fonts, empty: str = "") -> bytes:
    """One PDF; each document starts on a new page and counts its pages from 1. No documents: one page that
    says ``empty``."""
    pdf = new_paper(fonts)
    pdf.set_title(docs[0].title if docs else empty)
    for doc in docs:
        _one(pdf, doc)
    if not docs:
        pdf.add_page()
        pdf.set_font("serif", size=BODY_PT)
        pdf.cell(WIDTH, LINE, empty)
    return bytes(pdf.output())
