"""Putting one message on the wire: a robot's webhook (HTTP POST of JSON) or SMTP.

The answer says whether the message can be sent again safely. An error before the request left (no
connection, refused, name not found) is a plain retry; an error after it left (timeout waiting for the
answer, connection dropped) means the robot may have it: UNSURE, which is never resent by itself.
"""

from __future__ import annotations

import http.client
import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from inspect_app.domain.notify import (
    ChannelKind,
    Message,
    Outcome,
    dingtalk_payload,
    dingtalk_url,
    parse_addresses,
    robot_outcome,
    wecom_payload,
)


@dataclass(frozen=True)
class Target:
    kind: ChannelKind
    address: str
    secret: str = ""


@dataclass(frozen=True)
class Smtp:
    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = ""
    security: str = "starttls"  # starttls, ssl or none

    @classmethod
    def from_config(cls, config: Any) -> Smtp:
        return cls(
            host=str(config.get("SMTP_HOST") or ""),
            port=int(config.get("SMTP_PORT") or 25),
            user=str(config.get("SMTP_USER") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            sender=str(config.get("SMTP_FROM") or ""),
            security=str(config.get("SMTP_SECURITY") or "starttls"),
        )


def send(target: Target, message: Message, now_ms: int, smtp: Smtp, timeout: float) -> tuple[Outcome, str]:
    if target.kind == ChannelKind.EMAIL:
        return send_mail(target.address, message, smtp, timeout)
    if target.kind == ChannelKind.DINGTALK:
        return post_json(
            dingtalk_url(target.address, target.secret, now_ms), dingtalk_payload(message), timeout
        )
    return post_json(target.address, wecom_payload(message), timeout)


def post_json(url: str, payload: dict[str, object], timeout: float) -> tuple[Outcome, str]:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname or "", parts.port, timeout=timeout)
    body = json.dumps(payload, ensure_ascii=False).encode()
    try:
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as error:
            return Outcome.RETRY, f"no connection: {error}"[:256]
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json; charset=utf-8"})
            response = conn.getresponse()
            raw = response.read(65536)
        except (OSError, http.client.HTTPException) as error:
            return Outcome.UNSURE, f"no answer: {error}"[:256]
    finally:
        conn.close()
    try:
        answer: object = json.loads(raw)
    except ValueError:
        answer = None
    shown = raw.decode(errors="replace")[:200]
    return robot_outcome(response.status, answer), f"HTTP {response.status} {shown}"[:256]


def send_mail(addresses: str, message: Message, smtp: Smtp, timeout: float) -> tuple[Outcome, str]:
    if not smtp.host or not smtp.sender:
        return Outcome.FAILED, "SMTP not configured (INSPECT_SMTP_HOST, INSPECT_SMTP_FROM)"
    mail = EmailMessage()
    mail["Subject"], mail["From"] = message.title, smtp.sender
    mail["To"] = ", ".join(parse_addresses(addresses))
    mail["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    mail.set_content(message.plain())
    try:
        server = _connect(smtp, timeout)
    except (OSError, smtplib.SMTPException) as error:
        return Outcome.RETRY, f"no connection: {error}"[:256]
    try:
        server.send_message(mail)
    except smtplib.SMTPRecipientsRefused as error:
        return Outcome.FAILED, f"refused: {error}"[:256]
    except smtplib.SMTPResponseException as error:
        outcome = Outcome.RETRY if 400 <= error.smtp_code < 500 else Outcome.FAILED
        return outcome, f"SMTP {error.smtp_code} {error.smtp_error!r}"[:256]
    except (OSError, smtplib.SMTPException) as error:
        return Outcome.UNSURE, f"no answer: {error}"[:256]
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return Outcome.SENT, "SMTP 250"


def _connect(smtp: Smtp, timeout: float) -> smtplib.SMTP:
    if smtp.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout)
    else:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        if smtp.security == "starttls":
            server.starttls(context=ssl.create_default_context())
    if smtp.user:
        server.login(smtp.user, smtp.password)
    return server
