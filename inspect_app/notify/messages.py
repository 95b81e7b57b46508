"""The work-chat area's words: channel kinds, events, message states and the problems of a channel."""

from __future__ import annotations

from flask_babel import gettext as _


def kind_label(kind: str) -> str:
    return {
        "wecom": _("WeCom group robot"),
        "dingtalk": _("DingTalk group robot (signed)"),
        "email": _("E-mail"),
    }.get(kind, kind)


def event_label(event: str) -> str:
    return {
        "rect_issued": _("Rectification issued or reassigned"),
        "rect_due": _("Rectification deadline near"),
        "rect_overdue": _("Overdue rectifications (daily)"),
        "rect_escalated": _("Long overdue: escalated to the committee (daily)"),
        "recheck_due": _("Fix awaiting its re-check"),
        "post_applied": _("Post applied for listing"),
        "notes_waiting": _("Miners' notes awaiting a decision (daily)"),
        "round_opened": _("Round opened"),
        "round_short": _("Round closing tomorrow with posts short of sheets"),
        "notice_published": _("Notice published"),
        "test": _("Test message"),
    }.get(event, event)


def state_label(state: str) -> str:
    return {
        "waiting": _("Waiting to be sent"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "failed": _("Failed"),
        "unsure": _("Unsure whether delivered"),
    }.get(state, state)


def problem(code: str) -> str:
    return {
        "name": _("Give the channel a name of at most 64 characters."),
        "name_taken": _("Another channel has this name."),
        "kind": _("Choose WeCom, DingTalk or e-mail."),
        "missing": _("Fill in the robot's webhook address or the e-mail addresses."),
        "bad_url": _("The webhook address starts with https:// and has no spaces."),
        "bad_email": _("Write e-mail addresses like dangwei@example.cn, separated by commas."),
        "too_long": _("The address is too long."),
        "bad_secret": _("The signing secret is the SEC… text of the robot's security settings."),
        "unit": _("Choose a unit of the mine."),
        "events": _("Choose at least one event."),
        "no_channel": _("This channel does not exist."),
    }.get(code, _("Check this entry."))
