"""What the organisation pages say when a change or an import is refused: row by row, column by column."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.domain.roster import MAX_ROWS, RowProblem

from .services import ImportRefused, OrgRefused


def codes() -> dict[str, str]:
    """Messages shared by the forms and the imports (``%(detail)s``: the value, limit or other row)."""
    return {
        "required": _("This is required."),
        "too_long": _("Too long: at most %(detail)s characters."),
        "hidden_chars": _("This text contains invisible control characters. Type it again."),
        "unknown_kind": _("「%(detail)s」 is not a unit type: write 区队 or 科室."),
        "unknown_profession": _(
            "「%(detail)s」 is not a profession: write 采煤, 掘进, 机电, 运输, 通风, "
            "地测防治水, 安全, 后勤服务 or 其他, or leave it empty."
        ),
        "bad_code": _(
            "「%(detail)s」 is not a unit code: use at most 16 lower-case letters, digits, - or _."
        ),
        "code_taken": _("The unit code 「%(detail)s」 belongs to another unit."),
        "unknown_gender": _("「%(detail)s」 is not a gender: write 男 or 女, or leave it empty."),
        "unknown_standing": _(
            "「%(detail)s」 is not a political status: write 中共党员, 中共预备党员, 入党积极分子 or 群众."
        ),
        "bad_date": _("「%(detail)s」 is not a date: write 2019-07-01, 2019/7/1, 2019年7月1日 or 2019.07."),
        "future_date": _("「%(detail)s」 is in the future."),
        "bad_phone": _(
            "「%(detail)s」 is not a mobile number: 11 digits starting with 1, or leave it empty."
        ),
        "bad_staff_no": _("「%(detail)s」 is not a staff number: use letters and digits only."),
        "role_needs_member": _("Only Party members and probationary members hold a Party office."),
        "joined_needs_member": _(
            "Only Party members and probationary members have a date of joining the Party."
        ),
        "repeated": _("Already in row %(detail)s of this file."),
        "name_twice": _(
            "The same name is already in row %(detail)s for this unit: give both rows their staff "
            "numbers (工号)."
        ),
        "unknown_unit": _(
            "There is no unit 「%(detail)s」. Import or add the unit first, or correct the name."
        ),
        "unit_closed": _("The unit 「%(detail)s」 is closed."),
        "ambiguous": _(
            "There are several people called 「%(detail)s」 in this unit: add the staff number "
            "(工号) to tell which one is meant."
        ),
        "same_person": _("Row %(detail)s already updates the same person."),
        "staff_no_other_name": _(
            "This staff number (工号) belongs to 「%(detail)s」 on the roster. Correct the number, or rename "
            "the member on their page first."
        ),
    }


def field_message(code: str, detail: str) -> str:
    return codes().get(code, _("This value is not valid.")) % {"detail": detail}


def problem(p: RowProblem) -> str:
    """One row's problem with its row number and column, as the spreadsheet shows them."""
    if p.code == "too_many_rows":
        return _("At most %(n)d rows in one file.", n=MAX_ROWS)
    if p.code == "no_rows":
        return _("The file has a header row but no rows below it.")
    text = field_message(p.code, p.detail)
    if p.column:
        return _("Row %(row)d, column 「%(col)s」: %(text)s", row=p.row, col=p.column, text=text)
    return _("Row %(row)d: %(text)s", row=p.row, text=text)


def import_problems(refused: ImportRefused) -> list[str]:
    if refused.code == "rows":
        return [problem(p) for p in refused.problems]
    return [
        {
            "unreadable": _("The file could not be read. Save it as .xlsx or as .csv and try again."),
            "empty": _("The file is empty."),
            "headers_missing": _(
                "The first row must hold the column headers; missing: %(cols)s.", cols=refused.detail
            ),
            "unknown_type": _("Upload an .xlsx or .csv file."),
            "too_large": _(
                "The file is too large (at most 2 MB and %(n)d rows). Save only the roster sheet and "
                "try again.",
                n=MAX_ROWS,
            ),
        }.get(refused.code, refusal(refused))
    ]


def refusal(refused: OrgRefused) -> str:
    if refused.code in codes():
        return codes()[refused.code] % {"detail": refused.detail}
    return {
        "forbidden": _("Your role cannot change the organisation."),
        "not_found": _("This is not on the roster."),
        "name_required": _("Give it a name."),
        "name_taken": _("「%(name)s」 already exists.", name=refused.detail),
        "staff_no_taken": _("The staff number (工号) 「%(n)s」 belongs to someone else.", n=refused.detail),
        "already_closed": _("This is already closed."),
        "branch_has_open_units": _(
            "The branch still has %(n)s open units: move them to another branch or close them first.",
            n=refused.detail,
        ),
        "referenced": _("Posts, members, accounts or rounds refer to it: close it instead of deleting it."),
        "conflict": _("Someone else changed the roster at the same time. Try again."),
    }.get(refused.code, _("Not saved."))


def references(found: dict[str, int]) -> str:
    """What keeps a unit from being deleted, e.g. 3 posts, 12 members."""
    names = {
        "posts": _("%(n)d posts"),
        "members": _("%(n)d members"),
        "accounts": _("%(n)d accounts"),
        "rounds": _("%(n)d rounds"),
        "rectifications": _("%(n)d rectifications"),
    }
    return "、".join(names[key] % {"n": n} for key, n in found.items())
