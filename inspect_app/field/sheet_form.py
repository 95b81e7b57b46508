"""The score sheet form as a page, shared by the signed and the anonymous form: what the template needs
(sections, each rule's limit, problems by item and a summary of them at the top, the values typed) and,
after a refusal, which photos were sent and must be attached again (the phone's script puts them back
by itself)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from inspect_app.domain.scoring import Problem
from inspect_app.domain.standards import sections
from inspect_app.i18n import hidden_message
from inspect_app.models import RoundPost, StandardItem

from .services import rules_of


@dataclass(frozen=True)
class Listed:
    """One line of the summary at the top of a refused form: where the problem is and what it is."""

    anchor: str
    place: str
    message: str


def problem_message(problem: Problem) -> str:
    limit = problem.limit or 0
    return {
        "unknown_item": _("This item is not in the post's standard."),
        "missing_item": _("Enter a number of defects, or mark the item not applicable."),
        "duplicate_item": _("This item was entered twice."),
        "negative_defects": _("The number of defects cannot be negative."),
        "not_a_number": _("Enter a whole number of defects."),
        "over_max": _("Too many: at most %(n)d, which already deducts all of this item's points.", n=limit),
        "unknown_rule": _("This item has only %(n)d deduction rules. Reload the form.", n=limit),
        "veto_not_applicable": _("A veto line without points cannot be marked not applicable."),
        "remark_too_long": _("The remark is too long (at most %(n)d characters).", n=limit),
        "remark_hidden": hidden_message(),
        "nothing_applicable": _("Every item is marked not applicable: there is nothing to score."),
        "photo_not_an_image": _(
            "This file is not a photo: JPEG, PNG, WebP or HEIC only. Attach the photos again."
        ),
        "photo_damaged": _("This photo file is damaged. Take it again and attach the photos again."),
        "photo_too_many_pixels": _(
            "This photo is far too large (over 50 megapixels). Attach the photos again."
        ),
        "photo_too_many": _("At most %(n)d photos per sheet. Attach fewer photos.", n=limit),
        "photo_bad_field": _("The form is damaged. Reload it and try again."),
        "recheck_missing": _("A failed re-check needs the reason, so the fix can be redone."),
        "recheck_too_long": _("The re-check note is too long (at most %(n)d characters).", n=limit),
        "recheck_control_chars": _("The re-check note contains invisible control characters. Type it again."),
        "recheck_bad_choice": _("The form is damaged. Reload it and try again."),
    }.get(problem.code, _("This entry is not valid."))


def _message(problem: Problem, item: StandardItem | None) -> str:
    """The problem's words, naming the rule when the item has several, or the photo's file."""
    text = problem_message(problem)
    if problem.detail:
        return f"「{problem.detail}」{text}"
    if item is not None and problem.rule and len(item.rules) > 1 and problem.rule <= len(item.rules):
        return f"{item.rules[problem.rule - 1].label}：{text}"
    return text


def _photos_sent(items: dict[int, StandardItem]) -> list[tuple[str, list[str]]]:
    """The photos the refused request carried, by where they were attached (an item, or the sheet)."""
    sent: list[tuple[str, list[str]]] = []
    for field, files in request.files.lists():
        names = [f.filename or _("photo") for f in files if f and f.filename]
        if not names:
            continue
        item_id = field.partition("-")[2]
        item = items.get(int(item_id)) if item_id.isdigit() else None
        sent.append((item.clause if item else _("the whole sheet"), names))
    return sent


def problems_json(
    entry: RoundPost | None, problems: Sequence[Problem], status: int = 422
) -> tuple[Response, int]:
    """A refused sheet for the phone's outbox (422): every problem with the item it is about, so the list of
    waiting sheets can say all that must change, not only the first."""
    by_id = {item.id: item for item in entry.standard_version.items} if entry is not None else {}
    listed = []
    for p in problems:
        item = by_id.get(p.item_id) if p.item_id is not None else None
        listed.append({"item": item.clause if item else None, "code": p.code, "message": _message(p, item)})
    first = listed[0] if listed else {"code": "invalid_sheet", "message": _("Some entries need correcting.")}
    return jsonify(error=first["code"], message=first["message"], problems=listed), status


def sheet_context(entry: RoundPost, problems: Sequence[Problem] = ()) -> dict[str, Any]:
    """What ``field/_items.html`` and the page around it need, for a blank form or one refused."""
    items = entry.standard_version.items
    by_id = {item.id: item for item in items}
    errors: dict[int, str] = {}
    listed: list[Listed] = []
    general: list[str] = []
    for p in problems:
        item = by_id.get(p.item_id) if p.item_id is not None else None
        if item is None:
            general.append(_message(p, None))
            continue
        message = _message(p, item)
        errors[item.id] = f"{errors[item.id]} {message}" if item.id in errors else message
        listed.append(Listed(f"item-{item.id}", item.clause, message))
    posted = request.method == "POST"
    return {
        "items": items,
        "sections": sections(items),
        "limits": {rule.item_id: rule.limits for rule in rules_of(items)},
        "errors": errors,
        "listed": listed,
        "general_errors": general,
        "photos_sent": _photos_sent(by_id) if posted and problems else [],
        "values": request.form if posted else MultiDict(),
        "submission_id": request.form.get("submission_id") or str(uuid.uuid4()),
    }


def items_fragment(entry: RoundPost) -> str:
    """The blank checklist of the entry's standard alone, as a phone keeps it once per standard."""
    return render_template("field/_items.html", **sheet_context(entry))
