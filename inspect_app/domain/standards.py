"""Checking a standard's items (评分表) as typed in a form or read from an imported sheet.

The shape is the one mines' 安全质量标准化 score sheets use: sections (类别) in a row, items with a
requirement (项目), points (标准分), an inspection method (检查方法) and a scoring text (评分办法) holding one
or more deduction rules (``domain.deductions``); any total (100, 500, 1100 points…). Input is rows of text
keyed by the exchange format's headers (the real sheets' own, plus the older simple template's); output is the
items, or every problem with its row, column and the limit broken, so an import is all or nothing and reported
in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Protocol

from .deductions import Deduction, RuleKind, canonical, parse_rules
from .text import has_hidden_chars, normalise_text

#: the exchange format's columns, in order (XLSX and CSV, also for export); 扣分规则 is needed only where the
#: rules cannot be read from 评分办法 (then it holds them in the same words: 每处扣0.5分；不得分)
HEADERS = ("类别", "序号", "项目", "标准分", "检查方法", "评分办法", "扣分规则")
CATEGORY, CLAUSE, REQUIREMENT, MAX_POINTS, METHOD, SCORING, RULES = HEADERS
#: the older simple template's rule columns, still read
PER_DEFECT, VETO = "每处扣分", "一票否决"
READ_HEADERS = (*HEADERS, PER_DEFECT, VETO)
#: other spellings of the headers found on mines' sheets, and the older simple template's
ALIASES = {
    "条款": CLAUSE, "编号": CLAUSE, "分值": MAX_POINTS, "分数": MAX_POINTS, "标准分值": MAX_POINTS,
    "扣分标准": SCORING, "评分方法": SCORING, "评分标准": SCORING, "考核办法": SCORING,
    "基本要求": REQUIREMENT, "检查内容": REQUIREMENT, "考核内容": REQUIREMENT, "项目内容": REQUIREMENT,
    "检查方式": METHOD, "考核方法": METHOD, "类别/项目": CATEGORY, "大类": CATEGORY,
}  # fmt: skip
MAX_ROWS = 300
MAX_RULES = 8
#: points of an item and of a whole standard: what ``Numeric(6, 2)`` holds
MAX_VALUE = Decimal("9999.99")
YES = frozenset({"是", "yes", "y", "true", "1", "√", "✓"})
NO = frozenset({"", "否", "no", "n", "false", "0"})
LIMITS = {CATEGORY: 64, CLAUSE: 16, REQUIREMENT: 4000, METHOD: 200, SCORING: 4000, RULES: 1000}


@dataclass(frozen=True)
class ItemDraft:
    category: str
    clause: str
    requirement: str
    max_points: Decimal
    method: str
    scoring: str
    deductions: tuple[Deduction, ...]

    @property
    def veto(self) -> bool:
        return any(r.kind == RuleKind.VETO for r in self.deductions)


@dataclass(frozen=True)
class RowProblem:
    """``row`` counts as a spreadsheet does (the header is row 1); 0 means the whole file. ``column`` is the
    header it is about; ``code`` is translated by the UI; ``detail`` carries the value, limit or row."""

    row: int
    code: str
    column: str = ""
    detail: str = ""


class StandardRejected(ValueError):
    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = tuple(problems)


def read_points(text: str) -> Decimal | None:
    """Points as typed: 0 to 9999.99, at most two decimals; None if not such a number."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > MAX_VALUE or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return value


def _legacy_rules(number: int, cells: Mapping[str, str]) -> tuple[list[Deduction], list[RowProblem]]:
    """The older template's 每处扣分 and 一票否决 columns as rules (labelled with their canonical words)."""
    rules: list[Deduction] = []
    problems: list[RowProblem] = []
    if cells[PER_DEFECT]:
        amount = read_points(cells[PER_DEFECT])
        if amount is None:
            problems.append(RowProblem(number, "bad_number", PER_DEFECT, cells[PER_DEFECT]))
        elif amount > 0:
            rules.append(Deduction(RuleKind.EACH, amount, canonical(RuleKind.EACH, amount)))
    veto = cells[VETO].lower()
    if veto not in YES | NO:
        problems.append(RowProblem(number, "yes_no", VETO, cells[VETO]))
    elif veto in YES:
        rules.append(Deduction(RuleKind.VETO, None, canonical(RuleKind.VETO, None)))
    return rules, problems


def _rules(number: int, cells: Mapping[str, str]) -> tuple[tuple[Deduction, ...], list[RowProblem]]:
    """The item's rules: from 扣分规则 if given, else the older columns if given, else read from 评分办法."""
    if cells[RULES]:
        found = parse_rules(cells[RULES])
        return tuple(found), [] if found else [RowProblem(number, "rules_unreadable", RULES, cells[RULES])]
    legacy, problems = _legacy_rules(number, cells)
    if legacy or problems:
        return tuple(legacy), problems
    found = parse_rules(cells[SCORING])
    return tuple(found), [] if found else [RowProblem(number, "no_rule", SCORING)]


def _text_problems(number: int, cells: Mapping[str, str]) -> list[RowProblem]:
    problems = [RowProblem(number, "hidden_chars", h) for h in READ_HEADERS if has_hidden_chars(cells[h])]
    problems += [RowProblem(number, "too_long", h, str(n)) for h, n in LIMITS.items() if len(cells[h]) > n]
    if not cells[CATEGORY]:
        problems.append(RowProblem(number, "required", CATEGORY))
    if not cells[REQUIREMENT] and not cells[SCORING]:
        problems.append(RowProblem(number, "text_required", REQUIREMENT))
    return problems


