"""What the account pages say when a change is refused."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.auth.messages import password_message

from .services import AccountRefused


def refusal(refused: AccountRefused) -> str:
    if refused.code == "weak_password":
        return password_message(refused.problem)
    return {
        "bad_username": _("A username has 3 to 64 characters: Latin letters, digits and . _ -"),
        "bad_display_name": _("Write the name shown on screen (at most 64 characters, one line)."),
        "bad_role": _("Choose a role from the list."),
        "unit_required": _("A branch secretary needs the unit of their branch."),
        "unit_not_allowed": _("Only a branch secretary is tied to a unit: leave the unit empty."),
        "username_taken": _("This username is already taken. Choose another."),
        "unknown_unit": _("Choose an open unit from the list."),
        "unknown_member": _("Choose a person from the roster list."),
        "member_linked": _("This person on the roster already has an account."),
        "no_account": _("This account does not exist."),
        "own_account": _("You cannot do this to your own account. Use “Change password” for your password."),
        "last_admin": _("This is the last active administrator: it cannot be disabled."),
        "stale_form": _("This page was out of date. Reload the list and try again."),
        "mismatch": _("The two new passwords are not the same."),
        "wrong_password": _("The current password is wrong."),
        "unchanged": _("The new password must differ from the current one."),
    }.get(refused.code, _("The change could not be made."))
