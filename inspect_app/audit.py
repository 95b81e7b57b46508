"""The administrative audit log: every change a service makes is written in the same transaction.

Never used for anonymous sheets: nothing that could tie an inspector to a ballot belongs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .extensions import db
from .models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user, or the system itself (``id`` None) for scheduled jobs."""

    id: int | None
    name: str
    role: str
    unit_id: int | None = None


SYSTEM_ACTOR = Actor(None, "system", "system")


def actor_of(user: Any) -> Actor:
    return Actor(user.id, user.display_name, user.role, user.unit_id)


def record(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one entry to the current transaction; the caller commits."""
    db.session.add(
        AuditEntry(
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )


def _labels() -> dict[str, Any]:
    from flask_babel import lazy_gettext as _l

    return {
        "post.create": _l("Post created"),
        "post.edit": _l("Post edited"),
        "post.apply": _l("Post applied for"),
        "post.review": _l("Review (调研论证) begun"),
        "post.findings": _l("Review findings recorded"),
        "post.approve": _l("Post approved and listed"),
        "post.reject": _l("Post sent back for rebuilding"),
        "post.adjust": _l("Listed post adjusted"),
        "post.expire": _l("Post expired"),
        "post.revoke": _l("Model post honour revoked"),
        "post.achievements": _l("Achievements updated"),
        "post.rotate_code": _l("Board code replaced"),
        "round.create": _l("Round created"),
        "round.edit": _l("Round edited"),
        "round.open": _l("Round opened"),
        "round.seal": _l("Round sealed"),
        "round.publish": _l("Results published"),
        "round.cards": _l("Ballot cards printed"),
        "round.void_card": _l("Ballot card voided"),
        "plan.add": _l("Plan line added"),
        "review.open": _l("Quarterly review opened"),
        "annual.choose": _l("Excellent model posts named"),
        "review.save": _l("Quarterly review saved"),
        "review.close": _l("Quarterly review closed"),
        "plan.change": _l("Plan line changed"),
        "plan.stop": _l("Plan line stopped"),
        "notice.draft": _l("Notice drafted"),
        "notice.edit": _l("Notice edited"),
        "notice.publish": _l("Notice published"),
        "rectification.issue": _l("Rectification issued"),
        "rectification.assign": _l("Rectification assigned"),
        "rectification.complete": _l("Rectification reported done"),
        "rectification.recheck_pass": _l("Re-check passed"),
        "rectification.recheck_fail": _l("Re-check failed: returned"),
        "feedback.decide": _l("Miner's note decided"),
        "standard.create": _l("Standard created"),
        "standard.version": _l("Standard revised"),
        "unit.create": _l("Unit created"),
        "unit.edit": _l("Unit edited"),
        "unit.rename": _l("Unit renamed"),
        "unit.close": _l("Unit closed"),
        "unit.delete": _l("Unit deleted"),
        "unit.import": _l("Units imported"),
        "branch.create": _l("Party branch created"),
        "branch.edit": _l("Party branch edited"),
        "branch.close": _l("Party branch closed"),
        "branch.delete": _l("Party branch deleted"),
        "member.create": _l("Member added"),
        "member.edit": _l("Member edited"),
        "member.close": _l("Member left"),
        "member.import": _l("Roster imported"),
        "member.portrait": _l("Portrait changed"),
        "account.create": _l("Account created"),
        "account.enable": _l("Account enabled"),
        "account.disable": _l("Account disabled"),
        "account.reset_password": _l("Password reset"),
        "account.change_password": _l("Password changed"),
        "account.set_password": _l("Password set"),
        "mine.setup": _l("Mine set up"),
        "mine.edit": _l("Mine settings changed"),
        "channel.save": _l("Work-chat channel saved"),
        "channel.test": _l("Test message sent"),
        "message.resend": _l("Message queued again"),
    }


def action_label(action: str) -> str:
    """The action as people say it (an unknown key is shown as stored rather than hidden)."""
    return str(_labels().get(action, action))