def _row(number: int, cells: Mapping[str, str]) -> tuple[ItemDraft | None, list[RowProblem]]:
    problems = _text_problems(number, cells)
    rules, found = _rules(number, cells)
    problems += found
    points = read_points(cells[MAX_POINTS] or "0")
    if points is None:
        problems.append(RowProblem(number, "bad_number", MAX_POINTS, cells[MAX_POINTS]))
    elif len(rules) > MAX_RULES:
        problems.append(RowProblem(number, "too_many_rules", SCORING, str(MAX_RULES)))
    elif points == 0 and any(r.kind != RuleKind.VETO for r in rules):
        problems.append(RowProblem(number, "points_required", MAX_POINTS))
    if problems or points is None:
        return None, problems
    draft = ItemDraft(
        cells[CATEGORY], cells[CLAUSE], cells[REQUIREMENT], points, cells[METHOD], cells[SCORING], rules
    )
    return draft, []


def _cells(row: Mapping[str, str], category: str) -> dict[str, str]:
    """The row's text, normalised; a blank 类别 continues the one above (a merged cell in the sheet)."""
    cells = {h: normalise_text(row.get(h) or "") for h in READ_HEADERS}
    cells[CATEGORY] = cells[CATEGORY] or category
    return cells


def _blank(row: Mapping[str, str]) -> bool:
    return not any((row.get(h) or "").strip() for h in READ_HEADERS if h != CATEGORY)


def _repeats(clauses: Sequence[tuple[int, str]]) -> tuple[dict[str, int], list[RowProblem]]:
    """The rows' own numbers (every row, valid or not) and a problem for each one given twice."""
    seen: dict[str, int] = {}
    problems: list[RowProblem] = []
    for number, clause in clauses:
        if clause and clause in seen:
            problems.append(RowProblem(number, "clause_repeated", CLAUSE, str(seen[clause])))
        elif clause:
            seen[clause] = number
    return seen, problems


def _numbered(
    items: list[tuple[int, ItemDraft]], seen: dict[str, int], problems: list[RowProblem]
) -> list[ItemDraft]:
    """A blank 序号 becomes ``section.item`` (1.1, 1.2, 2.1…), unless another row already has that number."""
    numbered: list[ItemDraft] = []
    for (number, item), (section, place) in zip(items, _places([i for _, i in items]), strict=True):
        clause = item.clause or f"{section}.{place}"
        if not item.clause and clause in seen:
            problems.append(RowProblem(number, "clause_repeated", CLAUSE, str(seen[clause])))
        numbered.append(replace(item, clause=clause))
    return numbered


def _places(items: Sequence[ItemDraft]) -> list[tuple[int, int]]:
    """(section number, place in section) of each item, sections being runs of one 类别."""
    places: list[tuple[int, int]] = []
    for i, item in enumerate(items):
        if i and item.category == items[i - 1].category:
            places.append((places[-1][0], places[-1][1] + 1))
        else:
            places.append(((places[-1][0] if places else 0) + 1, 1))
    return places


def check_items(rows: Sequence[tuple[int, Mapping[str, str]]]) -> list[ItemDraft]:
    """Every row checked; blank rows skipped; clauses unique; some points to score; nothing partial.

    ``rows`` pairs each row with its number as the user sees it. Raises ``StandardRejected`` with all
    problems found (rows, columns, limits, and the whole file's) in one pass.
    """
    problems: list[RowProblem] = []
    items: list[tuple[int, ItemDraft]] = []
    filled = [(n, r) for n, r in rows if not _blank(r)]
    if len(filled) > MAX_ROWS:
        raise StandardRejected([RowProblem(0, "too_many_rows", detail=str(MAX_ROWS))])
    category = ""
    clauses: list[tuple[int, str]] = []
    for number, row in filled:
        cells = _cells(row, category)
        category = cells[CATEGORY]
        clauses.append((number, cells[CLAUSE]))
        item, found = _row(number, cells)
        problems += found
        if item is not None:
            items.append((number, item))
    seen, repeated = _repeats(clauses)
    problems += repeated
    drafts = _numbered(items, seen, problems)
    total = sum((i.max_points for i in drafts), Decimal(0))
    if not filled:
        problems.append(RowProblem(0, "no_items"))
    elif total > MAX_VALUE:
        problems.append(RowProblem(0, "total_too_large", MAX_POINTS, f"{total:f}"))
    elif not problems and total == 0:
        problems.append(RowProblem(0, "no_points", MAX_POINTS))
    if problems:
        raise StandardRejected(sorted(problems, key=lambda p: p.row))
    return drafts


def missing_headers(headers: Sequence[str]) -> list[str]:
    """Headers a file must have: 类别, 标准分, and 项目 or 评分办法."""
    present = {h.strip() for h in headers if h}
    missing = [h for h in (CATEGORY, MAX_POINTS) if h not in present]
    if REQUIREMENT not in present and SCORING not in present:
        missing.append(f"{REQUIREMENT}/{SCORING}")
    return missing


@dataclass(frozen=True)
class Section:
    """A run of items of one 类别, with its subtotal."""

    number: int
    name: str
    points: Decimal
    first: int  # index of its first item
    count: int


class ItemPoints(Protocol):
    """What sections need of an item (a draft or a stored one)."""

    @property
    def category(self) -> str: ...
    @property
    def max_points(self) -> Decimal: ...


def sections(items: Sequence[ItemPoints]) -> list[Section]:
    """The standard's sections in order: runs of items of one 类别 with their points."""
    found: list[Section] = []
    for i, item in enumerate(items):
        if found and item.category == found[-1].name and found[-1].first + found[-1].count == i:
            last = found[-1]
            found[-1] = Section(
                last.number, last.name, last.points + item.max_points, last.first, last.count + 1
            )
        else:
            found.append(Section(len(found) + 1, item.category, item.max_points, i, 1))
    return found
