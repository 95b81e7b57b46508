#!/usr/bin/env python3
"""Slow uploads against the serving setup: do two phones on a weak signal stall everybody else?

Starts gunicorn on the demo (SQLite) twice: the sync workers an earlier README recommended (2 workers) and the
threaded workers it recommends now (2 workers × 8 threads, ``gthread``). In each, two clients start a sheet
upload and trickle its body (1 KB every 0.2 s, as a phone underground does) while a third client fetches a
normal page once every 0.1 s. Prints the page's median and worst time with and without the slow uploads, and
the worst delay they add (goal with gthread: ≤ 100 ms). The baseline is the same page, same server, no slow
upload, in the same run.

    .venv/bin/python scripts/bench/slowclient.py [--seconds 6]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from submit import free_port, start  # noqa: E402

SETUPS = {
    "sync, 2 workers": [],
    "gthread, 2 workers × 8 threads": ["--worker-class", "gthread", "--threads", "8", "--timeout", "60"],
}


def trickle(port: int, stop: threading.Event) -> None:
    """A sheet upload whose body comes 1 KB at a time, 0.2 s apart, until told to stop."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(
            b"POST /b/1/K7M3Q HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\n\r\n"
        )
        while not stop.is_set():
            try:
                conn.sendall(b"r-1=" + b"x" * 1020)
            except OSError:
                return
            time.sleep(0.2)


#: a page not served within this long counts as this long (the phone has given up)
GIVE_UP = 5.0


def page_times(port: int, seconds: float) -> list[float]:
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        began = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/rankings/rules", timeout=GIVE_UP) as answer:  # noqa: S310
                answer.read()
            times.append(time.perf_counter() - began)
        except OSError:  # timed out: the workers are all busy with the slow uploads
            times.append(GIVE_UP)
        time.sleep(0.1)
    return times


def measure(label: str, options: list[str], seconds: float) -> None:
    port = free_port()
    proc = start("inspect_app:create_app()", port, ROOT, 2, options)
    try:
        page_times(port, 1)  # warm up
        alone = page_times(port, seconds)
        stop = threading.Event()
        slow = [threading.Thread(target=trickle, args=(port, stop), daemon=True) for _ in range(2)]
        for thread in slow:
            thread.start()
        time.sleep(0.5)
        loaded = page_times(port, seconds)
        stop.set()
    finally:
        proc.terminate()
        proc.wait()
    added = max(0.0, max(loaded) - max(alone)) * 1000
    print(f"{label:32}: page median {statistics.median(alone) * 1000:6.1f} ms alone, "
          f"{statistics.median(loaded) * 1000:7.1f} ms with 2 slow uploads; worst {max(alone) * 1000:6.1f} → "
          f"{max(loaded) * 1000:7.1f} ms (+{added:.0f} ms)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="slow uploads vs sync and threaded workers")
    parser.add_argument("--seconds", type=float, default=6)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspect-slow-"))
    os.environ.update(FLASK_APP="inspect_app", INSPECT_DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
                      INSPECT_SECRET_KEY=uuid.uuid4().hex, INSPECT_RATELIMIT_ENABLED="false",
                      INSPECT_PHOTO_DIR=str(work / "photos"))  # fmt: skip
    try:
        subprocess.run([VENV_BIN / "flask", "db", "upgrade"], check=True, capture_output=True, cwd=ROOT)
        subprocess.run([VENV_BIN / "flask", "demo"], check=True, capture_output=True, cwd=ROOT)
        for label, options in SETUPS.items():
            measure(label, options, args.seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
