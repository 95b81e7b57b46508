"""What the group's pages say about a refused sheet of mines, a standard or a password."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.auth.messages import password_message
from inspect_app.domain.standards import RowProblem
from inspect_app.standards import messages as standard_messages
from inspect_app.tables_in import FileRefused


def row_problem(p: RowProblem) -> str:
    text = {
        "required": _("required."),
        "bad_code": _(
            "「%(value)s」 is not a mine code: 2 to 16 small letters, digits or _, starting with a letter.",
            value=p.detail,
        ),
        "code_taken": _("the group already has a mine 「%(value)s」.", value=p.detail),
        "code_twice": _("this code already appears in row %(row)s.", row=p.detail),
        "bad_username": _(
            "「%(value)s」 is not a username: 3 to 64 letters, digits, dots, dashes or underscores.",
            value=p.detail,
        ),
        "too_long": _("too long."),
        "bad_zone": _("not a time zone such as Asia/Shanghai."),
        "bad_url": _("not an address such as https://inspect.example.cn."),
        "bad_doc_code": _("the document code has no brackets or digits (e.g. 矿党发)."),
        "empty": _("The file has no mines."),
        "too_many_rows": _("at most %(n)s mines in one file.", n=p.detail),
    }.get(p.code, _("not valid."))
    where = f"「{p.column}」" if p.column else ""
    if p.row:
        return _("Row %(row)d%(column)s: %(text)s", row=p.row, column=where, text=text)
    return text


def file_problem(refused: FileRefused) -> str:
    return standard_messages.file_problem(refused)


def standard_problems(error: Exception) -> list[str]:
    if isinstance(error, FileRefused):
        return [standard_messages.file_problem(error)]
    return [standard_messages.problem(p) for p in getattr(error, "problems", ())]


def refused(code: str) -> str:
    return {
        "code_taken": _(
            "Another administrator has just added a mine with one of these codes. Nothing was added."
        ),
        "profession_differs": _("A group standard with this title exists for another profession."),
        "wrong_password": _("The current password is wrong."),
        "mismatch": _("The two new passwords are not the same."),
        "username_taken": _("This username is already taken. Choose another."),
    }.get(code, _("This cannot be done."))


def password(code: str) -> str:
    return password_message(code)
