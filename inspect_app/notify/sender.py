"""Delivering the outbox (``flask notify``): each message once, however many senders run or die.

A sender claims one message at a time in a short transaction (``state`` waiting → sending, with its token),
sends it outside any transaction, and records the answer in another. Two senders cannot claim one message:
the claim is a conditional UPDATE (``WHERE state = 'waiting'``), which PostgreSQL re-checks after the other
sender's commit and SQLite runs one writer at a time. The per-robot rate limit is counted under the
channel's lock, so two senders together stay within it too.

A sender killed between claim and record leaves its message "sending"; after ``LEASE`` it is marked UNSURE,
not sent again: the robot may have shown it, and a work group told twice learns to ignore the app. The
administrator's page lists it and offers 重发 for a person to decide.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from inspect_app import clock
from inspect_app.database import Lock, hold_in_session, write_transaction
from inspect_app.domain.notify import (
    LIMIT_PAUSE,
    PER_MINUTE,
    ChannelKind,
    Message,
    Outcome,
    State,
    after_outcome,
    backoff,
)
from inspect_app.extensions import db
from inspect_app.models import NotifyChannel, OutboxMessage

from . import transports
from .outbox import message_of

#: a message "sending" for longer than this was abandoned by a dead sender (the HTTP timeout is far shorter)
LEASE = timedelta(minutes=5)


@dataclass
class Delivery:
    """What one run did, by outcome (``limited``: put back for the robot's rate limit)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.value] = self.counts.get(outcome.value, 0) + 1


@dataclass(frozen=True)
class Claimed:
    id: int
    target: transports.Target
    attempts: int
    message: Message


def deliver(limit: int | None = None, only: int | None = None) -> Delivery:
    """Send what is due, one message at a time, until nothing is claimable (or ``limit`` were tried);
    ``only``: just that message (the administrator's test)."""
    token = secrets.token_hex(8)
    done = Delivery()
    if not _pending():
        return done  # the usual minute: one read, no write transaction (SQLite has one writer at a time)
    settle_abandoned()
    smtp = transports.Smtp.from_config(current_app.config)
    timeout = float(current_app.config.get("NOTIFY_TIMEOUT", 10))
    while limit is None or sum(done.counts.values()) < limit:
        claimed = claim_next(token, only)
        if claimed is None:
            break
        now_ms = int(clock.now().timestamp() * 1000)
        outcome, answer = transports.send(claimed.target, claimed.message, now_ms, smtp, timeout)
        record(claimed, token, outcome, answer)
        done.add(outcome)
    return done


def _pending() -> bool:
    busy = (State.WAITING.value, State.SENDING.value)
    found = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.state.in_(busy)).limit(1))
    db.session.rollback()  # end the read before the write transactions begin
    return found is not None


def settle_abandoned() -> int:
    """Mark messages a dead sender left "sending" as UNSURE; returns how many."""
    with write_transaction():
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == State.SENDING.value, OutboxMessage.claimed_at < clock.now() - LEASE)
            .values(state=State.UNSURE.value, answer="发送中断: 不确定是否已送达")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _next_due(full: set[int], tried: set[int], only: int | None) -> tuple[int, int] | None:
    """(message, channel) due first, skipping channels at their rate limit and messages another took."""
    now = clock.now()
    stmt = (
        select(OutboxMessage.id, OutboxMessage.channel_id)
        .join(NotifyChannel)
        .where(
            OutboxMessage.state == State.WAITING.value,
            OutboxMessage.next_try_at <= now,
            NotifyChannel.active.is_(True),
            or_(NotifyChannel.paused_until.is_(None), NotifyChannel.paused_until <= now),
            NotifyChannel.id.not_in(full),
            OutboxMessage.id.not_in(tried),
        )
        .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
        .limit(1)
    )
    if only is not None:
        stmt = stmt.where(OutboxMessage.id == only)
    row = db.session.execute(stmt).first()
    return (row[0], row[1]) if row else None


def _sent_last_minute(channel_id: int) -> int:
    since = clock.now() - timedelta(minutes=1)
    stmt = select(func.count()).where(
        OutboxMessage.channel_id == channel_id,
        OutboxMessage.claimed_at >= since,
        OutboxMessage.state != State.WAITING.value,
    )
    return int(db.session.scalar(stmt) or 0)


def claim_next(token: str, only: int | None = None) -> Claimed | None:
    """Take the next due message of a robot within its rate limit, or None when there is none. Each try is
    its own transaction holding one channel's lock (two locks in one could deadlock two senders)."""
    full: set[int] = set()
    tried: set[int] = set()
    while True:
        with write_transaction():
            due = _next_due(full, tried, only)
            if due is None:
                return None
            message_id, channel_id = due
            hold_in_session(Lock.NOTIFY_CHANNEL, channel_id)
            if _sent_last_minute(channel_id) >= PER_MINUTE:
                full.add(channel_id)
                continue
            taken = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.state == State.WAITING.value)
                .values(state=State.SENDING.value, claim=token, claimed_at=clock.now())
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                tried.add(message_id)  # another sender took it first
                continue
            row = db.session.get_one(OutboxMessage, message_id)
            db.session.refresh(row)
            channel = row.channel
            target = transports.Target(ChannelKind(channel.kind), channel.address, channel.secret)
            return Claimed(message_id, target, row.attempts, message_of(row))


def record(claimed: Claimed, token: str, outcome: Outcome, answer: str) -> None:
    """Write what the robot answered, for the sender that holds the claim."""
    now = clock.now()
    attempts = claimed.attempts + (0 if outcome == Outcome.LIMITED else 1)
    state = after_outcome(outcome, attempts)
    values: dict[str, object] = {
        "state": state.value,
        "attempts": attempts,
        "answer": answer[:256],
        "claim": None,
    }
    if state == State.SENT:
        values["sent_at"] = now
    if state == State.WAITING:
        wait = backoff(attempts) if outcome == Outcome.RETRY else timedelta(0)
        values["next_try_at"] = now + wait
    with write_transaction():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == claimed.id, OutboxMessage.claim == token)
            .values(**values)
        )
        if outcome == Outcome.LIMITED:
            pause = LIMIT_PAUSE.get(claimed.target.kind, timedelta(minutes=1))
            channel_id = (
                select(OutboxMessage.channel_id).where(OutboxMessage.id == claimed.id).scalar_subquery()
            )
            db.session.execute(
                update(NotifyChannel).where(NotifyChannel.id == channel_id).values(paused_until=now + pause)
            )


def resend(message_id: int) -> bool:
    """Put a failed or unsure message back in the queue (a person decided); False for any other state."""
    with write_transaction():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.state.in_((State.FAILED.value, State.UNSURE.value)),
            )
            .values(state=State.WAITING.value, attempts=0, next_try_at=clock.now(), claim=None)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]
