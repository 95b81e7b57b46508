"""The mine's organisation as its organisation department (组织部) keeps it in spreadsheets: units (区队/科室)
with their Party branch (党支部), and the member roster (花名册).

Rows of text keyed by the Chinese headers come in; records or every problem with its row and column go out,
so an import is all or nothing. The same field rules serve the forms (``parse_date``, ``parse_phone`` …).
Matching a roster row to someone already on it (``match_member``) is here too; reading the database is not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .enums import PARTY_STANDINGS, Standing, UnitKind, UnitProfession
from .text import has_hidden_chars, normalise_text

# the units file
UNIT_NAME, UNIT_KIND, UNIT_PROFESSION, UNIT_BRANCH, UNIT_CODE = (
    "单位名称",
    "类型",
    "专业",
    "所属党支部",
    "单位代码",
)
UNIT_HEADERS = (UNIT_NAME, UNIT_KIND, UNIT_PROFESSION, UNIT_BRANCH, UNIT_CODE)
UNIT_REQUIRED = UNIT_HEADERS[:4]
# the roster
NAME, GENDER, UNIT, JOB, STANDING, JOINED, PHONE, STAFF_NO, ROLE = (
    "姓名", "性别", "所在单位", "岗位/工种", "政治面貌", "入党时间", "手机号", "工号", "党内职务",
)  # fmt: skip
MEMBER_HEADERS = (NAME, GENDER, UNIT, JOB, STANDING, JOINED, PHONE, STAFF_NO, ROLE)
MEMBER_REQUIRED = MEMBER_HEADERS[:6]
#: other spellings of a header seen in departments' files
HEADER_ALIASES = {
    "所在区队": UNIT,
    "单位": UNIT,
    "岗位": JOB,
    "工种": JOB,
    "岗位工种": JOB,
    "手机": PHONE,
    "手机号码": PHONE,
    "联系电话": PHONE,
    "党内职务": ROLE,
    "党内职位": ROLE,
}
MAX_ROWS = 2000

LIMITS = {
    UNIT_NAME: 64,
    UNIT_BRANCH: 64,
    NAME: 32,
    UNIT: 64,
    JOB: 32,
    ROLE: 32,
    STAFF_NO: 32,
}
KINDS = {"区队": UnitKind.TEAM, "科室": UnitKind.OFFICE}
PROFESSIONS = {
    "采煤": UnitProfession.COAL,
    "综采": UnitProfession.COAL,
    "掘进": UnitProfession.TUNNEL,
    "机电": UnitProfession.ELECTRO,
    "运输": UnitProfession.TRANSPORT,
    "通风": UnitProfession.VENTILATION,
    "地测防治水": UnitProfession.GEOLOGY,
    "安全": UnitProfession.SAFETY,
    "后勤服务": UnitProfession.SERVICE,
    "后勤": UnitProfession.SERVICE,
    "其他": UnitProfession.OTHER,
}
STANDINGS = {
    "中共党员": Standing.MEMBER,
    "党员": Standing.MEMBER,
    "中共预备党员": Standing.PROBATIONARY,
    "预备党员": Standing.PROBATIONARY,
    "入党积极分子": Standing.ACTIVIST,
    "积极分子": Standing.ACTIVIST,
    "群众": Standing.OTHER,
}
GENDERS = {"男": "m", "女": "f", "": ""}
#: what departments write in an optional cell that has nothing to say
EMPTY_MARKS = frozenset({"-", "—", "/", "无", "－", "——"})
#: the Party was founded on 1921-07-01: an earlier 入党时间 is a typing error
EARLIEST = date(1921, 7, 1)

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,15}")
_STAFF_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_DATE_SHAPES = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    re.compile(r"(\d{4})[-/.](\d{1,2})()"),
    re.compile(r"(\d{4})年(\d{1,2})月()"),
)


@dataclass(frozen=True)
class RowProblem:
    """``row`` counts as a spreadsheet does (the header is row 1; 0 for the whole file); ``column`` is the
    header it is about. ``code`` is translated by the UI; ``detail`` carries the value or the other row."""

    row: int
    column: str
    code: str
    detail: str = ""


class RosterRejected(ValueError):
    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = tuple(problems)


class FieldError(ValueError):
    """One field's value refused: ``code`` as in ``RowProblem``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class UnitRecord:
    row: int
    name: str
    kind: str
    profession: str
    branch: str
    code: str


