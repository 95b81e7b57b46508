"""What the post pages say when a change is refused or done, and the names of the five clarities."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.domain.lifecycle import Action, Clarity
from inspect_app.i18n import hidden_message

from .services import PostRefused


def clarity(value: str) -> str:
    names: dict[str, str] = {
        Clarity.AREA: _("area (明确区域)"),
        Clarity.DEMONSTRATORS: _("demonstrators: at least one Party member (明确示范者)"),
        Clarity.STANDARD: _("basis and standard (明确示范依据和示范标准)"),
        Clarity.ASSESSOR: _("assessor and assessment standard (明确考核人和考核标准)"),
        Clarity.PERIOD: _("start and end dates (明确示范的起止时间)"),
    }
    return names.get(value, value)


def action_label(value: str) -> str:
    names: dict[str, str] = {
        Action.APPLY: _("Apply (申报)"),
        Action.REVIEW: _("Start on-site review (调研论证)"),
        Action.FINDINGS: _("Record site-visit findings"),
        Action.APPROVE: _("Approve and list (挂牌)"),
        Action.REJECT: _("Reject for rebuilding (推倒重建)"),
        Action.ADJUST: _("Adjust (及时调整)"),
        Action.EXPIRE: _("Expire"),
        Action.REVOKE: _("Revoke the honour (取消示范荣誉)"),
    }
    return names.get(value, value)


def done(action: Action) -> str:
    return {
        Action.APPLY: _("Applied. The Party committee will review the post on site."),
        Action.REVIEW: _("On-site review started."),
        Action.FINDINGS: _("Findings recorded."),
        Action.APPROVE: _("Approved: the post is listed. Print its signboard."),
        Action.REJECT: _("Rejected for rebuilding. The branch can revise and apply again."),
        Action.EXPIRE: _("The post has expired."),
        Action.REVOKE: _("The honour was revoked."),
    }.get(action, _("Saved."))


def refusal(refused: PostRefused) -> str:
    if refused.code == "clarities_missing":
        names = "、".join(clarity(m) for m in refused.missing)
        return _("The five clarities are not complete. Missing: %(names)s.", names=names)
    return {
        "not_allowed": _("This step is not possible in the post's current status."),
        "forbidden": _("Your role cannot take this step."),
        "reason_required": _("Write the reason (or findings) for this step."),
        "other_unit": _("This post belongs to another unit."),
        "unknown_unit": _("Choose a unit from the list."),
        "unit_closed": _("This unit is closed: new posts go into open units."),
        "standard_mismatch": _("Choose a standard of the post's profession."),
        "demonstrator_elsewhere": _("Demonstrators must be Party members of the post's unit."),
        "not_editable": _("This post can no longer be edited."),
        "not_found": _("This post does not exist."),
        "feedback_full": _("Too many notes are waiting for this post. Please try again later."),
        "reply_too_long": _("The reply is too long (at most 300 characters)."),
        "reply_hidden": hidden_message(),
        "no_decision": _("Choose to publish or to reject the note."),
        "achievements_too_long": _("At most 20 achievements of 120 characters each."),
    }.get(refused.code, _("The change was not made."))


#: steps that cannot be taken back: the page asks once, saying what will happen
CONFIRMED = frozenset({Action.APPROVE, Action.REJECT, Action.REVOKE})


def confirmed(value: str) -> bool:
    """Whether the step asks once before it is taken."""
    return value in CONFIRMED


def consequence(value: str) -> str:
    said = {
        Action.APPROVE: _(
            "Listing puts the post on its public page and its signboard in print, and lets rounds check it. "
            "From then on it can only be adjusted or have its honour revoked."
        ),
        Action.REJECT: _(
            "The application goes back to the branch to be rebuilt and applied for again; the reason is kept "
            "in its history."
        ),
        Action.REVOKE: _(
            "The post loses its honour: its public page says so and no round checks it any more. "
            "This cannot be undone."
        ),
    }
    return str(said.get(Action(value), ""))
