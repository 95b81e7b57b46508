"""Reading a posted score sheet: ``d-<id>`` (defect count), ``na-<id>`` (不适用), ``r-<id>`` (remark).

Parsing never raises: it returns the entries it could read and a problem per field it could not.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from inspect_app.domain.scoring import ItemEntry, Problem

MAX_REMARK = 500


def parse_sheet(form: Mapping[str, str], item_ids: Sequence[int]) -> tuple[list[ItemEntry], list[Problem]]:
    """Entries for every item the form can carry, plus unknown ``d-*`` fields reported as unknown items."""
    entries: list[ItemEntry] = []
    problems: list[Problem] = []
    for key in form:
        if key.startswith("d-") and not _is_known(key[2:], item_ids):
            problems.append(Problem("unknown_item", _int_or_none(key[2:])))
    for item_id in item_ids:
        remark = form.get(f"r-{item_id}", "").strip()
        if len(remark) > MAX_REMARK:
            problems.append(Problem("remark_too_long", item_id, MAX_REMARK))
        if form.get(f"na-{item_id}"):
            entries.append(ItemEntry(item_id, None, remark))
            continue
        raw = form.get(f"d-{item_id}")
        if raw is None:
            continue  # reported by the domain as a missing item
        count = _int_or_none(raw.strip() or "0")
        if count is None:
            problems.append(Problem("not_a_number", item_id))
            continue
        entries.append(ItemEntry(item_id, count, remark))
    return entries, problems


def parse_submission_id(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw or "")
    except ValueError:
        return None


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _is_known(text: str, item_ids: Sequence[int]) -> bool:
    value = _int_or_none(text)
    return value is not None and value in item_ids
