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
