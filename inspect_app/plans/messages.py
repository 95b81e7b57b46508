"""The plan area's words: problems of a plan line and the labels of its choices."""

from __future__ import annotations

from flask_babel import gettext as _


def problem(code: str) -> str:
    return {
        "kind": _("Choose weekly check, ten-day supervision, monthly assessment or quarterly review."),
        "scope": _("Choose which posts the rounds include."),
        "self_per_unit": _("A self-check (自查) is made for each unit on its own posts, and only so."),
        "rotate_mutual": _("Rotation is for mutual checks (互查)."),
        "ends_before": _("The end date is before the start date."),
        "weekday": _("Choose a day of the week."),
        "ended": _("This line has ended; add a new one instead."),
        "stop_before_start": _("This line starts after that day; change its start instead."),
        "no_plan": _("This plan line does not exist."),
    }.get(code, _("Check this entry."))


def scope_label(scope: str) -> str:
    return {
        "all": _("Every listed post"),
        "hr": _("Posts HR assesses (旬督导)"),
        "units": _("Each unit's own posts, one round a unit"),
    }.get(scope, scope)


def self_check_label(value: str) -> str:
    return {
        "done": _("Done on time"),
        "late": _("Done late"),
        "partial": _("Not finished"),
        "missing": _("Not done"),
        "running": _("In progress"),
        "none_due": _("No model post"),
    }.get(value, value)
