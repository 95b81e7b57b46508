"""The audit log of administrative changes, for the Party committee (and the administrator): in words, and
filtered by person, action, record and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app import clock
from inspect_app.audit import action_label
from inspect_app.domain.enums import Role
from inspect_app.errors import refuse
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import AuditEntry
from inspect_app.params import key
from inspect_app.security import roles_required

from .presenting import changes, entity_label, record_id

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_app_template_global(changes, "audit_changes")
bp.add_app_template_global(entity_label, "audit_entity")
bp.add_app_template_global(record_id, "audit_record")

PAGE = 50
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def _day(name: str) -> date | None:
    text = request.args.get(name, "").strip()[:10]
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        refuse(400, _("Write the date as 2026-12-04."))
    return min(max(day, EARLIEST), LATEST)  # nothing is logged outside these, and their midnights fit UTC


def _start_of(day: date) -> datetime:
    """Midnight of the mine's ``day``, in UTC (the log stores UTC)."""
    return datetime.combine(day, time.min, tzinfo=clock.zone()).astimezone(UTC)


@bp.get("/audit")
@roles_required(Role.COMMITTEE, Role.ADMIN)
def audit() -> Response:
    """Newest first, 50 a page; filters: ``actor``, ``action``, ``entity`` and ``id``, ``from`` and ``to``
    (the mine's dates, both included)."""
    filters = {
        "actor": request.args.get("actor", "")[:64],
        "action": request.args.get("action", "")[:32],
        "entity": request.args.get("entity", "")[:32],
        "id": request.args.get("id", "")[:32],
    }
    first, last = _day("from"), _day("to")
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE + 1)
    before = request.args.get("before", type=key)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    for name, column in (
        ("actor", AuditEntry.actor_name),
        ("action", AuditEntry.action),
        ("entity", AuditEntry.entity),
        ("id", AuditEntry.entity_id),
    ):
        if filters[name]:
            stmt = stmt.where(column == filters[name])
    if first is not None:
        stmt = stmt.where(AuditEntry.at >= _start_of(first))
    if last is not None:
        stmt = stmt.where(AuditEntry.at < _start_of(last + timedelta(days=1)))
    entries = list(db.session.scalars(stmt))
    more = entries[PAGE - 1].id if len(entries) > PAGE else None
    actions = sorted(db.session.scalars(select(AuditEntry.action).distinct()), key=action_label)
    return render(
        "admin/audit.html",
        "entries",
        entries=entries[:PAGE],
        more=more,
        filters=filters,
        first=first,
        last=last,
        people=list(
            db.session.scalars(select(AuditEntry.actor_name).distinct().order_by(AuditEntry.actor_name))
        ),
        actions=actions,
    )