@dataclass(frozen=True)
class MemberRecord:
    """One roster row, checked. ``unit`` is the unit's name as written; the caller resolves it."""

    row: int
    name: str
    unit: str
    standing: str
    party_role: str
    job: str
    staff_no: str | None
    gender: str
    joined_on: date | None
    phone: str

    @property
    def party_member(self) -> bool:
        return Standing(self.standing) in PARTY_STANDINGS


def _plain(text: str) -> str:
    """Full-width digits and letters as typed on a Chinese keyboard become ASCII; spaces go."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _optional(text: str) -> str:
    return "" if text in EMPTY_MARKS else text


def parse_date(text: str, today: date) -> date | None:
    """入党时间 as departments write it: 2019-07-01, 2019/7/1, 2019.7.1, 2019年7月1日, 20190701, or a month
    (2019.07, 2019-7, 2019年7月: the 1st). Empty → None. Refused: no date (``bad_date``), before the Party
    was founded (``bad_date``), after ``today`` (``future_date``)."""
    plain = _optional(_plain(text))
    if not plain:
        return None
    for shape in _DATE_SHAPES:
        match = shape.fullmatch(plain)
        if match:
            year, month, day = match.groups()
            try:
                value = date(int(year), int(month), int(day or 1))
            except ValueError:
                raise FieldError("bad_date") from None
            if value < EARLIEST:
                raise FieldError("bad_date")
            if value > today:
                raise FieldError("future_date")
            return value
    raise FieldError("bad_date")


def parse_phone(text: str) -> str:
    """A mainland mobile number (11 digits starting 13–19), spaces, dashes and +86 allowed; empty is fine."""
    plain = _optional(_plain(text).replace("-", ""))
    if plain.startswith("+86"):
        plain = plain[3:]
    elif plain.startswith("0086"):
        plain = plain[4:]
    if plain and not _MOBILE.fullmatch(plain):
        raise FieldError("bad_phone")
    return plain


def parse_staff_no(text: str) -> str | None:
    """工号: letters, digits, - and _, at most 32; empty → None (no number)."""
    plain = _optional(_plain(text))
    if not plain:
        return None
    if not _STAFF_NO.fullmatch(plain):
        raise FieldError("bad_staff_no")
    return plain


def parse_unit_code(text: str) -> str:
    """单位代码: lower-case ASCII letters, digits, - and _, at most 16 (it goes into links); empty is fine."""
    plain = _plain(text).lower()
    if plain and not _CODE.fullmatch(plain):
        raise FieldError("bad_code")
    return plain


def _choose(text: str, table: Mapping[str, object], code: str) -> str:
    value = table.get(_plain(text))
    if value is None:
        raise FieldError(code)
    return str(value)


def _texts(
    number: int, row: Mapping[str, str], columns: Iterable[str]
) -> tuple[dict[str, str], list[RowProblem]]:
    cells = {h: normalise_text(row.get(h) or "") for h in columns}
    problems = [RowProblem(number, h, "hidden_chars") for h, v in cells.items() if has_hidden_chars(v)]
    problems += [
        RowProblem(number, h, "too_long", str(LIMITS[h]))
        for h, v in cells.items()
        if len(v) > LIMITS.get(h, 64)
    ]
    return cells, problems


def _field(
    number: int, column: str, problems: list[RowProblem], parse: Callable[..., object], *args: object
) -> object:
    """Run one field's parser; a refusal becomes a problem at (row, column) and the value None."""
    try:
        return parse(*args)
    except FieldError as error:
        problems.append(RowProblem(number, column, error.code, str(args[0])[:40]))
        return None


