#!/usr/bin/env python3
"""Sheet-submit throughput against bare Flask, both under gunicorn (2 sync workers) on 127.0.0.1.

Prepares a throw-away SQLite database with the demo mine plus enough open signed rounds and HR assessors
that every request stores a new sheet, logs the assessors in, writes the request list, then runs wrk
(2 threads, 32 connections, a fixed duration) against the app, against ``bare_app.py`` (a form POST that
stores nothing) and against ``durable_app.py`` (the same POST storing a sheet row and its item rows with raw
sqlite3, BEGIN IMMEDIATE, the app's pragmas), and prints the rates, both ratios and the app's WAL peak.
Loopback only; each target is loaded for ``--seconds``. Goal: ≥ 0.5 × the durable baseline.

    .venv/bin/python scripts/bench/submit.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
INSPECTORS = 24
#: the phone's browser, at login and in every POST (wrk_requests.lua): another would mark the session not
#: fresh, and the app would send a new cookie with each answer, which a real phone does not cause
USER_AGENT = "inspect-bench"
ROUNDS = 240  # × 6 posts × 24 HR assessors = 34,560 distinct sheets
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.auth.services import hash_password  # noqa: E402
from inspect_app.database import write_transaction  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Round, RoundPost, Sheet, User  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare() -> None:
    """Migrate, load the demo, then add rounds and assessors so that every request is a new sheet."""
    subprocess.run([VENV_BIN / "flask", "db", "upgrade"], check=True, capture_output=True)
    subprocess.run([VENV_BIN / "flask", "demo", "--no-sheets"], check=True, capture_output=True)
    app = create_app()
    with app.app_context():
        # signed rounds are scored by the assessor a post names: HR's ten-day supervision (旬督导)
        template = db.session.scalars(select(Round).where(Round.kind == "ten_day")).one()
        pairs = [(e.post_id, e.standard_version_id) for e in template.entries]
        today = date.today()
        with write_transaction():
            for n in range(ROUNDS):
                entries = [RoundPost(post_id=p, standard_version_id=v) for p, v in pairs]
                db.session.add(
                    Round(title=f"bench {n}", kind="ten_day", mode="joint", status="open", anonymous=False,
                          period_start=today, period_end=today, entries=entries)
                )  # fmt: skip
            for n in range(INSPECTORS):
                db.session.add(
                    User(username=f"bench{n}", display_name=f"bench{n}", role="hr",
                         password_hash=hash_password("bench"))
                )  # fmt: skip
        db.engine.dispose()


def start(
    target: str, port: int, cwd: Path, workers: int, options: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """gunicorn serving ``target`` on 127.0.0.1:``port`` (``options``: a worker class…), once it listens."""
    command = [VENV_BIN / "gunicorn", "--workers", str(workers), *options, "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", target]  # fmt: skip
    proc = subprocess.Popen(command, cwd=cwd)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn for {target} did not start")


def login(base: str, username: str) -> tuple[str, str]:
    """Log in like a browser; returns the session cookie header and the session's CSRF token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]  # wrk sends the same: the session stays as it is
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode({"username": username, "password": "bench", "csrf_token": token})
    opener.open(f"{base}/login", body.encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar), token


def request_lines(port: int) -> list[str]:
    """One unique sheet POST per (round, post, assessor), every item without defects."""
    app = create_app()
    with app.app_context():
        rounds = list(db.session.scalars(select(Round.id).where(Round.title.like("bench %"))))
        posts = {
            e.post.code: [i.id for i in e.standard_version.items]
            for e in db.session.scalars(select(RoundPost).where(RoundPost.round_id == rounds[0]))
        }
        db.engine.dispose()
    sessions = [login(f"http://127.0.0.1:{port}", f"bench{n}") for n in range(INSPECTORS)]
    lines = []
    for round_id in rounds:
        for code, items in posts.items():
            for cookie, token in sessions:
                form = {"csrf_token": token, "submission_id": str(uuid.uuid4())} | {
                    f"d-{i}": "0" for i in items
                }
                lines.append(f"/field/{round_id}/{code}\t{cookie}\t{urllib.parse.urlencode(form)}")
    return lines


def wrk(port: int, lines_file: Path, seconds: int, connections: int) -> tuple[float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(BENCH / "wrk_requests.lua"),
               f"http://127.0.0.1:{port}", "--", str(lines_file)]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = int(re.search(r"non2xx3xx=(\d+)", out).group(1))  # type: ignore[union-attr]
    return rate, bad


def stored_sheets() -> int:
    app = create_app()
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Sheet)) or 0
        db.engine.dispose()
    return count


class PeakSize:
    """Samples a file's size (the SQLite WAL) while the block runs."""

    def __init__(self, path: Path) -> None:
        self.path, self.peak = path, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSize:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            if self.path.exists():
                self.peak = max(self.peak, self.path.stat().st_size)


def _load(target: str, cwd: Path, lines_file: Path, args: argparse.Namespace) -> tuple[float, int]:
    port = free_port()
    proc = start(target, port, cwd, args.workers)
    try:
        return wrk(port, lines_file, args.seconds, args.connections)
    finally:
        proc.terminate()
        proc.wait()


def run(args: argparse.Namespace, work: Path) -> None:
    prepare()
    app_port = free_port()
    proc = start("inspect_app:create_app()", app_port, ROOT, args.workers)
    wal = Path(os.environ["INSPECT_DATABASE_URL"].removeprefix("sqlite:///") + "-wal")
    try:
        lines = request_lines(app_port)
        lines_file = work / "requests.tsv"
        lines_file.write_text("\n".join(lines) + "\n")
        with PeakSize(wal) as wal_size:
            app_rate, app_bad = wrk(app_port, lines_file, args.seconds, args.connections)
    finally:
        proc.terminate()
        proc.wait()
    bare_rate, bare_bad = _load("bare_app:app", BENCH, lines_file, args)
    os.environ["BENCH_DURABLE_DB"] = str(work / "durable.db")
    durable_rate, durable_bad = _load("durable_app:app", BENCH, lines_file, args)
    stored = stored_sheets()
    print(
        f"sheet submit (SQLite, 2 workers): {app_rate:8.0f} req/s  ({app_bad} non-2xx/3xx, {stored} stored, "
        f"WAL peak {wal_size.peak / 2**20:.1f} MiB)"
    )
    print(f"bare Flask form POST            : {bare_rate:8.0f} req/s  ({bare_bad} non-2xx/3xx)")
    print(f"durable baseline (raw sqlite3)  : {durable_rate:8.0f} req/s  ({durable_bad} non-2xx/3xx)")
    print(f"ratio to bare Flask             : {app_rate / bare_rate:8.2f}")
    print(f"ratio to the durable baseline   : {app_rate / durable_rate:8.2f}  (goal >= 0.50)")
    if len(lines) < app_rate * args.seconds:
        print("warning: the request list was shorter than the run, so some requests were replays")


def main() -> None:
    parser = argparse.ArgumentParser(description="sheet-submit throughput vs bare Flask")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers for both targets")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    work = Path(tempfile.mkdtemp(prefix="inspect-bench-"))
    os.environ.update(
        FLASK_APP="inspect_app",
        INSPECT_DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
        INSPECT_SECRET_KEY=uuid.uuid4().hex,
        INSPECT_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",  # noqa: S106 — a method name, not a password
        INSPECT_RATELIMIT_LOGIN="1000 per minute",  # the bench logs 24 assessors in from one address
    )
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
