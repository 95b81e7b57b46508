"""Reading the unit, branch and member forms into the services' inputs, with a message per bad field.

The field rules are the roster import's (``domain.roster``), so a member typed in and one imported are held
to the same standard; the services check again whatever needs the database (names and 工号 taken).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from inspect_app import clock
from inspect_app.domain import roster
from inspect_app.domain.enums import Standing, UnitKind, UnitProfession, values
from inspect_app.domain.roster import FieldError
from inspect_app.domain.text import form_text
from inspect_app.i18n import hidden_message
from inspect_app.params import key

from .messages import field_message
from .services import MemberInput, UnitInput

Errors = dict[str, str]


def _texts(form: MultiDict[str, str], limits: dict[str, int]) -> tuple[dict[str, str], Errors]:
    checked = {k: form_text(form.get(k, "")) for k in limits}
    text = {k: value for k, (value, _hidden) in checked.items()}
    errors = {k: _("At most %(n)d characters.", n=n) for k, n in limits.items() if len(text[k]) > n}
    errors |= {k: hidden_message() for k, (_value, hidden) in checked.items() if hidden}
    return text, errors


def parse_branch(form: MultiDict[str, str]) -> tuple[str | None, Errors]:
    text, errors = _texts(form, {"name": 64})
    if not text["name"]:
        errors["name"] = _("Give it a name.")
    return (None, errors) if errors else (text["name"], {})


def parse_unit(form: MultiDict[str, str]) -> tuple[UnitInput | None, Errors]:
    text, errors = _texts(form, {"name": 64, "branch": 64, "code": 16})
    if not text["name"]:
        errors["name"] = _("Give it a name.")
    kind, profession = form.get("kind", ""), form.get("profession", "")
    if kind not in values(UnitKind):
        errors["kind"] = _("Choose 区队 or 科室.")
    if profession and profession not in values(UnitProfession):
        errors["profession"] = _("Choose a profession from the list.")
    if not text["branch"]:
        errors["branch"] = _("Name the unit's Party branch.")
    try:
        code = roster.parse_unit_code(text["code"])
    except FieldError:
        errors["code"] = field_message("bad_code", text["code"])
        code = ""
    if errors:
        return None, errors
    return UnitInput(text["name"], kind, profession, text["branch"], code), {}


def _field(errors: Errors, name: str, parse: Callable[..., object], value: str, *args: object) -> object:
    try:
        return parse(value, *args)
    except FieldError as error:
        errors[name] = field_message(error.code, value)
        return None


def parse_member(form: MultiDict[str, str], unit_id: int | None = None) -> tuple[MemberInput | None, Errors]:
    text, errors = _texts(
        form, {"name": 32, "party_role": 32, "job": 32, "staff_no": 32, "phone": 20, "joined_on": 20}
    )
    if not text["name"]:
        errors["name"] = _("Give the member's name.")
    try:
        unit = unit_id or key(form.get("unit_id", ""))
    except ValueError:
        errors["unit_id"] = _("Choose a unit.")
        unit = 0
    standing, gender = form.get("standing", ""), form.get("gender", "")
    if standing not in values(Standing):
        errors["standing"] = _("Choose a political status.")
    if gender not in ("", "m", "f"):
        errors["gender"] = _("Choose 男 or 女.")
    joined = _field(errors, "joined_on", roster.parse_date, text["joined_on"], clock.today())
    phone = _field(errors, "phone", roster.parse_phone, text["phone"])
    staff_no = _field(errors, "staff_no", roster.parse_staff_no, text["staff_no"])
    if errors:
        return None, errors
    data = MemberInput(
        name=text["name"],
        unit_id=unit,
        standing=standing,
        party_role=text["party_role"],
        job=text["job"],
        staff_no=staff_no if isinstance(staff_no, str) else None,
        gender=gender,
        joined_on=joined if isinstance(joined, date) else None,
        phone=str(phone or ""),
    )
    return data, {}
