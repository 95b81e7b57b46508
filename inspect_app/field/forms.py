"""Reading a posted score sheet: ``d-<id>`` (the count of the item's first rule), ``d-<id>-<k>`` (of its k-th
rule, k ≥ 2; occurred = 1 for 不得分 and 一票否决), ``na-<id>`` (不适用), ``r-<id>`` (remark). Sheets kept on
phones from before items had several rules name only ``d-<id>``, which still reads as their one rule.

Parsing never raises and needs no database: it returns an entry for every item the form names and a problem
for every field it cannot read. Whether those items belong to the post's standard is the domain's check.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from werkzeug.datastructures import FileStorage, MultiDict

from inspect_app.domain.rectification import Recheck, RectRefused, read_recheck
from inspect_app.domain.scoring import ItemEntry, Problem
from inspect_app.domain.text import form_text
from inspect_app.photos.uploads import Upload, UploadRefused, read_uploads

from .services import SubmitRefused

MAX_REMARK = 500


def parse_sheet(posted: Mapping[str, str]) -> tuple[list[ItemEntry], list[Problem]]:
    entries: list[ItemEntry] = []
    problems: list[Problem] = []
    form = _fields(posted)
    for item_id, rules in _item_fields(form, problems).items():
        remark, hidden = form_text(form.get(f"r-{item_id}", ""))
        if len(remark) > MAX_REMARK:
            problems.append(Problem("remark_too_long", item_id, MAX_REMARK))
        elif hidden:
            problems.append(Problem("remark_hidden", item_id))
        if form.get(f"na-{item_id}"):
            entries.append(ItemEntry(item_id, None, remark))
            continue
        counts = _counts(form, item_id, rules, problems)
        if counts is not None:
            entries.append(ItemEntry(item_id, counts, remark))
    return entries, problems


class _Fields(dict[str, str]):
    """A form's fields as a plain dict (its first values), keeping every value of the repeated ones (a ticked
    box also sends its hidden 0): reading a sheet looks up three fields per item, most of them absent."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.repeated: dict[str, list[str]] = {}
        if isinstance(form, MultiDict):
            super().__init__(form.to_dict())
            self.repeated = {k: v for k, v in form.lists() if len(v) > 1}
        else:
            super().__init__(form)

    def values_of(self, key: str) -> Sequence[str]:
        found = self.repeated.get(key)
        if found is not None:
            return found
        value = self.get(key)
        return () if value is None else (value,)


def _fields(form: Mapping[str, str]) -> _Fields:
    return form if isinstance(form, _Fields) else _Fields(form)


def _counts(form: _Fields, item_id: int, rules: set[int], problems: list[Problem]) -> tuple[int, ...] | None:
    """The counts of rules 1..max named, blanks as 0; None (with a problem) if one is not a whole number."""
    counts: list[int] = []
    for rule in range(1, max(rules, default=1) + 1):
        key = f"d-{item_id}" if rule == 1 else f"d-{item_id}-{rule}"
        most: int | None = None  # a ticked box also sends its hidden 0: the largest count is the one meant
        for text in form.values_of(key):
            count = _int_or_none(text.strip() or "0")
            if count is None:
                problems.append(Problem("not_a_number", item_id, rule=rule))
                return None
            most = count if most is None or count > most else most
        counts.append(0 if most is None else most)
    return tuple(counts)


def parse_rechecks(form: Mapping[str, str]) -> tuple[list[Recheck], list[Problem]]:
    """``rc-<rectification id>`` = pass | fail, ``rcn-<id>`` the note: fixes re-checked at this inspection."""
    rechecks: list[Recheck] = []
    problems: list[Problem] = []
    for key in form:
        prefix, _, rest = key.partition("-")
        if prefix != "rc":
            continue
        rect_id = _int_or_none(rest)
        try:
            if rect_id is None:
                raise RectRefused("bad_choice")
            found = read_recheck(rect_id, form.get(key, ""), form.get(f"rcn-{rect_id}", ""))
        except RectRefused as refused:
            problems.append(Problem(f"recheck_{refused.code}", None, MAX_REMARK))
            continue
        if found is not None:
            rechecks.append(found)
    return rechecks, problems


def parse_submission_id(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw or "")
    except ValueError:
        return None


def _item_fields(form: Mapping[str, str], problems: list[Problem]) -> dict[int, set[int]]:
    """Item ids named by ``d-`` or ``na-`` fields, in form order, with the rule numbers named for each; a
    field naming no integer (or a rule of 0, or beyond 99) is a problem."""
    found: dict[int, set[int]] = {}
    for key in form:
        prefix, _, rest = key.partition("-")
        if prefix not in ("d", "na"):
            continue
        item_text, _, rule_text = rest.partition("-") if prefix == "d" else (rest, "", "")
        item_id = _int_or_none(item_text)
        rule = _int_or_none(rule_text) if rule_text else 1
        if item_id is None or rule is None or not 1 <= rule <= 99:
            problems.append(Problem("unknown_item"))
        else:
            found.setdefault(item_id, set()).add(rule)
    return found


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def read_photos(files: MultiDict[str, FileStorage], limit: int) -> list[Upload]:
    """The sheet's photos, sanitised; a bad one refuses the sheet with its reason next to its item."""
    try:
        return read_uploads(files, limit)
    except UploadRefused as refused:
        problems = [
            Problem(f"photo_{each.code}", each.item_id, limit, detail=each.name)
            for each in (refused, *refused.others)
        ]
        raise SubmitRefused(refused.status, "invalid_sheet", problems) from None
