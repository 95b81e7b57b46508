"""What the rectification pages say: refusals per field, state names."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspect_app.domain.enums import RectStatus

STATUS_LABELS = {
    RectStatus.ISSUED: _l("Issued"),
    RectStatus.ASSIGNED: _l("Assigned"),
    RectStatus.DONE: _l("Done, awaiting re-check"),
    RectStatus.PASSED: _l("Re-checked and closed"),
}
STATUS_CODES = {
    "no_source": 404,
    "no_rectification": 404,
    "no_unit": 404,
    "forbidden": 403,
    "anonymous_not_sealed": 409,
    "wrong_state": 409,
}


ACTION_LABELS = {
    "rectification.issue": _l("Issued"),
    "rectification.assign": _l("Assigned"),
    "rectification.complete": _l("Reported done"),
    "rectification.recheck_pass": _l("Re-check passed"),
    "rectification.recheck_fail": _l("Re-check failed: returned"),
}


def action_label(value: str) -> str:
    return str(ACTION_LABELS.get(value, value))


def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(RectStatus(value), value))


def refused(code: str, field: str = "") -> str:
    """The message for a refusal (``field``: which input, for the generic codes)."""
    names = {
        "problem": _("the problem"),
        "measures": _("the measures"),
        "deadline": _("the deadline"),
        "responsible": _("the responsible person"),
        "checker": _("the checker"),
        "note": _("what was done"),
    }
    what = names.get(field.split("-")[0], field)
    return {
        "missing": _("Fill in %(what)s.", what=what),
        "too_long": _("Shorten %(what)s.", what=what),
        "control_chars": _("%(what)s contains invisible control characters. Type it again.", what=what),
        "deadline_past": _("The deadline cannot be in the past."),
        "bad_date": _("Give the deadline as a date, e.g. 2026-12-31."),
        "photo_missing": _("Attach at least one photo of the fixed place."),
        "nothing_chosen": _("Tick at least one deduction to raise a rectification for."),
        "no_source": _("This check has no such post or sheet."),
        "no_rectification": _("This rectification does not exist."),
        "no_unit": _("This unit does not exist."),
        "forbidden": _(
            "Only the Party committee, HR, or the branch secretary of the post's unit may do this."
        ),
        "anonymous_not_sealed": _(
            "Rectifications are raised from an anonymous round only once it is sealed, from its totals."
        ),
        "wrong_state": _("The rectification cannot take this step in its current state."),
    }.get(code, _("The change could not be made."))
