"""What the round pages say when a change is refused or done."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.domain.ballots import MAX_CARDS_PER_PRINT, RoundAction


def refused(code: str, detail: str = "") -> str:
    return {
        "post_outside_period": _(
            "These posts are not model posts during the round's period (check their start and end dates): "
            "%(posts)s.",
            posts=detail,
        ),
        "no_round": _("This inspection round does not exist."),
        "forbidden": _(
            "Only the Party committee, HR, or the branch secretary for a self-check of their own unit "
            "may run this round."
        ),
        "no_posts": _("Choose at least one post."),
        "post_not_eligible": _(
            "Only listed posts with a standard can be checked; "
            "a branch secretary chooses their own unit's posts."
        ),
        "secretary_self_only": _("A branch secretary organises self-checks (自查) of their own unit only."),
        "not_draft": _("Only a draft round can be changed."),
        "step_not_allowed": _("The round cannot take this step from its current state."),
        "card_count": _("Print between 1 and %(n)d cards at a time.", n=MAX_CARDS_PER_PRINT),
        "not_anonymous": _("Ballot cards are for anonymous rounds only."),
        "round_closed": _("The round is sealed; no more cards can be printed."),
        "void_closed": _("The round is sealed: its cards no longer count, so there is nothing to void."),
        "card_code_invalid": _(
            "The card number is wrong: check it against the card (18 letters and digits)."
        ),
        "card_missing": _("Give the number printed on the card, or its code."),
        "card_unknown": _("No card of this round has this number or code."),
        "card_already_void": _("This card is already void."),
        "notice_needs_seal": _("A notice is drafted from a sealed round's results."),
        "pairing_unassigned": _(
            "A mutual check (互查) needs a unit to check each unit whose posts it includes; none is set for: "
            "%(units)s.",
            units=detail,
        ),
        "pairing_self": _(
            "A unit does not check its own posts in a mutual check (that is a self-check): %(units)s.",
            units=detail,
        ),
        "pairing_unknown_unit": _("Choose the units from the list (open units only)."),
        "no_notice": _("This notice does not exist."),
        "notice_published": _("A published notice is not changed."),
    }.get(code, _("The change could not be made."))


def action_label(value: str) -> str:
    names: dict[str, str] = {
        RoundAction.OPEN: _("Open the round"),
        RoundAction.SEAL: _("Seal the round (封箱)"),
        RoundAction.PUBLISH: _("Publish the results"),
    }
    return names.get(value, value)


def done(action: RoundAction) -> str:
    return {
        RoundAction.OPEN: _(
            "The round is open; the standards of its posts are frozen. Next: hand out the ballot cards, or "
            "tell the assessors, and watch the progress here."
        ),
        RoundAction.SEAL: _(
            "The round is sealed. No more sheets are accepted; results are computed. Next: check the "
            "ranking, then publish the results."
        ),
        RoundAction.PUBLISH: _(
            "The results are published on the posts' public pages. Next: draft the notice (通报) and raise "
            "the rectifications."
        ),
    }[action]


def seal_unfinished() -> str:
    return _(
        "The database was busy: the order in which sheets arrived is not yet erased everywhere. "
        "It is finished by the daily maintenance (flask forget-order), or by sealing the next round."
    )


def consequence(action: str) -> str:
    """What an irreversible step will do, said before it is confirmed."""
    said = {
        RoundAction.SEAL: _(
            "Sealing stops all scoring for good: no more sheets are accepted, also from phones still "
            "underground, and the results are computed. It cannot be undone."
        ),
        RoundAction.PUBLISH: _(
            "Publishing shows the results on every post's public page and lets the notice be drafted. "
            "It cannot be undone."
        ),
    }
    return str(said.get(RoundAction(action), ""))
