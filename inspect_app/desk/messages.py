"""The desk's words: each to-do's title (one place, so the page and its tests agree)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from inspect_app.domain.desk import Task

TASK_LABELS = {
    Task.APPLICATIONS: _l("Applications to review"),
    Task.REVIEWS: _l("Reviews (调研论证) to decide"),
    Task.FINDINGS: _l("Reviews (调研论证) awaiting findings"),
    Task.DRAFTS: _l("Drafts to complete and apply for"),
    Task.EXPIRING: _l("Listed posts past their end date"),
    Task.NOTES: _l("Miners' notes to decide"),
    Task.TO_SIGN: _l("Posts for me to score"),
    Task.QUORUM: _l("Open rounds short of sheets"),
    Task.TO_PUBLISH: _l("Sealed rounds to publish"),
    Task.FIXES_TO_ASSIGN: _l("Rectifications to assign"),
    Task.FIXES_TO_DO: _l("Rectifications in progress"),
    Task.RECHECKS: _l("Rectifications for me to re-check"),
    Task.FIXES_OVERDUE: _l("Overdue rectifications"),
    Task.SELF_CHECKS: _l("Monthly self-checks behind"),
    Task.MESSAGES: _l("Work-chat messages not delivered"),
}


def task_label(task: str) -> str:
    return str(TASK_LABELS[Task(task)])
