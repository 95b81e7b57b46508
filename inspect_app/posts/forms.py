"""Reading the post form (五明确 and the board's text) into a ``PostInput``, with a message per bad field.

Missing clarities are allowed here (a draft may be incomplete); applying checks them. What is refused here
is input that cannot be stored: unknown choices, bad dates, text beyond its column.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from inspect_app.domain.enums import Profession, values
from inspect_app.domain.text import form_text
from inspect_app.i18n import hidden_message

from .services import PostInput

LIMITS = {
    "name": 64,
    "area": 500,
    "basis": 200,
    "assessor": 128,
    "assessment": 500,
    "duties": 1000,
    "commitment": 300,
}
MAX_DEMONSTRATORS = 12


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _int_or_none(text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ValueError(text)
    return int(text)


def _demonstrators(form: MultiDict[str, str], errors: dict[str, str]) -> tuple[int, ...]:
    """The ticked roster people, the post leader (岗长, ``leader``) first."""
    raw_ids = [v for v in form.getlist("demonstrator") if v]
    if (
        not all(v.isascii() and v.isdigit() and len(v) < 10 for v in raw_ids)
        or len(raw_ids) > MAX_DEMONSTRATORS
    ):
        errors["demonstrator"] = _("Choose at most %(n)d people from the list.", n=MAX_DEMONSTRATORS)
        return ()
    ids = tuple(dict.fromkeys(int(v) for v in raw_ids))
    leader = form.get("leader", "")
    if leader and leader.isascii() and leader.isdigit() and int(leader) in ids:
        return (int(leader), *(i for i in ids if i != int(leader)))
    if leader and ids:
        errors["demonstrator"] = _("The post leader must be one of the ticked demonstrators.")
    return ids


def parse_post(form: MultiDict[str, str], unit_id: int | None) -> tuple[PostInput | None, dict[str, str]]:
    """``unit_id`` is forced for a branch secretary; otherwise read from the form."""
    checked = {k: form_text(form.get(k, "")) for k in LIMITS}
    text = {k: value for k, (value, _hidden) in checked.items()}
    errors = {k: _("At most %(n)d characters.", n=n) for k, n in LIMITS.items() if len(text[k]) > n}
    errors |= {k: hidden_message() for k, (_value, hidden) in checked.items() if hidden}
    if not text["name"]:
        errors["name"] = _("Give the post a name.")
    profession = form.get("profession", "")
    if profession not in values(Profession):
        errors["profession"] = _("Choose a profession.")
    try:
        unit = unit_id if unit_id is not None else _int_or_none(form.get("unit_id", "")) or 0
        if not unit:
            raise ValueError("no unit")
    except ValueError:
        errors["unit_id"] = _("Choose a unit.")
        unit = 0
    try:
        version = _int_or_none(form.get("standard_version_id", ""))
    except ValueError:
        errors["standard_version_id"] = _("Choose a standard from the list.")
        version = None
    try:
        start, end = _date(form.get("start_date", "")), _date(form.get("end_date", ""))
    except ValueError:
        errors["start_date"] = _("Dates are written as 2026-01-31.")
        start = end = None
    if start and end and end < start:
        errors["end_date"] = _("The end date is before the start date.")
    ids = _demonstrators(form, errors)
    if errors:
        return None, errors
    data = PostInput(
        name=text["name"],
        unit_id=unit,
        profession=profession,
        area=text["area"],
        basis=text["basis"],
        standard_version_id=version,
        assessor=text["assessor"],
        assessment=text["assessment"],
        duties=text["duties"],
        commitment=text["commitment"],
        start_date=start,
        end_date=end,
        demonstrator_ids=ids,
    )
    return data, {}
