"""Reading the setup and settings forms: the mine's fields, the first administrator, the setup key."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from inspect_app.domain.mine import LIMITS, MineFields, mine_problems
from inspect_app.domain.text import form_text
from inspect_app.i18n import hidden_message

from . import messages
from .services import FirstAdmin, setup_key_matches

USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
FIELDS = ("name", "short_name", "committee_name", "base_url", "doc_code")


def parse_mine(form: MultiDict[str, str]) -> tuple[MineFields, dict[str, str]]:
    checked = {k: form_text(form.get(k, "")) for k in FIELDS}
    text = {k: value.strip() for k, (value, _hidden) in checked.items()}
    fields = MineFields(
        name=text["name"][: LIMITS["name"] + 1],
        short_name=text["short_name"][: LIMITS["short_name"] + 1],
        committee_name=text["committee_name"][: LIMITS["committee_name"] + 1],
        time_zone=form.get("time_zone", "").strip()[:64],
        base_url=text["base_url"].rstrip("/")[: LIMITS["base_url"] + 1],
        doc_code=text["doc_code"][: LIMITS["doc_code"] + 1],
    )
    errors = {k: messages.mine_problem(code, LIMITS.get(k, 0)) for k, code in mine_problems(fields).items()}
    errors |= {k: hidden_message() for k, (_value, hidden) in checked.items() if hidden}
    return fields, errors


def parse_admin(form: MultiDict[str, str]) -> tuple[FirstAdmin | None, dict[str, str]]:
    from inspect_app.domain.passwords import password_problem

    username = form.get("username", "").strip()
    display_name, hidden = form_text(form.get("display_name", ""))
    display_name = display_name.strip()
    password = form.get("password", "")
    errors: dict[str, str] = {}
    if not USERNAME.fullmatch(username):
        errors["username"] = _("3 to 64 letters, digits, dots, dashes or underscores.")
    if hidden:
        errors["display_name"] = hidden_message()
    elif not display_name or len(display_name) > 64:
        errors["display_name"] = _("Give a name of at most %(n)d characters.", n=64)
    problem = password_problem(password, username, display_name)
    if problem:
        errors["password"] = messages.password_problem(problem)
    elif password != form.get("password2", ""):
        errors["password2"] = _("The two passwords differ.")
    if errors:
        return None, errors
    return FirstAdmin(username, display_name, password), {}


def check_key(form: MultiDict[str, str]) -> dict[str, str]:
    if setup_key_matches(form.get("setup_key", "")[:64]):
        return {}
    return {"setup_key": _("Wrong setup key. Print it on the server with: flask --app inspect_app setup-key")}
