"""Writing messages: which channels an event goes to, and the outbox rows, in the caller's transaction.

Every event that tells someone calls ``tell`` inside its own ``write_transaction``: the message exists if and
only if the event committed. Reminders pass a ``key`` and are written once per channel whatever reruns.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import insert, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from inspect_app import clock
from inspect_app.domain.notify import SCOPES, Event, Message, Scope, State
from inspect_app.extensions import db
from inspect_app.models import NotifyChannel, OutboxMessage
from inspect_app.setup.services import external_url


def channels_for(event: Event, unit_id: int | None, conn: Connection | None = None) -> list[int]:
    """The active channels that take ``event`` about ``unit_id`` (None: an event of the whole mine). An event
    for every group (``Scope.ALL``) that belongs to one unit (its self-check) reaches that unit's groups."""
    stmt = select(NotifyChannel.id, NotifyChannel.events).where(NotifyChannel.active.is_(True))
    scope = SCOPES[event]
    if scope == Scope.MINE:
        stmt = stmt.where(NotifyChannel.unit_id.is_(None))
    elif scope == Scope.UNIT or unit_id is not None:
        stmt = stmt.where(or_(NotifyChannel.unit_id.is_(None), NotifyChannel.unit_id == unit_id))
    rows = (conn or db.session).execute(stmt.order_by(NotifyChannel.id))
    return [channel_id for channel_id, events in rows if event.value in events.split(",")]


def tell(
    event: Event, message: Message, unit_id: int | None = None, key: str | None = None,
    conn: Connection | None = None,
) -> int:  # fmt: skip
    """Queue ``message`` for every channel that takes the event; with a ``key``, at most once per channel
    (a rerun or a second reminder run writes nothing new). Returns how many were queued. ``conn``: the Core
    connection of a hot path's transaction (a signed sheet's); else the ORM session's transaction."""
    return sum(queue(c, event, message, key, conn) for c in channels_for(event, unit_id, conn))


def queue(
    channel_id: int, event: Event, message: Message, key: str | None = None, conn: Connection | None = None
) -> bool:
    """One outbox row for one channel; False when its ``key`` is there already (also when a concurrent
    run wrote it first: the unique key decides, inside a savepoint so the caller's transaction goes on)."""
    runner = conn if conn is not None else db.session
    if key is not None:
        there = select(OutboxMessage.id).where(
            OutboxMessage.channel_id == channel_id, OutboxMessage.key == key
        )
        if runner.scalar(there) is not None:
            return False
    row = insert(OutboxMessage).values(
        channel_id=channel_id,
        event=event.value,
        key=key,
        title=message.title[:200],
        body="\n".join(message.lines),
        link=message.link[:512],
        mentions=",".join(message.mentions)[:256],
        state=State.WAITING.value,
        attempts=0,
        next_try_at=clock.now(),
        answer="",
        created_at=clock.now(),
    )
    try:
        with conn.begin_nested() if conn is not None else db.session.begin_nested():
            runner.execute(row)
    except IntegrityError:
        return False
    return True


def message_of(row: OutboxMessage) -> Message:
    lines = tuple(row.body.split("\n")) if row.body else ()
    mentions = tuple(m for m in row.mentions.split(",") if m)
    return Message(row.title, lines, row.link, mentions)


def link(endpoint: str, **values: Any) -> str:
    """An absolute link into the app for a message: the mine's public address (README: set it, or links
    point at the address the event's request came in on; a scheduled run without either writes a path)."""
    if has_request_context():
        return external_url(endpoint, **values)
    fallback = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    with current_app.test_request_context("/", base_url=fallback):
        return external_url(endpoint, **values)


def mobiles(*phones: str | None) -> tuple[str, ...]:
    """The mobile numbers among ``phones`` (11 digits starting with 1), each once."""
    found: list[str] = []
    for phone in phones:
        digits = "".join(ch for ch in (phone or "") if ch.isdigit())
        if len(digits) == 11 and digits.startswith("1") and digits not in found:
            found.append(digits)
    return tuple(found)
