"""Reading the round form into a ``RoundInput``, with a message per bad field (nothing here needs the DB)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from inspect_app.domain.enums import RoundKind, RoundMode, values
from inspect_app.domain.text import form_text
from inspect_app.i18n import hidden_message

from .services import RoundInput

MAX_TITLE = 128
MAX_POSTS = 500
MAX_MIN_SHEETS = 50
MAX_PAIRS = 2500


def parse_round(form: MultiDict[str, str]) -> tuple[RoundInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    title, hidden = form_text(form.get("title", ""))
    if not title:
        errors["title"] = _("Give the round a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(n)d characters.", n=MAX_TITLE)
    elif hidden:
        errors["title"] = hidden_message()
    kind, mode = form.get("kind", ""), form.get("mode", "")
    if kind not in values(RoundKind):
        errors["kind"] = _("Choose the kind of check.")
    if mode not in values(RoundMode):
        errors["mode"] = _("Choose self-check, mutual or joint check.")
    try:
        start = date.fromisoformat(form.get("period_start", ""))
        end = date.fromisoformat(form.get("period_end", ""))
    except ValueError:
        errors["period_start"] = _("Dates are written as 2026-01-31.")
        start = end = date.min
    else:
        if end < start:
            errors["period_end"] = _("The end date is before the start date.")
    min_sheets = parse_count(form.get("min_sheets", "3").strip() or "3")
    if min_sheets is None or not 1 <= min_sheets <= MAX_MIN_SHEETS:
        errors["min_sheets"] = _("Between 1 and %(n)d sheets.", n=MAX_MIN_SHEETS)
    raw = [v for v in form.getlist("post") if v]
    if len(raw) > MAX_POSTS or not all(v.isascii() and v.isdigit() and len(v) < 10 for v in raw):
        errors["post"] = _("Choose posts from the list.")
        raw = []
    elif not raw:
        errors["post"] = _("Choose at least one post.")
    pairs = parse_pairs(form)
    if pairs is None:
        errors["pairs"] = _("Choose the units from the list (open units only).")
    if errors:
        return None, errors
    data = RoundInput(
        title=title,
        kind=RoundKind(kind),
        mode=RoundMode(mode),
        period_start=start,
        period_end=end,
        anonymous=form.get("anonymous") == "1",
        post_ids=tuple(dict.fromkeys(int(v) for v in raw)),
        min_sheets=min_sheets or 3,
        trim=form.get("trim") == "1",
        pairs=pairs or (),
    )
    return data, {}


def parse_pairs(form: MultiDict[str, str]) -> tuple[tuple[int, int], ...] | None:
    """互查 pairs from ``pair-<inspected unit>`` fields, each listing the units that check it (None: bad)."""
    pairs: list[tuple[int, int]] = []
    for key in form:
        if not key.startswith("pair-"):
            continue
        inspected = parse_count(key.removeprefix("pair-"))
        inspecting = [parse_count(v) for v in form.getlist(key) if v]
        if inspected is None or any(a is None for a in inspecting) or len(pairs) > MAX_PAIRS:
            return None
        pairs += [(a, inspected) for a in inspecting if a is not None]
    return tuple(dict.fromkeys(pairs))


def parse_count(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
