"""The audit log as people read it: each entry's action, record and changed fields in words, values in the
labels the pages use (状态 已挂牌, not ``"status": "listed"``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspect_app.i18n import STANDINGS, label

ENTITIES = {
    "post": _l("Model post"),
    "round": _l("Round"),
    "notice": _l("Notice"),
    "rectification": _l("Rectification"),
    "feedback": _l("Miner's note"),
    "standard": _l("Standard"),
    "unit": _l("Unit"),
    "branch": _l("Party branch"),
    "member": _l("Member"),
    "user": _l("Account"),
    "mine": _l("Mine"),
    "plan": _l("Plan line"),
    "review": _l("Quarterly review"),
    "annual": _l("Year-end evaluation"),
    "channel": _l("Work-chat channel"),
    "message": _l("Work-chat message"),
}

FIELDS = {
    "name": _l("Name"),
    "title": _l("Title"),
    "status": _l("Status"),
    "note": _l("Note"),
    "code": _l("Code"),
    "unit": _l("Unit"),
    "unit_id": _l("Unit"),
    "profession": _l("Profession"),
    "area": _l("Area (明确区域)"),
    "basis": _l("Basis (示范依据)"),
    "standard": _l("Standard"),
    "assessor": _l("Assessor"),
    "assessment": _l("Assessment"),
    "duties": _l("Duties"),
    "commitment": _l("Commitment"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "demonstrators": _l("Demonstrators"),
    "achievements": _l("Achievements"),
    "closed_on": _l("Closed on"),
    "active": _l("Active"),
    "role": _l("Role"),
    "username": _l("Username"),
    "display_name": _l("Name shown"),
    "must_change_password": _l("Must change password"),
    "kind": _l("Kind"),
    "mode": _l("Mode"),
    "anonymous": _l("Anonymous"),
    "period": _l("Period"),
    "posts": _l("Posts"),
    "min_sheets": _l("Quorum of sheets"),
    "trim": _l("Drop highest and lowest"),
    "serial": _l("Card number"),
    "serials": _l("Card numbers"),
    "number": _l("Number"),
    "reply": _l("Reply"),
    "decision": _l("Decision"),
    "responsible": _l("Responsible person"),
    "deadline": _l("Deadline"),
    "checker": _l("Re-checked by"),
    "problem": _l("Problem"),
    "measures": _l("Rectification measures"),
    "file": _l("File"),
    "party_role": _l("Party post"),
    "job": _l("Job"),
    "standing": _l("Political status"),
    "staff_no": _l("Staff number"),
    "phone": _l("Phone"),
    "gender": _l("Gender"),
    "joined_on": _l("Joined the Party on"),
    "branch": _l("Party branch"),
    "portrait": _l("Portrait"),
    "time_zone": _l("Time zone"),
    "short_name": _l("Short name"),
    "committee_name": _l("Party committee"),
    "base_url": _l("Public address"),
    "doc_code": _l("Document code"),
    "added": _l("Added"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "rechecked_on": _l("Re-checked on"),
    "recheck_note": _l("Re-check note"),
    "recheck_sheet_id": _l("Re-check sheet"),
    "done_on": _l("Reported done on"),
    "done_note": _l("Done note"),
    "photos": _l("Photos"),
    "sessions_ended": _l("Sessions ended"),
    "status_reason": _l("Reason"),
    "revision": _l("Revision"),
    "member_id": _l("Member"),
    "responsible_member_id": _l("Responsible person"),
    "checker_user_id": _l("Re-checked by"),
    "round": _l("Round"),
    "post": _l("Model post"),
    "sheet": _l("Sheet"),
    "rounds": _l("Rounds"),
    "rectifications": _l("Rectifications"),
    "members": _l("Members"),
    "items": _l("Items"),
    "points": _l("Points"),
    "sections": _l("Sections"),
    "pairs": _l("Mutual check (互查)"),
    "plan": _l("Plan line"),
    "scope": _l("Posts"),
    "weekday": _l("Day of the week"),
    "rotate": _l("Units rotate monthly"),
    "valid_from": _l("Holds from"),
    "valid_to": _l("Until"),
    "next": _l("Next line"),
    "quarter": _l("Quarter"),
    "decisions": _l("Decisions"),
    "notice": _l("Notice"),
    "address": _l("Address"),
    "events": _l("Events it takes"),
}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def entity_label(entity: str) -> str:
    return str(ENTITIES.get(entity, entity))


def field_label(key: str) -> str:
    return str(FIELDS.get(key, key))


def record_id(entity_id: str) -> str:
    """The record's key as shown (a whole import has no single record)."""
    return _("(a whole file)") if entity_id == "import" else entity_id


def value_text(value: Any, key: str = "") -> str:
    """A stored value in words: yes/no, dates as written, lists joined, codes through the page labels."""
    if key == "standing" and value in STANDINGS:
        return str(STANDINGS[value])
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "，".join(value_text(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "；".join(value_text(v) for v in value)
    return label(str(value))


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields that differ (all of them for a record created or deleted), in the order stored."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    found = [Change(field_label(k), value_text(before.get(k), k), value_text(after.get(k), k)) for k in keys]
    return [change for change in found if change.before != change.after]
