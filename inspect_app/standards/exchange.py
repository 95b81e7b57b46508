"""Standards as files: XLSX and CSV with Chinese headers (类别, 条款, 分值, 每处扣分, 扣分标准, 一票否决).

Reading gives numbered rows of text for ``domain.standards.check_items``; nothing is stored here. CSV is read
as UTF-8 (with or without BOM) or, failing that, GB18030, which is what Excel on a Chinese Windows saves.
Reading stops after the row limit, and a file is refused before it is read when it is larger than any
standard needs (``MAX_FILE``) or, for XLSX (a zip), when it would unpack to more than ``MAX_UNPACKED`` or
holds more than ``MAX_PARTS`` parts — a 67 KB zip bomb once kept a worker busy 14 s. So a huge or crafted
file costs little.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from inspect_app import tables
from inspect_app.domain.scoring import points_text
from inspect_app.domain.standards import HEADERS, MAX_ROWS, missing_headers
from inspect_app.tables import formula_like

Rows = list[tuple[int, dict[str, str]]]


#: a standard of 300 items is a few dozen KB as CSV or XLSX
MAX_FILE = 2 * 1024 * 1024
#: what an XLSX may unpack to, and how many parts it may have (a plain one has about ten)
MAX_UNPACKED = 16 * 1024 * 1024
MAX_PARTS = 100


class FileRefused(ValueError):
    """``code``: unreadable, empty, headers_missing (``detail`` lists them), unknown_type, too_large."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value).strip()
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text  # our CSV export's guard


def _rows(lines: Iterable[Sequence[object]]) -> Rows:
    iterator = iter(lines)
    try:
        header = [_cell(v) for v in next(iterator)]
    except StopIteration:
        raise FileRefused("empty") from None
    missing = missing_headers(header)
    if missing:
        raise FileRefused("headers_missing", "、".join(missing))
    rows: Rows = []
    for number, line in enumerate(iterator, start=2):
        if number > MAX_ROWS + 2:
            break  # check_items reports too_many_rows from the count
        values = [_cell(v) for v in line]
        rows.append((number, {h: values[i] if i < len(values) else "" for i, h in enumerate(header) if h}))
    return rows


def _check_zip(data: bytes) -> None:
    """Refuse a zip bomb by the sizes its directory declares (reading never goes past a declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused("unreadable") from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise FileRefused("too_large")


def _xlsx(data: bytes) -> Rows:
    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError):
        raise FileRefused("unreadable") from None
    try:
        sheet = book.worksheets[0]
        return _rows(sheet.iter_rows(max_col=len(HEADERS) + 4, values_only=True))
    finally:
        book.close()


def _csv(data: bytes) -> Rows:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused("unreadable")
    if "\x00" in text:
        raise FileRefused("unreadable")
    try:
        return _rows(csv.reader(io.StringIO(text)))
    except csv.Error:
        raise FileRefused("unreadable") from None


def read_upload(filename: str, data: bytes) -> Rows:
    """Rows of an uploaded ``.xlsx`` or ``.csv`` file, numbered as a spreadsheet shows them."""
    name = filename.lower()
    if len(data) > MAX_FILE:
        raise FileRefused("too_large")
    if name.endswith(".xlsx"):
        return _xlsx(data)
    if name.endswith(".csv"):
        return _csv(data)
    raise FileRefused("unknown_type")


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
