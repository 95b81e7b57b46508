"""What the password pages say for each rule of the password policy (``domain.passwords``)."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.domain.passwords import MAX_LENGTH, MIN_LENGTH


def password_message(problem: str) -> str:
    """The message for a password refused by ``password_problem``."""
    return {
        "too_short": _("The password needs at least %(n)d characters.", n=MIN_LENGTH),
        "too_long": _("The password may have at most %(n)d characters.", n=MAX_LENGTH),
        "common": _(
            "This password is among the most common ones (such as 123456789 or woaini1314) and is guessed "
            "first. Choose another."
        ),
        "like_username": _("The password must not contain your username or name."),
        "one_kind": _(
            "The password is one character repeated or a run of the keyboard or of numbers. Choose another."
        ),
    }.get(problem, _("This password cannot be used. Choose another."))
