"""工作群消息 for the administrator: the channels (add, change, switch off, send a test message) and the
outbox (waiting, sent, failed, unsure; resend a failed or unsure one)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app.audit import actor_of, record
from inspect_app.database import write_transaction
from inspect_app.domain.enums import Role
from inspect_app.domain.notify import SUBSCRIBABLE, ChannelKind, State
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import NotifyChannel, Unit
from inspect_app.security import roles_required
from inspect_app.setup.services import mine_info

from . import messages
from .channels import ChannelInput, ChannelRefused, overview, save_channel, test_channel
from .sender import resend

bp = Blueprint("notify", __name__, url_prefix="/notify")
bp.add_app_template_global(messages.kind_label, "channel_kind_label")
bp.add_app_template_global(messages.event_label, "event_label")
bp.add_app_template_global(messages.state_label, "message_state_label")


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> Response:
    state = request.args.get("state", "")[:16] or None
    info = mine_info()
    return render(
        "notify/index.html", view=overview(state), state=state, states=[s.value for s in State],
        public_address=bool((info and info.base_url) or current_app.config.get("PUBLIC_BASE_URL")),
    )  # fmt: skip


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.closed_on.is_(None)).order_by(Unit.name)))


def _form(channel: NotifyChannel | None, errors: dict[str, str], status: int = 200) -> Response:
    return render(
        "notify/channel.html", status=status, channel=channel, errors=errors, kinds=list(ChannelKind),
        events=[e.value for e in SUBSCRIBABLE], units=_units(), form=request.form if errors else None,
    )  # fmt: skip


def _input() -> ChannelInput:
    form = request.form
    unit = form.get("unit", "").strip()
    return ChannelInput(
        name=form.get("name", "").strip()[:80],
        kind=form.get("kind", ""),
        address=form.get("address", "").strip()[:1100],
        secret=form.get("secret", "").strip()[:200],
        unit_id=int(unit) if unit.isdigit() and len(unit) < 10 else None,
        events=tuple(form.getlist("events"))[:40],
        active=form.get("active") == "1" or request.endpoint == "notify.new",
    )


def _save(channel: NotifyChannel | None) -> Response:
    try:
        save_channel(actor_of(current_user), _input(), channel.id if channel else None)
    except ChannelRefused as refused:
        if refused.status == 404:
            abort(404)
        return _form(channel, {k: messages.problem(v) for k, v in refused.problems.items()}, 422)
    flash(_("Channel saved. Send it a test message to see that it arrives."))
    return redirect(url_for("notify.index"), 303)


@bp.route("/channels/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new() -> Response:
    return _form(None, {}) if request.method == "GET" else _save(None)


@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def change(channel_id: int) -> Response:
    channel = db.session.get(NotifyChannel, channel_id)
    if channel is None:
        abort(404)
    return _form(channel, {}) if request.method == "GET" else _save(channel)


@bp.post("/channels/<int:channel_id>/test")
@roles_required(Role.ADMIN)
def test(channel_id: int) -> Response:
    info = mine_info()
    try:
        state, answer = test_channel(actor_of(current_user), channel_id, info.short_name if info else "")
    except ChannelRefused:
        abort(404)
    if state == State.SENT.value:
        flash(_("The test message was delivered."))
    else:
        shown = messages.state_label(state)
        flash(_("The test message was not delivered (%(state)s): %(answer)s", state=shown, answer=answer))
    return redirect(url_for("notify.index"), 303)


@bp.post("/messages/<int:message_id>/resend")
@roles_required(Role.ADMIN)
def resend_message(message_id: int) -> Response:
    if resend(message_id):
        with write_transaction():
            record(actor_of(current_user), "message.resend", "message", message_id)
        flash(_("The message is queued again; it goes out with the next send, within a minute."))
    else:
        flash(_("Only a failed or unsure message can be sent again."))
    return redirect(url_for("notify.index", state=request.args.get("state", "")[:16] or None), 303)
