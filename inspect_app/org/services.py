"""Changes to the mine's organisation, each one transaction with its audit entries: Party branches (党支部),
units (区队/科室), the member roster (花名册), and imports of the organisation department's spreadsheets.

Nothing here needs a request: the demo loader and first-run setup call these from the CLI. Who may change
the organisation is checked here too (the organisation department, the Party committee, the administrator,
or the system itself), so a service called from anywhere stays safe. Units and branches that anything refers
to are closed, never deleted; members are closed when they leave, never deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from inspect_app import clock
from inspect_app.audit import Actor, record
from inspect_app.database import Lock, hold_in_session, write_transaction
from inspect_app.domain import roster
from inspect_app.domain.enums import PARTY_STANDINGS, Role, Standing, UnitKind, UnitProfession, values
from inspect_app.domain.roster import FieldError, RowProblem
from inspect_app.domain.text import normalise_text
from inspect_app.extensions import db
from inspect_app.models import Branch, Member, Post, Rectification, Round, Unit, User
from inspect_app.tables_in import FileRefused, Layout, read_upload

#: roles that change the organisation; "system" is the demo loader and first-run setup
EDITORS = frozenset({Role.ADMIN.value, Role.COMMITTEE.value, Role.HR.value, "system"})
UNITS_LAYOUT = Layout(
    roster.UNIT_HEADERS, roster.UNIT_REQUIRED, roster.MAX_ROWS, aliases=roster.HEADER_ALIASES
)
MEMBERS_LAYOUT = Layout(
    roster.MEMBER_HEADERS, roster.MEMBER_REQUIRED, roster.MAX_ROWS, aliases=roster.HEADER_ALIASES
)
#: HTTP status of a file refused before its rows are read
FILE_STATUS = {"too_large": 413, "headers_missing": 422}


class OrgRefused(Exception):
    """The change was not made; ``code`` names why for the UI, ``status`` is the HTTP status, ``detail``
    a figure or name the message shows."""

    def __init__(self, code: str, status: int = 409, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.detail = detail


@contextmanager
def _writing() -> Iterator[None]:
    """An organisation write: one at a time (PostgreSQL does not serialise writers: two saves could both find
    no namesake and both insert), and a unique key another writer took meanwhile is a 409, not a 500."""
    try:
        with write_transaction():
            hold_in_session(Lock.ORGANISATION, 0)
            yield
    except IntegrityError:
        raise OrgRefused("conflict", 409) from None


class ImportRefused(OrgRefused):
    """Nothing was imported: the file could not be read (``code`` is ``FileRefused``'s), or rows are wrong
    (``code`` "rows", every problem with its row and column in ``problems``)."""

    def __init__(self, code: str, status: int, problems: Sequence[RowProblem] = (), detail: str = "") -> None:
        super().__init__(code, status, detail)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class UnitInput:
    name: str
    kind: str = UnitKind.TEAM.value
    profession: str = ""
    branch: str = ""  #: the branch's name; created when missing
    code: str = ""  #: made from the id (u17) when empty


@dataclass(frozen=True)
class MemberInput:
    name: str
    unit_id: int
    standing: str
    party_role: str = ""
    job: str = ""
    staff_no: str | None = None
    gender: str = ""
    joined_on: date | None = None
    phone: str = ""


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    branches_added: tuple[str, ...] = field(default=())


def _allowed(actor: Actor) -> None:
    if actor.role not in EDITORS:
        raise OrgRefused("forbidden", 403)


# --- branches ---------------------------------------------------------------------------------------------


def _branch_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise OrgRefused("name_required", 422)
    if len(name) > 64:
        raise OrgRefused("too_long", 422, "64")
    return name


def _branch_named(actor: Actor, name: str) -> Branch:
    """The branch of that name, created (and logged) when the mine has none yet."""
    branch = db.session.scalars(select(Branch).where(Branch.name == name)).first()
    if branch is None:
        branch = Branch(name=_branch_name(name))
        db.session.add(branch)
        db.session.flush()
        record(actor, "branch.create", "branch", branch.id, None, {"name": branch.name})
    return branch


def add_branch(actor: Actor, name: str) -> int:
    _allowed(actor)
    name = _branch_name(name)
    with _writing():
        if db.session.scalar(select(exists().where(Branch.name == name))):
            raise OrgRefused("name_taken", 409, name)
        return _branch_named(actor, name).id


def _branch(branch_id: int) -> Branch:
    branch = db.session.get(Branch, branch_id)
    if branch is None:
        raise OrgRefused("not_found", 404)
    return branch


def rename_branch(actor: Actor, branch_id: int, name: str) -> None:
    _allowed(actor)
    name = _branch_name(name)
    with _writing():
        branch = _branch(branch_id)
        if name == branch.name:
            return
        if db.session.scalar(select(exists().where(Branch.name == name, Branch.id != branch_id))):
            raise OrgRefused("name_taken", 409, name)
        before = {"name": branch.name}
        branch.name = name
        record(actor, "branch.edit", "branch", branch_id, before, {"name": name})


def close_branch(actor: Actor, branch_id: int) -> None:
    """A branch closes once none of its units is open (move or close them first)."""
    _allowed(actor)
    with _writing():
        branch = _branch(branch_id)
        if branch.closed_on is not None:
            raise OrgRefused("already_closed")
        open_units = db.session.scalar(
            select(func.count(Unit.id)).where(Unit.branch_id == branch_id, Unit.closed_on.is_(None))
        )
        if open_units:
            raise OrgRefused("branch_has_open_units", 409, str(open_units))
        branch.closed_on = clock.today()
        record(actor, "branch.close", "branch", branch_id, None, {"closed_on": branch.closed_on.isoformat()})


def delete_branch(actor: Actor, branch_id: int) -> None:
    """Only a branch no unit ever named (a typing mistake): anything else is closed instead."""
    _allowed(actor)
    with _writing():
        branch = _branch(branch_id)
        if db.session.scalar(select(exists().where(Unit.branch_id == branch_id))):
            raise OrgRefused("referenced")
        record(actor, "branch.delete", "branch", branch_id, {"name": branch.name}, None)
        db.session.delete(branch)


# --- units ------------------------------------------------------------------------------------------------


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise OrgRefused("not_found", 404)
    return unit


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "profession": unit.profession,
        "branch": unit.branch_name,
    }


def _check_unit(data: UnitInput, unit_id: int | None) -> str:
    """The input's code (normalised), or why the unit cannot be stored as given."""
    name = data.name.strip()
    if not name:
        raise OrgRefused("name_required", 422)
    if len(name) > 64 or len(data.branch.strip()) > 64:
        raise OrgRefused("too_long", 422, "64")
    if data.kind not in values(UnitKind):
        raise OrgRefused("unknown_kind", 422)
    if data.profession and data.profession not in values(UnitProfession):
        raise OrgRefused("unknown_profession", 422)
    try:
        code = roster.parse_unit_code(data.code)
    except FieldError:
        raise OrgRefused("bad_code", 422) from None
    others = select(Unit.id).where(Unit.id != unit_id) if unit_id else select(Unit.id)
    if db.session.scalar(others.where(Unit.name == name).exists().select()):
        raise OrgRefused("name_taken", 409, name)
    if code and db.session.scalar(others.where(Unit.code == code).exists().select()):
        raise OrgRefused("code_taken", 409, code)
    return code


def _fresh_unit_code(unit: Unit) -> str:
    """u<id>, or u<id>-2 … if a mine's own code already is that."""
    code, n = f"u{unit.id}", 1
    while db.session.scalar(select(exists().where(Unit.code == code, Unit.id != unit.id))):
        n += 1
        code = f"u{unit.id}-{n}"
    return code


def _new_unit(actor: Actor, data: UnitInput, code: str) -> Unit:
    branch = _branch_named(actor, data.branch.strip()) if data.branch.strip() else None
    # a unique placeholder until the id is known (the code column is NOT NULL and unique)
    unit = Unit(
        name=data.name.strip(),
        kind=data.kind,
        profession=data.profession,
        branch=branch,
        code=code or f"~{uuid.uuid4().hex[:15]}",
    )
    db.session.add(unit)
    db.session.flush()
    if not code:
        unit.code = _fresh_unit_code(unit)
    record(actor, "unit.create", "unit", unit.id, None, unit_snapshot(unit))
    return unit


def add_unit(actor: Actor, data: UnitInput) -> int:
    """A new unit; its branch (by name) is created when the mine has none of that name."""
    _allowed(actor)
    with _writing():
        code = _check_unit(data, None)
        return _new_unit(actor, data, code).id


def _apply_unit(actor: Actor, unit: Unit, data: UnitInput, code: str) -> bool:
    """Whether anything changed; the audit entry keeps before and after (a rename's former name)."""
    before = unit_snapshot(unit)
    branch = _branch_named(actor, data.branch.strip()) if data.branch.strip() else None
    unit.name, unit.kind, unit.profession, unit.branch = data.name.strip(), data.kind, data.profession, branch
    unit.code = code or unit.code
    after = unit_snapshot(unit)
    if after == before:
        return False
    action = "unit.rename" if after["name"] != before["name"] else "unit.edit"
    record(actor, action, "unit", unit.id, before, after)
    return True


def edit_unit(actor: Actor, unit_id: int, data: UnitInput) -> None:
    """Rename or re-file a unit. Documents keep the name they were made with; the log keeps the former one."""
    _allowed(actor)
    with _writing():
        unit = _unit(unit_id)
        code = _check_unit(data, unit_id)
        _apply_unit(actor, unit, data, code)


def unit_references(unit_id: int) -> dict[str, int]:
    """What refers to a unit: posts, members, accounts, rounds, rectifications (0s are left out)."""
    counts = {
        "posts": select(func.count()).select_from(Post).where(Post.unit_id == unit_id),
        "members": select(func.count()).select_from(Member).where(Member.unit_id == unit_id),
        "accounts": select(func.count()).select_from(User).where(User.unit_id == unit_id),
        "rounds": select(func.count()).select_from(Round).where(Round.unit_id == unit_id),
        "rectifications": select(func.count())
        .select_from(Rectification)
        .where(Rectification.unit_id == unit_id),
    }
    found = {name: db.session.scalar(stmt) or 0 for name, stmt in counts.items()}
    return {name: n for name, n in found.items() if n}


def close_unit(actor: Actor, unit_id: int) -> None:
    """Closed from today (the mine's date): kept with its posts, members and history, gone from pickers."""
    _allowed(actor)
    with _writing():
        unit = _unit(unit_id)
        if unit.closed_on is not None:
            raise OrgRefused("already_closed")
        unit.closed_on = clock.today()
        record(actor, "unit.close", "unit", unit_id, None, {"closed_on": unit.closed_on.isoformat()})


def delete_unit(actor: Actor, unit_id: int) -> None:
    """Only a unit nothing refers to (a typing mistake); anything else is closed instead."""
    _allowed(actor)
    with _writing():
        unit = _unit(unit_id)
        if unit_references(unit_id):
            raise OrgRefused("referenced")
        record(actor, "unit.delete", "unit", unit_id, unit_snapshot(unit), None)
        db.session.delete(unit)


# --- members ----------------------------------------------------------------------------------------------


def member_snapshot(member: Member) -> dict[str, Any]:
    return {
        "name": member.name,
        "unit_id": member.unit_id,
        "standing": member.standing,
        "party_role": member.party_role,
        "job": member.job,
        "staff_no": member.staff_no,
        "gender": member.gender,
        "joined_on": member.joined_on.isoformat() if member.joined_on else None,
        "phone": member.phone,
    }


def _check_member(data: MemberInput, member_id: int | None) -> None:
    """The rules of a roster row (``domain.roster``) for one member typed into the form or given by code."""
    if not data.name.strip():
        raise OrgRefused("name_required", 422)
    for value, limit in ((data.name, 32), (data.party_role, 32), (data.job, 32), (data.staff_no or "", 32)):
        if len(value) > limit:
            raise OrgRefused("too_long", 422, str(limit))
    if data.standing not in values(Standing):
        raise OrgRefused("unknown_standing", 422)
    party = Standing(data.standing) in PARTY_STANDINGS
    if data.party_role and not party:
        raise OrgRefused("role_needs_member", 422)
    if data.gender not in ("", "m", "f"):
        raise OrgRefused("unknown_gender", 422)
    if data.joined_on is not None:
        if not party:
            raise OrgRefused("joined_needs_member", 422)
        if data.joined_on > clock.today() or data.joined_on < roster.EARLIEST:
            raise OrgRefused("bad_date", 422)
    try:
        if data.phone and roster.parse_phone(data.phone) != data.phone:
            raise FieldError("bad_phone")
        if data.staff_no and roster.parse_staff_no(data.staff_no) != data.staff_no:
            raise FieldError("bad_staff_no")
    except FieldError as error:
        raise OrgRefused(error.code, 422) from None
    _check_member_place(data, member_id)


def _check_member_place(data: MemberInput, member_id: int | None) -> None:
    unit = db.session.get(Unit, data.unit_id)
    if unit is None:
        raise OrgRefused("unknown_unit", 422)
    others = select(Member.id).where(Member.id != member_id) if member_id else select(Member.id)
    if data.staff_no and db.session.scalar(others.where(Member.staff_no == data.staff_no).exists().select()):
        raise OrgRefused("staff_no_taken", 409, data.staff_no)
    namesakes = others.where(
        Member.unit_id == data.unit_id, Member.name == data.name.strip(), Member.closed_on.is_(None)
    )
    if not data.staff_no:
        twin = db.session.scalar(namesakes.exists().select())
    else:
        twin = db.session.scalar(namesakes.where(Member.staff_no.is_(None)).exists().select())
    if twin:
        raise OrgRefused("name_twice", 409, data.name.strip())


def _set_member(member: Member, data: MemberInput) -> None:
    member.name = data.name.strip()
    member.unit_id = data.unit_id
    member.standing = data.standing
    member.party_member = Standing(data.standing) in PARTY_STANDINGS
    member.party_role = data.party_role.strip()
    member.job = data.job.strip()
    member.staff_no = data.staff_no or None
    member.gender = data.gender
    member.joined_on = data.joined_on
    member.phone = data.phone


def add_member(actor: Actor, data: MemberInput) -> int:
    _allowed(actor)
    with _writing():
        _check_member(data, None)
        unit = db.session.get(Unit, data.unit_id)
        if unit is not None and unit.closed_on is not None:
            raise OrgRefused("unit_closed", 422)
        member = Member(party_member=False)
        _set_member(member, data)
        db.session.add(member)
        db.session.flush()
        record(actor, "member.create", "member", member.id, None, member_snapshot(member))
        return member.id


def _member(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        raise OrgRefused("not_found", 404)
    return member


def edit_member(actor: Actor, member_id: int, data: MemberInput) -> None:
    _allowed(actor)
    with _writing():
        member = _member(member_id)
        _check_member(data, member_id)
        unit = db.session.get(Unit, data.unit_id)
        if unit is not None and unit.closed_on is not None and data.unit_id != member.unit_id:
            raise OrgRefused("unit_closed", 422)
        before = member_snapshot(member)
        _set_member(member, data)
        if member_snapshot(member) != before:
            record(actor, "member.edit", "member", member_id, before, member_snapshot(member))


def close_member(actor: Actor, member_id: int) -> None:
    """Left the unit or the mine (调离, 退休 …): kept with their history, gone from pickers. A login linked to
    the person is disabled with them (its sessions end); an administrator can enable it again."""
    _allowed(actor)
    with _writing():
        member = _member(member_id)
        if member.closed_on is not None:
            raise OrgRefused("already_closed")
        member.closed_on = clock.today()
        record(actor, "member.close", "member", member_id, None, {"closed_on": member.closed_on.isoformat()})
        linked = select(User).where(User.member_id == member_id, User.active.is_(True))
        for user in db.session.scalars(linked):
            if user.role == Role.ADMIN.value:
                continue  # never lock the mine out through the roster; the administrator decides
            user.active = False
            user.session_version += 1
            record(actor, "account.disable", "user", user.id, {"active": True}, {"active": False})


# --- imports ----------------------------------------------------------------------------------------------


def _read(filename: str, data: bytes, layout: Layout) -> list[tuple[int, dict[str, str]]]:
    try:
        return read_upload(filename, data, layout)
    except FileRefused as refused:
        raise ImportRefused(refused.code, FILE_STATUS.get(refused.code, 400), detail=refused.detail) from None


def import_units(actor: Actor, filename: str, data: bytes) -> ImportReport:
    """Units by name: new ones added, known ones brought in line (type, profession, branch, code); branches
    the file names are created. All or nothing."""
    _allowed(actor)
    records, problems = roster.unit_rows(_read(filename, data, UNITS_LAYOUT))
    with _writing():
        branches = set(db.session.scalars(select(Branch.name)))
        units = {u.name: u for u in db.session.scalars(select(Unit))}
        taken = {u.code: u.name for u in units.values()}
        problems += [
            RowProblem(r.row, roster.UNIT_CODE, "code_taken", r.code)
            for r in records
            if r.code and taken.get(r.code, r.name) != r.name
        ]
        if problems:
            raise ImportRefused("rows", 422, sorted(problems, key=lambda p: p.row))
        added = updated = 0
        for r in records:
            given = UnitInput(r.name, r.kind, r.profession, r.branch, r.code)
            if r.name not in units:
                _new_unit(actor, given, r.code)
                added += 1
            elif _apply_unit(actor, units[r.name], given, r.code):
                updated += 1
        new_branches = tuple(sorted({r.branch for r in records} - branches))
        report = ImportReport(added, updated, len(records) - added - updated, new_branches)
        record(actor, "unit.import", "unit", "import", None, {"file": filename[:100], **_counts(report)})
        return report


def _counts(report: ImportReport) -> dict[str, int]:
    return {"added": report.added, "updated": report.updated, "unchanged": report.unchanged}


def import_members(actor: Actor, filename: str, data: bytes) -> ImportReport:
    """The roster (花名册): each row updates the member it matches (``domain.roster.match_member``) or adds
    one; a member who had left and is listed again is back. All or nothing, every problem reported."""
    _allowed(actor)
    rows = _read(filename, data, MEMBERS_LAYOUT)
    records, problems = roster.member_rows(rows, clock.today())
    if any(p.row == 0 for p in problems):  # too many rows, or none
        raise ImportRefused("rows", 422, problems)
    with _writing():
        units = {u.name: u for u in db.session.scalars(select(Unit))}
        problems += _unit_problems(rows, units)
        plan = _plan(records, units, problems)
        if problems:
            raise ImportRefused("rows", 422, sorted(problems, key=lambda p: p.row))
        report = _apply_plan(actor, plan)
        record(actor, "member.import", "member", "import", None, {"file": filename[:100], **_counts(report)})
        return report


def _unit_problems(rows: Sequence[tuple[int, dict[str, str]]], units: dict[str, Unit]) -> list[RowProblem]:
    """所在单位 must name an open unit of the mine (checked on every row, valid or not)."""
    problems = []
    for number, row in rows:
        name = normalise_text(row.get(roster.UNIT) or "")
        unit = units.get(name)
        if name and (unit is None or unit.closed_on is not None):
            code = "unknown_unit" if unit is None else "unit_closed"
            problems.append(RowProblem(number, roster.UNIT, code, name))
    return problems


Plan = list[tuple[roster.MemberRecord, int, Member | None]]


def _plan(records: Sequence[roster.MemberRecord], units: dict[str, Unit], problems: list[RowProblem]) -> Plan:
    """Each row with its unit's id and the member it updates (None: a new one); problems are added to
    ``problems``."""
    members = {m.id: m for m in db.session.scalars(select(Member))}
    known = [
        roster.Known(m.id, m.name, m.unit_id, m.staff_no, m.closed_on is not None) for m in members.values()
    ]
    by_staff_no = {k.staff_no: k for k in known if k.staff_no}
    by_name: dict[tuple[int, str], list[roster.Known]] = {}
    for k in known:
        by_name.setdefault((k.unit_id, k.name), []).append(k)
    plan: Plan = []
    matched: dict[int, int] = {}
    for r in records:
        unit = units.get(r.unit)
        if unit is None or unit.closed_on is not None:
            continue  # reported by _unit_problems
        try:
            found = roster.match_member(r, unit.id, by_staff_no, by_name)
        except FieldError:
            problems.append(RowProblem(r.row, roster.NAME, "ambiguous", r.name))
            continue
        if found is not None and r.staff_no and found.staff_no == r.staff_no and found.name != r.name:
            problems.append(RowProblem(r.row, roster.STAFF_NO, "staff_no_other_name", found.name))
            continue
        if found is not None and found.id in matched:
            problems.append(RowProblem(r.row, roster.NAME, "same_person", str(matched[found.id])))
            continue
        if found is not None:
            matched[found.id] = r.row
        plan.append((r, unit.id, members[found.id] if found else None))
    return plan


def _apply_plan(actor: Actor, plan: Plan) -> ImportReport:
    updated = unchanged = 0
    fresh: list[Member] = []
    for r, unit_id, member in plan:
        data = MemberInput(
            r.name, unit_id, r.standing, r.party_role, r.job, r.staff_no, r.gender, r.joined_on, r.phone
        )
        if member is None:
            member = Member(party_member=False)
            _set_member(member, data)
            fresh.append(member)
            continue
        if member.staff_no and not r.staff_no:  # a file without 工号 does not erase a known one
            data = replace(data, staff_no=member.staff_no)
        before, left = member_snapshot(member), member.closed_on
        _set_member(member, data)
        member.closed_on = None
        if member_snapshot(member) == before and left is None:
            unchanged += 1
            continue
        updated += 1
        if left is not None:  # back on the roster
            before["closed_on"] = left.isoformat()
        record(actor, "member.edit", "member", member.id, before, member_snapshot(member))
    db.session.add_all(fresh)
    db.session.flush()
    for member in fresh:
        record(actor, "member.create", "member", member.id, None, member_snapshot(member))
    return ImportReport(len(fresh), updated, unchanged)
