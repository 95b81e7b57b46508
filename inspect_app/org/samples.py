"""The import templates offered for download: the header row and one example row, as XLSX and CSV.

The example is a real-looking row that imports cleanly into the demo mine (综采一区), so a department sees
what each column wants; they overwrite it with their own rows.
"""

from __future__ import annotations

from datetime import date

from inspect_app import tables
from inspect_app.domain import roster

KINDS = ("members", "units")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

_EXAMPLES: dict[str, tuple[tuple[str, ...], list[object], tuple[int, ...]]] = {
    "members": (
        roster.MEMBER_HEADERS,
        [
            "张海涛",
            "男",
            "综采一区",
            "综采班长",
            "中共党员",
            date(2012, 7, 1),
            "13800000000",
            "ZC1003",
            "党小组长",
        ],
        (10, 6, 14, 14, 12, 12, 14, 10, 12),
    ),
    "units": (
        roster.UNIT_HEADERS,
        ["综采一区", "区队", "采煤", "综采一区党支部", "zc1"],
        (16, 8, 12, 18, 10),
    ),
}
_TITLES = {"members": "党员花名册", "units": "单位"}


def sample_file(kind: str, fmt: str) -> tuple[bytes, str] | None:
    """(body, mimetype), or None for a kind or format there is no template for."""
    if kind not in _EXAMPLES:
        return None
    headers, example, widths = _EXAMPLES[kind]
    if fmt == "xlsx":
        return tables.to_xlsx(_TITLES[kind], headers, [example], widths), XLSX
    if fmt == "csv":
        row = [v.isoformat() if isinstance(v, date) else v for v in example]
        return tables.to_csv(headers, [row]), CSV
    return None
