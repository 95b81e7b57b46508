"""Words for the setup area's problem codes."""

from __future__ import annotations

from flask_babel import gettext as _


def mine_problem(code: str, limit: int) -> str:
    return {
        "required": _("Required."),
        "too_long": _("At most %(n)d characters.", n=limit),
        "bad_zone": _("Choose a time zone from the list."),
        "bad_url": _("Write the address as https://host or https://host:port, without a path."),
        "bad_doc_code": _("Only the code: the year, brackets and number are added to each document."),
    }.get(code, _("Check this entry."))


def password_problem(code: str) -> str:
    from inspect_app.auth.messages import password_message

    return password_message(code)


def refused(code: str) -> str:
    return {
        "done": _("This mine is already set up. Setup cannot run twice."),
        "admin_needed": _("Create the first administrator."),
        "not_set_up": _("The mine is not set up yet."),
        "username_taken": _("This username is already taken. Choose another."),
    }.get(code, _("Some entries need correcting."))
