"""A Party committee's document (公文) as GB/T 9704-2012 lays it out: what it says, in the parts the standard
names, without any drawing. ``documents.pdf`` prints it on A4; the print page shows it on a phone.

The parts, top to bottom: 发文机关标志 (letterhead, red), 发文字号, a red rule, 标题, 主送机关, 正文 (sections
一、二、… with paragraphs or a two-column table), 发文机关署名 and 成文日期, then the 版记 (抄送, 印发机关 and
印发日期) at the foot of the last page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: 一 … 十九 for section headings; a document has far fewer sections
_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Section:
    heading: str = ""
    paragraphs: tuple[str, ...] = ()
    #: a two-column table (label, value), e.g. an 整改通知单's fields
    rows: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Document:
    #: 发文机关 as it signs, e.g. 中共××煤矿委员会
    issuer: str
    #: 发文字号, e.g. 矿党发〔2026〕3号 ('' while a draft: see ``draft``)
    number: str
    title: str
    #: 主送机关, e.g. 各党支部
    addressee: str
    sections: tuple[Section, ...]
    written_on: date
    draft: bool = False
    #: 抄送 (optional)
    copy_to: str = ""
    #: 印发机关 ('' = the issuer)
    printed_by: str = ""
    #: an attachment's title lines (附件说明), optional
    attachments: tuple[str, ...] = field(default_factory=tuple)

    @property
    def letterhead(self) -> str:
        """发文机关标志: the issuer's name followed by 文件."""
        return f"{self.issuer}文件"

    @property
    def printer(self) -> str:
        return self.printed_by or self.issuer


def document_number(code: str, year: int, seq: int) -> str:
    """发文字号: 代字 + 〔year〕 (hexagonal brackets, never 【】 or ()) + the number without zeros + 号."""
    return f"{code}〔{year}〕{seq}号"


def written_date(day: date) -> str:
    """成文日期 in Arabic numerals with 年月日, no zero padding: 2026年12月4日."""
    return f"{day.year}年{day.month}月{day.day}日"


def section_number(n: int) -> str:
    """一、 二、 … 十、 十一、 for the n-th section heading (1-based, up to 99)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else _DIGITS[tens]) + ("十" if tens else "") + (_DIGITS[ones] if ones else "")
    return f"{text}、"


def closing_offsets(signer_width: float, date_width: float) -> tuple[float, float]:
    """How far the signature and the date end from the right edge, in character widths (a half-width digit
    counts ½), for a document without seal: the signature 2 characters from the right, the date one line
    below starting 2 characters right of the signature's start; a date too long for that pushes the signature
    left until the date ends 2 from the right (GB/T 9704-2012 7.3.5.2)."""
    signer_right = max(2.0, date_width + 4 - signer_width)
    return signer_right, signer_right + signer_width - 2 - date_width


def text_width(text: str) -> float:
    """Width in full-width characters: ASCII counts ½ (digits of a date, Latin letters)."""
    return sum(0.5 if ord(c) < 0x80 else 1.0 for c in text)
