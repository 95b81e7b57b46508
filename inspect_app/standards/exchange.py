"""Standards as files: XLSX and CSV with Chinese headers (类别, 条款, 分值, 每处扣分, 扣分标准, 一票否决).

Reading (``inspect_app.tables_in``, shared with the roster imports) gives numbered rows of text for
``domain.standards.check_items``; nothing is stored here. A standard of 300 items is a few dozen KB, so a file
above 2 MB is refused unread.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from inspect_app import tables
from inspect_app.domain.scoring import points_text
from inspect_app.domain.standards import HEADERS, MAX_ROWS, missing_headers
from inspect_app.tables_in import FileRefused, Layout, Rows
from inspect_app.tables_in import read_upload as read_table

__all__ = ["FileRefused", "read_upload", "to_csv", "to_xlsx"]

LAYOUT = Layout(HEADERS, HEADERS, MAX_ROWS, missing=missing_headers)


def read_upload(filename: str, data: bytes) -> Rows:
    """Rows of an uploaded standard (``.xlsx`` or ``.csv``), numbered as a spreadsheet shows them."""
    return read_table(filename, data, LAYOUT)


YES_NO = {True: "是", False: "否"}


class ItemLike(Protocol):
    @property
    def category(self) -> str: ...
    @property
    def clause(self) -> str: ...
    @property
    def max_points(self) -> Decimal: ...
    @property
    def deduction(self) -> Decimal: ...
    @property
    def rule(self) -> str: ...
    @property
    def veto(self) -> bool: ...


def item_rows(items: Iterable[ItemLike]) -> list[list[str]]:
    """Items as rows of text in ``HEADERS`` order (files, and the edit form)."""
    return [
        [
            i.category,
            i.clause,
            points_text(i.max_points),
            points_text(i.deduction),
            i.rule,
            "是" if i.veto else "否",
        ]
        for i in items
    ]


def to_csv(items: Iterable[ItemLike]) -> bytes:
    """UTF-8 with a BOM, so Excel shows the Chinese text correctly."""
    return tables.to_csv(HEADERS, item_rows(items))


def to_xlsx(items: Iterable[ItemLike], title: str) -> bytes:
    rows = ([Decimal(v) if i in (2, 3) else v for i, v in enumerate(line)] for line in item_rows(items))
    return tables.to_xlsx(title or "标准", HEADERS, rows, (14, 8, 8, 10, 60, 10))
