"""Work-chat messages: what each event says, how 企业微信 and 钉钉 group robots want it, and what their
answers mean for the outbox (sent, try again later, slow down, give up, or unknown).

Both robots take a JSON message by HTTP POST to a webhook and allow 20 messages a minute each; 钉钉 throttles
a robot that sends more for ten minutes, and a robot with 加签 wants ``timestamp`` (milliseconds) and
``sign`` = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")) in the URL, within an hour of its clock.
A person is reached in the group by @ with their mobile number (``mentioned_mobile_list`` in a 企业微信 text
message, ``at.atMobiles`` and "@number" in the text of a 钉钉 one): the app needs no user ids of either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import quote_plus


class ChannelKind(StrEnum):
    WECOM = "wecom"  # 企业微信群机器人
    DINGTALK = "dingtalk"  # 钉钉群机器人 (加签)
    EMAIL = "email"  # 邮件 (SMTP), the fallback


class Scope(StrEnum):
    """Which channels an event goes to."""

    UNIT = "unit"  # the unit's own groups, and the mine-wide ones that take the event
    MINE = "mine"  # mine-wide groups only (党委, 组织人事部)
    ALL = "all"  # every group that takes the event


class Event(StrEnum):
    RECT_ISSUED = "rect_issued"  # 整改下达或改派 (to the responsible person, in the unit's group)
    RECT_DUE = "rect_due"  # 整改期限将到 (N days before)
    RECT_OVERDUE = "rect_overdue"  # 逾期整改, a daily digest per unit
    RECT_ESCALATED = "rect_escalated"  # overdue for M days: a daily digest to 党委
    RECHECK_DUE = "recheck_due"  # fixes reported done, to be re-checked at the round now open
    POST_APPLIED = "post_applied"  # a post applied for listing: to reviewers
    NOTES_WAITING = "notes_waiting"  # miners' notes awaiting publication (a daily digest: no note's time)
    ROUND_OPENED = "round_opened"
    ROUND_SHORT = "round_short"  # a round closing tomorrow with posts below their quorum
    NOTICE_PUBLISHED = "notice_published"
    TEST = "test"  # the administrator's test message


SCOPES: dict[Event, Scope] = {
    Event.RECT_ISSUED: Scope.UNIT,
    Event.RECT_DUE: Scope.UNIT,
    Event.RECT_OVERDUE: Scope.UNIT,
    Event.RECT_ESCALATED: Scope.MINE,
    Event.RECHECK_DUE: Scope.UNIT,
    Event.POST_APPLIED: Scope.MINE,
    Event.NOTES_WAITING: Scope.UNIT,
    Event.ROUND_OPENED: Scope.ALL,
    Event.ROUND_SHORT: Scope.UNIT,
    Event.NOTICE_PUBLISHED: Scope.ALL,
}

#: the events a channel can take (the test message goes to one channel on request)
SUBSCRIBABLE = tuple(SCOPES)


class State(StrEnum):
    WAITING = "waiting"  # to be sent (again) at ``next_try_at``
    SENDING = "sending"  # a sender holds it now
    SENT = "sent"
    FAILED = "failed"  # refused for good (bad address, signature) or out of attempts: resend by hand
    UNSURE = "unsure"  # the robot may have it: a sender died or timed out mid-send (never resent by itself)


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # never reached the robot, or it failed for now: later, counted as an attempt
    LIMITED = "limited"  # the robot's rate limit: later, the channel paused, not counted as an attempt
    FAILED = "failed"
    UNSURE = "unsure"


PER_MINUTE = 20
MAX_ATTEMPTS = 8
#: how long a robot that said "too fast" is left alone (钉钉 throttles for ten minutes)
LIMIT_PAUSE = {ChannelKind.WECOM: timedelta(minutes=1), ChannelKind.DINGTALK: timedelta(minutes=10)}
#: their answer codes: too fast; busy for now
RATE_CODES = {45009, 130101}
BUSY_CODES = {-1, 45033}
WECOM_TEXT_BYTES = 2048
WECOM_MARKDOWN_BYTES = 4096
DINGTALK_BYTES = 20000


@dataclass(frozen=True)
class Message:
    """One message: a title, lines of markdown, a link into the app and the mobiles to @."""

    title: str
    lines: tuple[str, ...] = ()
    link: str = ""
    mentions: tuple[str, ...] = ()

    def markdown(self) -> str:
        parts = [f"### {self.title}", *self.lines]
        if self.link:
            parts.append(f"[打开查看]({self.link})")
        return "\n\n".join(parts)

    def plain(self) -> str:
        parts = [self.title, *(strip_markdown(line) for line in self.lines)]
        if self.link:
            parts.append(f"打开查看: {self.link}")
        return "\n".join(parts)


def strip_markdown(line: str) -> str:
    return line.replace("**", "").lstrip("> ").lstrip("- ")


def truncate_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes on a character boundary, marked with … when cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


def keep_link(text: str, link: str, limit: int) -> str:
    """Cut a long message but keep its link (the last line) whole."""
    if len(text.encode()) <= limit or not link or not text.endswith(link):
        return truncate_utf8(text, limit)
    head, tail = text[: text.rindex("\n")], text[text.rindex("\n") :]
    return truncate_utf8(head, limit - len(tail.encode())) + tail


def wecom_payload(msg: Message) -> dict[str, object]:
    """企业微信: markdown, or a text message when someone is to be @-ed (its markdown cannot @ by mobile)."""
    if msg.mentions:
        text = keep_link(msg.plain(), msg.link, WECOM_TEXT_BYTES)
        return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": list(msg.mentions)}}
    text = keep_link(msg.markdown().replace("### ", "## ", 1), f"({msg.link})", WECOM_MARKDOWN_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": text}}


def dingtalk_payload(msg: Message) -> dict[str, object]:
    """钉钉: markdown with the @-ed mobiles written into the text (else the @ does not show)."""
    text = msg.markdown()
    if msg.mentions:
        text += "\n\n" + " ".join(f"@{m}" for m in msg.mentions)
    return {
        "msgtype": "markdown",
        "markdown": {"title": msg.title, "text": truncate_utf8(text, DINGTALK_BYTES)},
        "at": {"atMobiles": list(msg.mentions), "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: base64 of HMAC-SHA256 keyed by the secret over "timestamp\\nsecret" (not URL-encoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(webhook: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return webhook
    joiner = "&" if "?" in webhook else "?"
    return f"{webhook}{joiner}timestamp={timestamp_ms}&sign={quote_plus(dingtalk_sign(secret, timestamp_ms))}"


def robot_outcome(status: int, answer: object) -> Outcome:
    """What a robot's HTTP status and JSON answer mean (both answer errors as HTTP 200 with an errcode)."""
    if status == 429:
        return Outcome.LIMITED
    if status >= 500:
        return Outcome.RETRY
    if status != 200 or not isinstance(answer, dict):
        return Outcome.FAILED
    code = answer.get("errcode")
    if code == 0:
        return Outcome.SENT
    if code in RATE_CODES:
        return Outcome.LIMITED
    if code in BUSY_CODES:
        return Outcome.RETRY
    return Outcome.FAILED


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min … at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def after_outcome(outcome: Outcome, attempts: int) -> State:
    """The message's state after a send that ended with ``outcome`` (``attempts`` counts this one)."""
    if outcome == Outcome.SENT:
        return State.SENT
    if outcome in (Outcome.RETRY, Outcome.LIMITED):
        return State.WAITING if attempts < MAX_ATTEMPTS else State.FAILED
    return State(outcome.value)


def parse_addresses(text: str) -> tuple[str, ...]:
    """E-mail addresses separated by commas, semicolons, spaces or lines."""
    for sep in ";，；\n\t":
        text = text.replace(sep, ",")
    return tuple(a.strip() for part in text.split(",") for a in part.split() if a.strip())


def address_problem(kind: ChannelKind, address: str) -> str | None:
    """Why a channel's address cannot work, or None."""
    if kind == ChannelKind.EMAIL:
        found = parse_addresses(address)
        if not found:
            return "missing"
        return None if all(a.count("@") == 1 and "." in a.split("@")[1] for a in found) else "bad_email"
    if not address:
        return "missing"
    if not address.startswith(("https://", "http://")) or " " in address:
        return "bad_url"
    return None
