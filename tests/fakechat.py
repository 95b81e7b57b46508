"""A loopback stand-in for 企业微信 and 钉钉 group robots, strict the way theirs are.

``/wecom?key=K`` checks a 企业微信 message (markdown ≤ 4096 bytes, or text ≤ 2048 bytes with
``mentioned_mobile_list``); ``/dingtalk?access_token=T&timestamp=…&sign=…`` checks 钉钉's 加签 (HMAC-SHA256 of
"timestamp\\nsecret", base64, within an hour) and that every @-ed mobile is written into the text. Each robot
allows 20 messages a minute and answers the 21st with its "too fast" errcode (45009, 130101). A test can
script answers (``script``), hold a request until released (``hold``) and read what arrived (``received``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SECRET = "SECtest0123456789abcdef"


@dataclass
class Arrival:
    robot: str  # "wecom" or "dingtalk"
    payload: dict[str, Any]
    answer: dict[str, Any]

    @property
    def text(self) -> str:
        body = self.payload.get("markdown") or self.payload.get("text") or {}
        return str(body.get("content") or body.get("text") or "")

    @property
    def mentions(self) -> list[str]:
        if self.robot == "dingtalk":
            return list(self.payload.get("at", {}).get("atMobiles", []))
        return list(self.payload.get("text", {}).get("mentioned_mobile_list", []))


@dataclass
class FakeRobots:
    secret: str = SECRET
    per_minute: int = 20
    received: list[Arrival] = field(default_factory=list)
    #: answers to give next, in order: (HTTP status, JSON) or "hang" (never answer before the client gives up)
    script: list[Any] = field(default_factory=list)
    #: set while a request is held (see ``hold``)
    arrived: threading.Event = field(default_factory=threading.Event)
    _release: threading.Event | None = None
    _sent: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    #: the robots' clock in seconds (a test that freezes the app's clock passes it here)
    now: Callable[[], float] = time.time

    def url(self, robot: str, token: str) -> str:
        key = "key" if robot == "wecom" else "access_token"
        return f"http://127.0.0.1:{self.port}/{robot}?{key}={token}"

    def ok(self) -> list[Arrival]:
        return [a for a in self.received if a.answer.get("errcode") == 0]

    def texts(self) -> list[str]:
        return [a.text for a in self.ok()]

    @contextmanager
    def hold(self) -> Iterator[threading.Event]:
        """The next request is stored as received, then held without an answer until the block ends."""
        self.arrived.clear()
        self._release = release = threading.Event()
        try:
            yield self.arrived
        finally:
            release.set()

    def check(self, robot: str, query: dict[str, list[str]], payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            return {"errcode": 40001, "errmsg": "invalid json"}
        problem = self._wecom(payload) if robot == "wecom" else self._dingtalk(query, payload)
        if problem:
            return problem
        with self._lock:
            token = (query.get("key") or query.get("access_token") or [""])[0]
            window = [t for t in self._sent.get(token, []) if t > self.now() - 60]
            if len(window) >= self.per_minute:
                code = 45009 if robot == "wecom" else 130101
                return {"errcode": code, "errmsg": "send too fast"}
            self._sent[token] = [*window, self.now()]
        return {"errcode": 0, "errmsg": "ok"}

    @staticmethod
    def _wecom(payload: dict[str, Any]) -> dict[str, Any] | None:
        kind = payload.get("msgtype")
        limits = {"markdown": 4096, "text": 2048}
        body = payload.get(str(kind)) or {}
        content = body.get("content")
        if kind not in limits or not isinstance(content, str) or not content:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if len(content.encode()) > limits[str(kind)]:
            return {"errcode": 40058, "errmsg": "content exceed max length"}
        if kind == "markdown" and "mentioned_mobile_list" in body:
            return {"errcode": 40008, "errmsg": "markdown cannot mention by mobile"}
        return None

    def _dingtalk(self, query: dict[str, list[str]], payload: dict[str, Any]) -> dict[str, Any] | None:
        stamp, sign = (query.get("timestamp") or [""])[0], (query.get("sign") or [""])[0]
        want = base64.b64encode(
            hmac.new(self.secret.encode(), f"{stamp}\n{self.secret}".encode(), hashlib.sha256).digest()
        ).decode()
        if not stamp.isdigit() or abs(int(stamp) - self.now() * 1000) > 3600_000:
            return {"errcode": 310000, "errmsg": "timestamp out of range"}
        if not hmac.compare_digest(sign, want):
            return {"errcode": 310000, "errmsg": "sign not match"}
        markdown = payload.get("markdown") or {}
        if payload.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
            return {"errcode": 40035, "errmsg": "missing title or text"}
        if any(f"@{m}" not in markdown["text"] for m in payload.get("at", {}).get("atMobiles", [])):
            return {"errcode": 40035, "errmsg": "an @ mobile is not in the text"}
        return None


def _handler(robots: FakeRobots) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            robot = parts.path.strip("/")
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            with robots._lock:
                scripted = robots.script.pop(0) if robots.script else None
            if scripted == "hang":
                time.sleep(3)
                return
            if scripted is not None and scripted[0] != 200:
                return self._answer(scripted[0], scripted[1])
            answer = (
                scripted[1] if scripted is not None else robots.check(robot, parse_qs(parts.query), payload)
            )
            robots.received.append(Arrival(robot, payload if isinstance(payload, dict) else {}, answer))
            release = robots._release
            if release is not None:
                robots._release = None
                robots.arrived.set()
                release.wait(30)
            self._answer(200, answer)

        def _answer(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the sender was killed or gave up waiting

    return Handler


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[int]:
    """Serve from a thread until the block ends; yields the port."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])  # type: ignore[index]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def fake_robots(**options: Any) -> Iterator[FakeRobots]:
    robots = FakeRobots(**options)
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _handler(robots))) as robots.port:
        yield robots


@dataclass
class FakeSmtp:
    """Just enough of an SMTP server (no TLS: the test sets INSPECT_SMTP_SECURITY=none) to receive mail."""

    mails: list[tuple[list[str], bytes]] = field(default_factory=list)
    port: int = 0


def _smtp_handler(box: FakeSmtp) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self._say("220 fake ESMTP")
            recipients: list[str] = []
            while line := self.rfile.readline():
                verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self._say("250 fake")
                elif verb == "MAIL":
                    recipients = []
                    self._say("250 ok")
                elif verb == "RCPT":
                    recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                    self._say("250 ok")
                elif verb == "DATA":
                    self._say("354 go on")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    box.mails.append((recipients, data))
                    self._say("250 queued")
                elif verb == "QUIT":
                    self._say("221 bye")
                    return
                else:
                    self._say("250 ok")

        def _say(self, text: str) -> None:
            self.wfile.write(text.encode() + b"\r\n")

    return Handler


@contextmanager
def fake_smtp() -> Iterator[FakeSmtp]:
    box = FakeSmtp()
    with serving(socketserver.ThreadingTCPServer(("127.0.0.1", 0), _smtp_handler(box))) as box.port:
        yield box
