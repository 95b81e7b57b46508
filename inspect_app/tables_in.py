"""Reading an uploaded table (XLSX or CSV with a header row) into numbered rows of text; nothing is stored.

Each import says which headers it expects (``Layout``): the standards' items, the units and the member roster
(花名册). Rows are numbered as a spreadsheet shows them (the header is row 1), cells become trimmed text
(Excel date cells ISO dates, whole numbers without ``.0``). CSV is read as UTF-8 (with or without BOM) or,
failing that, GB18030, which is what Excel on a Chinese Windows saves.

A huge or crafted file costs little: it is refused before it is read when larger than ``Layout.max_file`` or,
for XLSX (a zip), when it would unpack to more than ``MAX_UNPACKED`` or holds more than ``MAX_PARTS`` parts (a
67 KB zip bomb once kept a worker busy 14 s); reading stops one row past ``Layout.max_rows``, so the caller
can say "too many rows" from the count. Blank rows are skipped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .tables import formula_like

Rows = list[tuple[int, dict[str, str]]]

#: what an XLSX may unpack to, and how many parts it may have (a plain one has about ten)
MAX_UNPACKED = 16 * 1024 * 1024
MAX_PARTS = 100


@dataclass(frozen=True)
class Layout:
    """The headers an import expects. ``aliases`` maps other spellings a department uses (所在区队) to the
    header it means (所在单位); ``missing`` may replace the plain check (the standards' own rule)."""

    headers: tuple[str, ...]
    required: tuple[str, ...]
    max_rows: int
    max_file: int = 2 * 1024 * 1024
    aliases: Mapping[str, str] = field(default_factory=dict)
    missing: Callable[[Sequence[str]], list[str]] | None = None

    def missing_headers(self, header: Sequence[str]) -> list[str]:
        if self.missing is not None:
            return self.missing(header)
        return [h for h in self.required if h not in header]


class FileRefused(ValueError):
    """``code``: unreadable, empty, headers_missing (``detail`` lists them), unknown_type, too_large."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text[1:] if text.startswith("'") and formula_like(text[1:]) else text  # our CSV export's guard


def _rows(lines: Iterable[Sequence[object]], layout: Layout) -> Rows:
    iterator = iter(lines)
    try:
        header = [cell_text(v) for v in next(iterator)]
    except StopIteration:
        raise FileRefused("empty") from None
    header = [layout.aliases.get(h, h) for h in header]
    missing = layout.missing_headers(header)
    if missing:
        raise FileRefused("headers_missing", "、".join(missing))
    rows: Rows = []
    for number, line in enumerate(iterator, start=2):
        values = [cell_text(v) for v in line]
        if not any(values):
            continue  # a blank line between blocks, or the formatted but empty rows below a table
        if len(rows) > layout.max_rows:
            break  # one past the limit: the caller reports too many rows from the count
        rows.append((number, {h: values[i] if i < len(values) else "" for i, h in enumerate(header) if h}))
    return rows


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb by the sizes its directory declares (reading never goes past a declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused("unreadable") from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise FileRefused("too_large")


def _xlsx(data: bytes, layout: Layout) -> Rows:
    check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError, SyntaxError):
        raise FileRefused("unreadable") from None  # SyntaxError: XML that is not well-formed (ParseError)
    try:
        sheet = book.worksheets[0]
        return _rows(sheet.iter_rows(max_col=len(layout.headers) + 4, values_only=True), layout)
    except FileRefused:
        raise
    except (KeyError, ValueError, TypeError, SyntaxError, zipfile.BadZipFile):  # a crafted sheet part
        raise FileRefused("unreadable") from None
    finally:
        book.close()


def _csv(data: bytes, layout: Layout) -> Rows:
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
        return _rows(csv.reader(io.StringIO(text)), layout)
    except csv.Error:
        raise FileRefused("unreadable") from None


def read_upload(filename: str, data: bytes, layout: Layout) -> Rows:
    """Rows of an uploaded ``.xlsx`` or ``.csv`` file, numbered as a spreadsheet shows them."""
    name = filename.lower()
    if len(data) > layout.max_file:
        raise FileRefused("too_large")
    if name.endswith(".xlsx"):
        return _xlsx(data, layout)
    if name.endswith(".csv"):
        return _csv(data, layout)
    raise FileRefused("unknown_type")