def check_unit_row(number: int, row: Mapping[str, str]) -> tuple[UnitRecord | None, list[RowProblem]]:
    cells, problems = _texts(number, row, UNIT_HEADERS)
    problems += [
        RowProblem(number, h, "required") for h in (UNIT_NAME, UNIT_KIND, UNIT_BRANCH) if not cells[h]
    ]
    kind = _field(number, UNIT_KIND, problems, _choose, cells[UNIT_KIND], KINDS, "unknown_kind")
    profession = ""
    if cells[UNIT_PROFESSION]:
        profession = str(
            _field(
                number,
                UNIT_PROFESSION,
                problems,
                _choose,
                cells[UNIT_PROFESSION],
                PROFESSIONS,
                "unknown_profession",
            )
        )
    code = _field(number, UNIT_CODE, problems, parse_unit_code, cells[UNIT_CODE])
    if problems:
        return None, problems
    return UnitRecord(number, cells[UNIT_NAME], str(kind), profession, cells[UNIT_BRANCH], str(code)), []


def check_member_row(
    number: int, row: Mapping[str, str], today: date
) -> tuple[MemberRecord | None, list[RowProblem]]:
    cells, problems = _texts(number, row, MEMBER_HEADERS)
    problems += [RowProblem(number, h, "required") for h in (NAME, UNIT, STANDING) if not cells[h]]
    gender = _field(number, GENDER, problems, _choose, cells[GENDER], GENDERS, "unknown_gender")
    standing = None
    if cells[STANDING]:
        standing = _field(number, STANDING, problems, _choose, cells[STANDING], STANDINGS, "unknown_standing")
    joined = _field(number, JOINED, problems, parse_date, cells[JOINED], today)
    phone = _field(number, PHONE, problems, parse_phone, cells[PHONE])
    staff_no = _field(number, STAFF_NO, problems, parse_staff_no, cells[STAFF_NO])
    role = _optional(cells[ROLE])
    if standing is not None:
        member = Standing(str(standing)) in PARTY_STANDINGS
        if role and not member:
            problems.append(RowProblem(number, ROLE, "role_needs_member", role))
        if joined is not None and not member:
            problems.append(RowProblem(number, JOINED, "joined_needs_member"))
    if problems:
        return None, problems
    return (
        MemberRecord(
            number, cells[NAME], cells[UNIT], str(standing), role, _optional(cells[JOB]),
            staff_no if isinstance(staff_no, str) else None, str(gender),
            joined if isinstance(joined, date) else None, str(phone),
        ),
        [],
    )  # fmt: skip


def unit_rows(rows: Sequence[tuple[int, Mapping[str, str]]]) -> tuple[list[UnitRecord], list[RowProblem]]:
    """Every row checked; names and codes unique in the file. The good rows, and every problem (the caller
    adds what only the database knows before it refuses the file)."""
    if len(rows) > MAX_ROWS:
        return [], [RowProblem(0, "", "too_many_rows", str(MAX_ROWS))]
    problems: list[RowProblem] = [] if rows else [RowProblem(0, "", "no_rows")]
    records: list[UnitRecord] = []
    names: dict[str, int] = {}
    codes: dict[str, int] = {}
    for number, row in rows:
        record, found = check_unit_row(number, row)
        problems += found
        problems += _repeated(names, normalise_text(row.get(UNIT_NAME) or ""), number, UNIT_NAME)
        problems += _repeated(codes, _plain(row.get(UNIT_CODE) or "").lower(), number, UNIT_CODE)
        if record is not None:
            records.append(record)
    return records, problems


