"""The audit log of administrative changes, for the Party committee (and the administrator)."""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import AuditEntry
from inspect_app.params import key
from inspect_app.security import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE = 50


@bp.get("/audit")
@roles_required(Role.COMMITTEE, Role.ADMIN)
def audit() -> Response:
    """Newest first, 50 a page; ``?entity=post&id=K7M3Q`` narrows to one record's history."""
    before = request.args.get("before", type=key)
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE + 1)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    entity, entity_id = request.args.get("entity", "")[:32], request.args.get("id", "")[:32]
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    entries = list(db.session.scalars(stmt))
    more = entries[PAGE - 1].id if len(entries) > PAGE else None
    return render(
        "admin/audit.html", "entries", entries=entries[:PAGE], more=more, entity=entity, entity_id=entity_id
    )
