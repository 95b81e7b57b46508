"""A coal group's mines from one spreadsheet (issue 23): each row a mine with its code, its names and its
first administrator. Pure: rows in, mines or every problem by row and column out (a file with any problem
is refused whole, as the organisation imports are)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .mine import MineFields, committee_suggestion, mine_problems
from .standards import RowProblem

CODE = re.compile(r"[a-z][a-z0-9_]{1,15}")
USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
#: the sheet's headers, in order (the first five are required)
HEADERS = ("代码", "矿井全称", "简称", "管理员账号", "管理员姓名", "党委名称", "时区", "公网地址", "发文代字")
REQUIRED = HEADERS[:5]
MAX_ROWS = 500
#: problem codes of MineFields' checks, by the header they are about
_FIELD_COLUMNS = {
    "name": "矿井全称",
    "short_name": "简称",
    "committee_name": "党委名称",
    "time_zone": "时区",
    "base_url": "公网地址",
    "doc_code": "发文代字",
}


@dataclass(frozen=True)
class MineRow:
    code: str
    fields: MineFields
    admin_username: str
    admin_name: str


def check_mine_rows(
    rows: Sequence[tuple[int, Mapping[str, str]]], taken: Collection[str]
) -> tuple[list[MineRow], list[RowProblem]]:
    """Mines to add, or the problems (all of them, in one pass). ``taken``: codes the group already has."""
    if not rows:
        return [], [RowProblem(0, "empty")]
    if len(rows) > MAX_ROWS:
        return [], [RowProblem(0, "too_many_rows", detail=str(MAX_ROWS))]
    mines: list[MineRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        mine, found = _row(number, cells)
        problems += found
        if mine is None:
            continue
        if mine.code in taken:
            problems.append(RowProblem(number, "code_taken", "代码", mine.code))
        elif mine.code in seen:
            problems.append(RowProblem(number, "code_twice", "代码", str(seen[mine.code])))
        seen.setdefault(mine.code, number)
        mines.append(mine)
    return (mines, []) if not problems else ([], problems)


def _row(number: int, cells: Mapping[str, str]) -> tuple[MineRow | None, list[RowProblem]]:
    get = {h: (cells.get(h) or "").strip() for h in HEADERS}
    problems = [RowProblem(number, "required", h) for h in REQUIRED if not get[h]]
    code = get["代码"].lower()
    if code and not CODE.fullmatch(code):
        problems.append(RowProblem(number, "bad_code", "代码", get["代码"][:32]))
    if get["管理员账号"] and not USERNAME.fullmatch(get["管理员账号"]):
        problems.append(RowProblem(number, "bad_username", "管理员账号", get["管理员账号"][:64]))
    if len(get["管理员姓名"]) > 64:
        problems.append(RowProblem(number, "too_long", "管理员姓名", "64"))
    fields = MineFields(
        name=get["矿井全称"],
        short_name=get["简称"],
        committee_name=get["党委名称"] or committee_suggestion(get["简称"]),
        time_zone=get["时区"] or "Asia/Shanghai",
        base_url=get["公网地址"],
        doc_code=get["发文代字"],
    )
    for key, problem in mine_problems(fields).items():
        if problem != "required":  # the required cells were named above
            problems.append(RowProblem(number, problem, _FIELD_COLUMNS[key]))
    if problems:
        return None, problems
    return MineRow(code, fields, get["管理员账号"].lower(), get["管理员姓名"]), []