def check_unit_rows(rows: Sequence[tuple[int, Mapping[str, str]]]) -> list[UnitRecord]:
    """``unit_rows``, raising ``RosterRejected`` with every problem."""
    records, problems = unit_rows(rows)
    if problems:
        raise RosterRejected(problems)
    return records


def _repeated(seen: dict[str, int], key: str, number: int, column: str) -> list[RowProblem]:
    if not key:
        return []
    if key in seen:
        return [RowProblem(number, column, "repeated", str(seen[key]))]
    seen[key] = number
    return []


def member_rows(
    rows: Sequence[tuple[int, Mapping[str, str]]], today: date
) -> tuple[list[MemberRecord], list[RowProblem]]:
    """Every row checked; a 工号 appears once; the same name twice in one unit needs 工号 on both rows to tell
    the two apart. The good rows, and every problem (the caller adds what only the database knows)."""
    if len(rows) > MAX_ROWS:
        return [], [RowProblem(0, "", "too_many_rows", str(MAX_ROWS))]
    problems: list[RowProblem] = [] if rows else [RowProblem(0, "", "no_rows")]
    records: list[MemberRecord] = []
    for number, row in rows:
        record, found = check_member_row(number, row, today)
        problems += found
        if record is not None:
            records.append(record)
    problems += duplicate_problems([(number, _who(row)) for number, row in rows])
    return records, problems


def check_member_rows(rows: Sequence[tuple[int, Mapping[str, str]]], today: date) -> list[MemberRecord]:
    """``member_rows``, raising ``RosterRejected`` with every problem, in row order."""
    records, problems = member_rows(rows, today)
    if problems:
        raise RosterRejected(sorted(problems, key=lambda p: p.row))
    return records


def _who(row: Mapping[str, str]) -> tuple[str, str, str]:
    """(姓名, 所在单位, 工号) as compared for duplicates, whether or not the rest of the row is valid."""
    staff_no = _optional(_plain(row.get(STAFF_NO) or ""))
    return normalise_text(row.get(NAME) or ""), normalise_text(row.get(UNIT) or ""), staff_no


def duplicate_problems(people: Sequence[tuple[int, tuple[str, str, str]]]) -> list[RowProblem]:
    """A 工号 twice; the same 姓名 twice in one unit where either row has no 工号 (who is who?).
    ``people``: (row number, (姓名, 所在单位, 工号))."""
    problems: list[RowProblem] = []
    staff: dict[str, int] = {}
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for number, (name, unit, staff_no) in people:
        problems += _repeated(staff, staff_no, number, STAFF_NO)
        if not name:
            continue
        earlier = first.setdefault((unit, name), (number, staff_no))
        if earlier[0] != number and not (earlier[1] and staff_no):
            problems.append(RowProblem(number, NAME, "name_twice", str(earlier[0])))
    return problems


@dataclass(frozen=True)
class Known:
    """Someone already on the roster, as matching needs them."""

    id: int
    name: str
    unit_id: int
    staff_no: str | None
    closed: bool = False


def match_member(
    record: MemberRecord,
    unit_id: int,
    by_staff_no: Mapping[str, Known],
    by_name: Mapping[tuple[int, str], Sequence[Known]],
) -> Known | None:
    """Who a roster row is (re-importing updates, never duplicates): the one holding its 工号; else the one
    person of that name in that unit — without a 工号 of their own if the row has one (another 工号 is
    another person), the one still on the roster if some have left. ``FieldError("ambiguous")`` when that
    leaves two (the row needs a 工号); None for someone new."""
    if record.staff_no and record.staff_no in by_staff_no:
        return by_staff_no[record.staff_no]
    candidates = [k for k in by_name.get((unit_id, record.name), ()) if not (record.staff_no and k.staff_no)]
    if len(candidates) > 1:
        candidates = [k for k in candidates if not k.closed]
    if len(candidates) > 1:
        raise FieldError("ambiguous")
    return candidates[0] if candidates else None
