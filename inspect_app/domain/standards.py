"""Checking a standard's items (扣分标准) as typed in a form or read from an imported sheet.

Input is rows of text keyed by the Chinese column headers of the exchange format; output is the items, or
every problem with its row number, so an import is all or nothing. Grades (一级/二级/三级) live here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .text import has_hidden_chars, normalise_text

#: the exchange format's columns, in order (XLSX and CSV, also for export)
HEADERS = ("类别", "条款", "分值", "每处扣分", "扣分标准", "一票否决")
CATEGORY, CLAUSE, MAX_POINTS, DEDUCTION, RULE, VETO = HEADERS
TOTAL = Decimal(100)
MAX_ROWS = 300
YES = frozenset({"是", "yes", "y", "true", "1", "√", "✓"})
NO = frozenset({"", "否", "no", "n", "false", "0"})
LIMITS = {CATEGORY: 64, CLAUSE: 16, RULE: 500}


@dataclass(frozen=True)
class ItemDraft:
    category: str
    clause: str
    max_points: Decimal
    deduction: Decimal
    rule: str
    veto: bool


@dataclass(frozen=True)
class RowProblem:
    """``row`` counts as a spreadsheet does (the header is row 1); 0 means the whole file.
    ``code`` is translated by the UI; ``detail`` carries the column or figure it is about."""

    row: int
    code: str
    detail: str = ""


class StandardRejected(ValueError):
    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = tuple(problems)


def _points(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > TOTAL or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return value


def _row(number: int, row: Mapping[str, str]) -> tuple[ItemDraft | None, list[RowProblem]]:
    cells = {h: normalise_text(row.get(h) or "") for h in HEADERS}
    problems = [RowProblem(number, "required", h) for h in (CATEGORY, CLAUSE, RULE) if not cells[h]]
    problems += [RowProblem(number, "hidden_chars", h) for h in HEADERS if has_hidden_chars(cells[h])]
    problems += [RowProblem(number, "too_long", h) for h, n in LIMITS.items() if len(cells[h]) > n]
    veto_text = cells[VETO].lower()
    if veto_text not in YES | NO:
        problems.append(RowProblem(number, "veto_yes_no", cells[VETO]))
    veto = veto_text in YES
    max_points = _points(cells[MAX_POINTS] or "0")
    deduction = _points(cells[DEDUCTION] or "0")
    if max_points is None:
        problems.append(RowProblem(number, "bad_number", MAX_POINTS))
    if deduction is None:
        problems.append(RowProblem(number, "bad_number", DEDUCTION))
    if max_points is not None and deduction is not None:
        if veto and (max_points or deduction):
            problems.append(RowProblem(number, "veto_has_points"))
        elif not veto and (max_points <= 0 or deduction <= 0):
            problems.append(RowProblem(number, "points_required"))
        elif deduction > max_points:
            problems.append(RowProblem(number, "deduction_above_max"))
    if problems or max_points is None or deduction is None:
        return None, problems
    return ItemDraft(cells[CATEGORY], cells[CLAUSE], max_points, deduction, cells[RULE], veto), []


def _blank(row: Mapping[str, str]) -> bool:
    return not any((row.get(h) or "").strip() for h in HEADERS)


def check_items(rows: Sequence[tuple[int, Mapping[str, str]]]) -> list[ItemDraft]:
    """Every row checked; blank rows skipped; clauses unique; non-veto points sum to exactly 100.

    ``rows`` pairs each row with its number as the user sees it. Raises ``StandardRejected`` with all
    problems found, never a partial result.
    """
    problems: list[RowProblem] = []
    items: list[ItemDraft] = []
    seen: dict[str, int] = {}
    filled = [(n, r) for n, r in rows if not _blank(r)]
    if len(filled) > MAX_ROWS:
        raise StandardRejected([RowProblem(0, "too_many_rows", str(MAX_ROWS))])
    for number, row in filled:
        item, found = _row(number, row)
        problems += found
        clause = normalise_text(row.get(CLAUSE) or "")
        if clause in seen:
            problems.append(RowProblem(number, "clause_repeated", str(seen[clause])))
        elif clause:
            seen[clause] = number
        if item is not None:
            items.append(item)
    if not filled:
        problems.append(RowProblem(0, "no_items"))
    elif not problems:
        total = sum((i.max_points for i in items), Decimal(0))
        if total != TOTAL:
            problems.append(RowProblem(0, "total_not_100", f"{total:f}"))
    if problems:
        raise StandardRejected(problems)
    return items


def missing_headers(headers: Sequence[str]) -> list[str]:
    present = {h.strip() for h in headers if h}
    return [h for h in HEADERS if h not in present]
