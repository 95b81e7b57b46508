#!/usr/bin/env python3
"""Two app hosts behind one nginx, sharing nothing but PostgreSQL, Redis and an S3-compatible store.

Starts moto's S3 server (standing in for MinIO or a cloud bucket), Redis (the one on this machine, database
``--redis-db``), a throw-away PostgreSQL database with the demo mine (``bench_twohosts``, or
``BENCH_PG_URL``), two gunicorn "hosts" (2 × 4 gthread each, the README's settings) and nginx round-robin
in front of them (``X-Served-By`` names the host of each answer). Then, through the proxy:

* **sessions**: an assessor logs in once and opens pages answered by both hosts; after logging out, the old
  cookie opens nothing on either;
* **limits**: wrong passwords for one login from one phone are refused (429) after the configured number,
  counted together by both hosts (in memory, each host would allow as many again);
* **the phone's outbox**: a signed sheet with a photo sent through the proxy and sent again (a resend after a
  lost answer) is answered by both hosts with the same sheet, stored once; its photo, in S3, opens on both;
* **the phones' outboxes**: ``--phones`` phones (each from its own address) send the anonymous sheets of their
  ballot cards with a photo each, every sheet twice: each stored exactly once.

Prints each check and exits 1 if one fails. Loopback only; installs nginx with apt-get if it is missing.

    .venv/bin/python scripts/bench/twohosts.py [--phones 24]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402  (scripts/bench/benchdb.py)
import sqlalchemy as sa  # noqa: E402
from PIL import Image  # noqa: E402
from replay import prepare, verify  # noqa: E402  (scripts/bench/replay.py)
from submit import free_port  # noqa: E402
from supervise import Supervised, listening  # noqa: E402  (scripts/bench/supervise.py)

from inspect_app import create_app  # noqa: E402
from inspect_app.demo import DEMO_PASSWORD  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Round, RoundPost, Sheet, SheetPhoto  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_twohosts"
BUCKET = "inspect-photos"
ASSESSOR = "renshi3"  # the demo's third HR assessor: has scored nothing yet

NGINX = """
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {work}/body; proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fcgi;
    uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    upstream inspect {{ server 127.0.0.1:{a}; server 127.0.0.1:{b}; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 25m;
        proxy_request_buffering on;
        location / {{
            proxy_pass http://inspect;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            add_header X-Served-By $upstream_addr always;
        }}
    }}
}}
"""


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, name: str, ok: bool, detail: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {detail}")
        if not ok:
            self.failed.append(name)


class Phone:
    """A phone's browser: its own address (127.0.0.N, so limits count per phone as behind a real proxy), its
    cookies, its user agent; each answer comes with the host that served it."""

    def __init__(self, port: int, address: str = "127.0.0.1") -> None:
        self.port, self.address = port, address
        self.cookies: dict[str, str] = {}

    def call(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None,
             ) -> tuple[int, str, bytes]:  # fmt: skip
        """(status, serving host, body); redirects are not followed."""
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
        )
        sent = {"User-Agent": f"phone {self.address}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None and "Content-Type" not in sent:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request("GET" if data is None else "POST", path, data, sent)
            answer = conn.getresponse()
            body = answer.read()
        finally:
            conn.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in cookie and "01 Jan 1970" not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return answer.status, answer.headers.get("X-Served-By", ""), body

    def token(self, path: str = "/login") -> str:
        page = self.call(path)[2].decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    def login(self, username: str, password: str) -> tuple[int, str]:
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrf_token": self.token()}
        ).encode()
        status, host, _ = self.call("/login", body)
        return status, host


def multipart(form: dict[str, str], photo: bytes | None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in form.items()]  # fmt: skip
    if photo is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")  # fmt: skip
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def picture(n: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((800, 600), 20 + n).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def services(work: Path, args: argparse.Namespace) -> tuple[dict[str, str], subprocess.Popen[bytes]]:
    """moto's S3 with the bucket, Redis's database emptied, PostgreSQL with the demo: the hosts' settings."""
    import boto3
    import redis

    s3_port = free_port()
    moto = subprocess.Popen([VENV_BIN / "moto_server", "-H", "127.0.0.1", "-p", str(s3_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(100):
        if listening(s3_port):
            break
        time.sleep(0.1)
    env = {
        "FLASK_APP": "inspect_app",
        "INSPECT_DATABASE_URL": benchdb.bench_url(PG_URL),
        "INSPECT_SECRET_KEY": uuid.uuid4().hex,
        "INSPECT_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{args.redis_db}",
        "INSPECT_TRUSTED_PROXIES": "1",
        "INSPECT_PHOTO_STORE": "s3",
        "INSPECT_S3_BUCKET": BUCKET,
        "INSPECT_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "INSPECT_PHOTO_DIR": str(work / "no-local-photos"),  # must stay empty: photos live in S3
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",  # noqa: S105 — moto accepts anything
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    os.environ.update(env)
    boto3.client("s3", endpoint_url=env["INSPECT_S3_ENDPOINT_URL"]).create_bucket(Bucket=BUCKET)
    redis.Redis.from_url(env["INSPECT_RATELIMIT_STORAGE_URI"]).flushdb()
    benchdb.recreate(env["INSPECT_DATABASE_URL"])
    for command in (["db", "upgrade"], ["demo", "--no-sheets"]):
        subprocess.run([VENV_BIN / "flask", *command], check=True, capture_output=True)
    return env, moto


def nginx(work: Path, a: int, b: int) -> tuple[subprocess.Popen[bytes], int]:
    if not shutil.which("nginx"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, capture_output=True)
    port = free_port()
    work.chmod(0o755)  # nginx's workers (another user) keep large bodies in files under it
    for name in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
        (work / name).mkdir(mode=0o777)
        (work / name).chmod(0o777)
    conf = work / "nginx.conf"
    conf.write_text(NGINX.format(work=work, a=a, b=b, port=port))
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work)])
    for _ in range(100):
        if listening(port):
            return proc, port
        time.sleep(0.05)
    raise SystemExit("nginx did not start")


def check_sessions(port: int, out: Checks) -> None:
    phone = Phone(port, "127.0.0.2")
    status, _ = phone.login(ASSESSOR, DEMO_PASSWORD)
    answers = [phone.call("/desk/") for _ in range(6)]
    hosts = {host for _, host, _ in answers}
    pages = [s for s, _, _ in answers]
    ok = status == 303 and pages == [200] * 6 and len(hosts) == 2
    out.check("a session on both hosts", ok, f"login {status}, 6 pages {pages} from {sorted(hosts)}")
    copy = Phone(port, "127.0.0.2")
    copy.cookies = dict(phone.cookies)  # a copy of the cookies, kept somewhere
    phone.call("/logout", urllib.parse.urlencode({"csrf_token": phone.token("/desk/")}).encode())
    after = [copy.call("/desk/") for _ in range(4)]
    out.check("logging out ends the session on both hosts",
              all(s in (302, 303) for s, _, _ in after) and len({h for _, h, _ in after}) == 2,
              f"the copied cookie afterwards: {[s for s, _, _ in after]}")  # fmt: skip


def check_limits(port: int, out: Checks) -> None:
    phone = Phone(port, "127.0.0.3")
    token = phone.token()  # one form, sent again and again: the posts alternate between the hosts
    statuses, hosts = [], set()
    for _ in range(25):
        body = urllib.parse.urlencode({"username": "guesser", "password": "wrong", "csrf_token": token})
        status, host, _ = phone.call("/login", body.encode())
        statuses.append(status)
        hosts.add(host)
        if status == 429:
            break
    tries = statuses.index(429) if 429 in statuses else len(statuses)
    ok = 429 in statuses and tries <= 10 and len(hosts) == 2
    detail = f"{tries} wrong passwords answered before 429, by {sorted(hosts)} (each alone allows 10)"
    out.check("limits counted by both hosts together", ok, detail)


def sheet_form(token: str) -> tuple[str, dict[str, str]]:
    app = create_app()
    with app.app_context():
        rnd = db.session.scalars(sa.select(Round).where(Round.kind == "ten_day")).one()
        entries = db.session.scalars(sa.select(RoundPost).where(RoundPost.round_id == rnd.id)).all()
        entry = entries[-1]
        path = f"/field/{rnd.id}/{entry.post.code}"
        form = {"csrf_token": token, "submission_id": str(uuid.uuid4())}
        form |= {f"d-{item.id}": "0" for item in entry.standard_version.items}
        db.engine.dispose()
    return path, form


def check_outbox(port: int, ports: tuple[int, int], out: Checks) -> None:
    phone = Phone(port, "127.0.0.4")
    phone.login(ASSESSOR, DEMO_PASSWORD)
    path, form = sheet_form(phone.token("/desk/"))
    body, kind = multipart(form, picture(1))
    headers = {"Content-Type": kind, "Accept": "application/json"}
    answers = [phone.call(path, body, headers) for _ in range(2)]  # sent, then resent after a "lost" answer
    ids = {json.loads(b)["sheet_id"] for s, _, b in answers if s == 200}
    hosts = {h for _, h, _ in answers}
    app = create_app()
    with app.app_context():
        stored = db.session.scalars(
            sa.select(Sheet.id).where(Sheet.submission_id == uuid.UUID(form["submission_id"]))
        ).all()
        photo = db.session.scalars(sa.select(SheetPhoto.sha256).where(SheetPhoto.sheet_id.in_(stored))).all()
        db.engine.dispose()
    out.check("a resent sheet is stored once", len(ids) == 1 and len(stored) == 1 and len(hosts) == 2,
              f"answers {[s for s, _, _ in answers]} from {sorted(hosts)}, {len(stored)} stored")  # fmt: skip
    shown = []
    for host_port in ports:  # each host directly: the photo is in the shared store, not on one host's disk
        host = Phone(host_port, "127.0.0.4")
        host.cookies = phone.cookies
        status, _, data = host.call(f"/photos/{photo[0]}.jpg") if photo else (0, "", b"")
        shown.append((status, data))
    out.check("its photo opens on both hosts", len(photo) == 1 and all(s == 200 for s, _ in shown)
              and shown[0][1] == shown[1][1] and len(shown[0][1]) > 1000,
              f"{[s for s, _ in shown]}, {len(shown[0][1])} bytes")  # fmt: skip


def check_storm(port: int, phones: int, out: Checks) -> None:
    """Phones send their anonymous sheets (ballot cards, a photo each) through the proxy, each sheet twice
    with the same submission id, as an outbox resends it after a lost answer: each stored exactly once."""
    round_id, cards, posts = prepare(phones)
    pictures = [picture(n) for n in range(8)]

    def phone_run(n: int) -> list[tuple[int, str]]:
        phone = Phone(port, f"127.0.1.{n + 1}")
        answers = []
        for k, (code, (_, items)) in enumerate(posts.items()):
            form = {"card": cards[n], "submission_id": str(uuid.uuid4())} | {f"d-{i}": "0" for i in items}
            body, kind = multipart(form, pictures[(n + k) % len(pictures)])
            for _ in range(2):
                headers = {"Content-Type": kind, "Accept": "application/json"}
                status, host, _ = phone.call(f"/b/{round_id}/{code}", body, headers)
                answers.append((status, host))
        return answers

    began = time.perf_counter()
    with ThreadPoolExecutor(phones) as pool:
        answers = [a for phone in pool.map(phone_run, range(phones)) for a in phone]
    elapsed = time.perf_counter() - began
    stored, missing, extra = verify(round_id, cards, posts)
    statuses = sorted({s for s, _ in answers})
    hosts = {h for _, h in answers}
    out.check("the phones' outboxes through the proxy: every sheet once",
              missing == 0 and extra == 0 and statuses == [200] and len(hosts) == 2,
              f"{phones} phones × {len(posts)} sheets sent twice in {elapsed:.1f} s: answers {statuses} from "
              f"{len(hosts)} hosts; stored {stored}, missing {missing}, duplicated {extra}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="two app hosts behind one nginx on PostgreSQL, Redis and S3")
    parser.add_argument("--redis-db", type=int, default=15, help="the Redis database the bench empties")
    parser.add_argument("--phones", type=int, default=24)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspect-twohosts-"))
    env, moto = services(work, args)
    hosts: list[Supervised] = []
    proxy = None
    out = Checks()
    try:
        ports = (free_port(), free_port())
        options = ["--worker-class", "gthread", "--threads", "4"]
        hosts = [Supervised("inspect_app:create_app()", port, ROOT, 2, options) for port in ports]
        proxy, port = nginx(work, *ports)
        print(f"two hosts :{ports[0]} and :{ports[1]} behind nginx :{port}; PostgreSQL, Redis, S3 (moto)")
        check_sessions(port, out)
        check_limits(port, out)
        check_outbox(port, ports, out)
        check_storm(port, args.phones, out)
        local = list((work / "no-local-photos").rglob("*.jpg"))
        out.check("no photo on a host's disk", not local, f"{len(local)} files under PHOTO_DIR")
    finally:
        if proxy is not None:
            proxy.send_signal(signal.SIGQUIT)
            proxy.wait()
        for host in hosts:
            host.stop()
        moto.terminate()
        moto.wait()
        benchdb.drop(env["INSPECT_DATABASE_URL"])
        shutil.rmtree(work, ignore_errors=True)
    print("all checks passed" if not out.failed else f"FAILED: {', '.join(out.failed)}")
    sys.exit(1 if out.failed else 0)


if __name__ == "__main__":
    main()
