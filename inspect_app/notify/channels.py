"""The administrator's channels: add, change, switch off; and the test message, sent there and then."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from inspect_app.audit import Actor, record
from inspect_app.database import write_transaction
from inspect_app.domain.notify import SUBSCRIBABLE, ChannelKind, Event, Message, State, address_problem
from inspect_app.extensions import db
from inspect_app.models import NotifyChannel, OutboxMessage, Unit

from .outbox import link, queue
from .sender import deliver


class ChannelRefused(Exception):
    def __init__(self, problems: dict[str, str], status: int = 422) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems, self.status = problems, status


@dataclass(frozen=True)
class ChannelInput:
    name: str
    kind: str
    address: str
    secret: str  # '' on a change keeps the stored one
    unit_id: int | None
    events: tuple[str, ...]
    active: bool = True


def _problems(data: ChannelInput, channel_id: int | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not data.name or len(data.name) > 64:
        problems["name"] = "name"
    else:
        same = select(NotifyChannel.id).where(func.lower(NotifyChannel.name) == data.name.lower())
        if db.session.scalar(same.where(NotifyChannel.id != (channel_id or 0))) is not None:
            problems["name"] = "name_taken"
    if data.kind not in set(ChannelKind):
        problems["kind"] = "kind"
    else:
        found = address_problem(ChannelKind(data.kind), data.address)
        if found or len(data.address) > 1024:
            problems["address"] = found or "too_long"
    if len(data.secret) > 128 or (data.secret and not data.secret.isascii()):
        problems["secret"] = "bad_secret"  # noqa: S105 (a problem code, not a password)
    if data.unit_id is not None and db.session.get(Unit, data.unit_id) is None:
        problems["unit"] = "unit"
    if not data.events or any(e not in {s.value for s in SUBSCRIBABLE} for e in data.events):
        problems["events"] = "events"
    return problems


def _shown(channel: NotifyChannel) -> dict[str, object]:
    """What the audit log keeps: never the robot's key or secret (its URL carries the key)."""
    host = (
        channel.address if channel.kind == ChannelKind.EMAIL else (urlsplit(channel.address).hostname or "")
    )
    return {
        "name": channel.name,
        "kind": channel.kind,
        "address": host,
        "unit_id": channel.unit_id,
        "events": channel.events,
        "active": channel.active,
    }


def save_channel(actor: Actor, data: ChannelInput, channel_id: int | None = None) -> int:
    try:
        return _save(actor, data, channel_id)
    except IntegrityError:  # a twin save of the same new name committed first (the name is unique)
        raise ChannelRefused({"name": "name_taken"}) from None


def _save(actor: Actor, data: ChannelInput, channel_id: int | None) -> int:
    with write_transaction():
        channel = db.session.get(NotifyChannel, channel_id) if channel_id else NotifyChannel()
        if channel is None:
            raise ChannelRefused({"form": "no_channel"}, 404)
        problems = _problems(data, channel_id)
        if problems:
            raise ChannelRefused(problems)
        before = _shown(channel) if channel_id else None
        channel.name, channel.kind, channel.address = data.name, data.kind, data.address
        if data.secret or data.kind != ChannelKind.DINGTALK:
            channel.secret = data.secret if data.kind == ChannelKind.DINGTALK else ""
        channel.unit_id, channel.active = data.unit_id, data.active
        channel.events = ",".join(e for e in (s.value for s in SUBSCRIBABLE) if e in data.events)
        if channel_id is None:
            db.session.add(channel)
        db.session.flush()
        record(actor, "channel.save", "channel", channel.id, before, _shown(channel))
        return channel.id


def test_channel(actor: Actor, channel_id: int, mine_name: str) -> tuple[str, str]:
    """Queue a test message for the channel and send it now: (its state, the robot's answer)."""
    with write_transaction():
        channel = db.session.get(NotifyChannel, channel_id)
        if channel is None:
            raise ChannelRefused({"form": "no_channel"}, 404)
        message = Message(
            f"测试消息: {channel.name}",
            (f"这是{mine_name}党员示范岗检查系统发给本群的测试消息。", f"发送人: {actor.name}"),
            link("desk.index"),
        )
        queue(channel.id, Event.TEST, message)
        db.session.flush()
        message_id = db.session.scalar(
            select(func.max(OutboxMessage.id)).where(OutboxMessage.channel_id == channel_id)
        )
        record(actor, "channel.test", "channel", channel_id)
    assert message_id is not None
    deliver(1, only=message_id)
    row = db.session.get_one(OutboxMessage, message_id)
    db.session.refresh(row)
    return row.state, row.answer


def undelivered(limit: int = 100) -> list[OutboxMessage]:
    """Failed and unsure messages, newest first (the administrator's desk)."""
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.state.in_((State.FAILED.value, State.UNSURE.value)))
        .options(selectinload(OutboxMessage.channel))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class Overview:
    channels: Sequence[NotifyChannel]
    counts: dict[str, int]
    messages: Sequence[OutboxMessage]


def overview(state: str | None, limit: int = 50) -> Overview:
    channels = list(
        db.session.scalars(select(NotifyChannel).order_by(NotifyChannel.active.desc(), NotifyChannel.name))
    )
    counts = {
        s: int(n)
        for s, n in db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )
    }
    stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if state in {s.value for s in State}:
        stmt = stmt.where(OutboxMessage.state == state)
    return Overview(channels, counts, list(db.session.scalars(stmt)))
