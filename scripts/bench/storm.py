#!/usr/bin/env python3
"""The shift-change storm: every phone back in signal at once, each sending its outbox of finished sheets.

``--phones`` (200) phones each hold ballot cards of the demo's open anonymous round and send ``--sheets`` (20)
finished sheets one after another, as the phone's outbox does, each with one photo of about 300 KB already
shrunk to 1600 px on the phone (made here with Pillow, ``--distinct`` different pictures). All phones start
together against gunicorn (``--workers`` sync workers, loopback only). Prints the wall time, sheets/s, p50 and
p95 latency, sheets stored / lost / duplicated (each card's nullifiers recomputed), photos held for sealing,
the server's peak RSS (master and workers, sampled) and the SQLite WAL's peak size. Goal (issue 22): ≤ 60 s
for 4,000 sheets with photos, 0 lost, 0 duplicated.

    .venv/bin/python scripts/bench/storm.py [--db sqlite|postgresql] [--phones 200] [--sheets 20]
"""

from __future__ import annotations

import argparse
import http.client
import io
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402  (scripts/bench/benchdb.py)
import sqlalchemy as sa  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402
from replay import PG_URL, fresh_database, prepare, verify  # noqa: E402
from submit import free_port  # noqa: E402
from supervise import Supervised, children  # noqa: E402  (scripts/bench/supervise.py)

from inspect_app import create_app  # noqa: E402
from inspect_app.audit import Actor  # noqa: E402
from inspect_app.domain.ballots import RoundAction  # noqa: E402
from inspect_app.domain.enums import Role  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import AnonSheetPhoto  # noqa: E402
from inspect_app.photos.uploads import photo_store  # noqa: E402
from inspect_app.rounds.services import step_round  # noqa: E402

Sheet = tuple[str, str, dict[str, str], int]  # (path, card, form, photo index)


def photos(count: int, kilobytes: int) -> list[bytes]:
    """Photo-like 1600×1200 JPEGs of about ``kilobytes`` each, every one different."""
    made = []
    for n in range(count):
        rng = random.Random(n)  # noqa: S311 — test pictures
        light = Image.linear_gradient("L").rotate(rng.randrange(360)).resize((1600, 1200))
        grain = Image.effect_noise((1600, 1200), 30 + n % 20).filter(ImageFilter.GaussianBlur(0.7))
        image = Image.merge("RGB", (Image.blend(light, grain, 0.5), grain, Image.blend(grain, light, 0.3)))
        ImageDraw.Draw(image).text((40, 40), f"storm photo {n}", fill=(255, 255, 0))
        for quality in (85, 75, 65, 55, 45):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality)
            if out.tell() <= kilobytes * 1024:
                break
        made.append(out.getvalue())
    return made


def multipart(form: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in form.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def outboxes(round_id: int, cards: list[str], posts: dict[str, tuple[int, list[int]]], phones: int,
             sheets: int, distinct: int) -> list[list[Sheet]]:  # fmt: skip
    """Each phone's queue: its cards' sheets, post after post, ``sheets`` of them."""
    rng = random.Random(2)  # noqa: S311
    per_phone = math.ceil(sheets / len(posts))
    queues = []
    for phone in range(phones):
        own = cards[phone * per_phone : (phone + 1) * per_phone]
        queue: list[Sheet] = []
        for card in own:
            for code, (_, items) in posts.items():
                form = {"card": card, "submission_id": str(uuid.uuid4())}
                form |= {f"d-{i}": str(rng.choice((0, 0, 0, 1))) for i in items}
                queue.append((f"/b/{round_id}/{code}", card, form, rng.randrange(distinct)))
        queues.append(queue[:sheets])
    return queues


def send(base: str, sheet: Sheet, pictures: list[bytes], attempts: int = 5) -> tuple[str, float]:
    path, _card, form, photo = sheet
    body, kind = multipart(form, pictures[photo])
    request = urllib.request.Request(base + path, body, {"Content-Type": kind, "Accept": "application/json"})
    began = time.perf_counter()
    for attempt in range(
        attempts
    ):  # the phone's outbox resends a dropped request with the same submission id
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 — loopback only
                answer.read()
                return str(answer.status), time.perf_counter() - began
        except urllib.error.HTTPError as error:
            return str(error.code), time.perf_counter() - began
        except (OSError, http.client.HTTPException):  # refused, reset, or cut off mid-answer
            time.sleep(min(0.5 * (attempt + 1), 2.0))
    return "dropped", time.perf_counter() - began


class Killer:
    """``--kill``: ``kill -9`` a worker once a third of the sheets are answered and the master at two thirds
    (or just one of them), under a process manager that restarts the master as systemd would; measures how
    long until the server is whole again (a worker: its master has started another; the master: the first
    sheet answered by the new one)."""

    def __init__(self, server: Supervised, what: str, total: int) -> None:
        self.server, self.total = server, total
        self.plan = {"worker": ["worker"], "master": ["master"], "both": ["worker", "master"]}[what]
        self.answered: list[float] = []  # when each sheet was answered (2xx), in order
        self.recovery: dict[str, float] = {}
        self.killed_at: dict[str, int] = {}  # sheets answered when it was killed
        self.serving_again = 0.0  # seconds from killing the master to a new one serving
        self.killed_when: dict[str, float] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def answered_at(self, status: str) -> None:
        if status.startswith("2"):
            with self._lock:
                self.answered.append(time.perf_counter())

    def __enter__(self) -> Killer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join()

    def longest_pause(self, what: str) -> float:
        """The longest time no sheet was answered, from the kill until 10 s after it."""
        start = self.killed_when[what]
        times = [start, *(t for t in self.answered if start < t < start + 10)]
        return max(b - a for a, b in zip(times, times[1:], strict=False)) if len(times) > 1 else 10.0

    def _wait_for(self, count: int) -> None:
        while len(self.answered) < count:
            time.sleep(0.01)

    def _run(self) -> None:
        for step, what in enumerate(self.plan, start=1):
            self._wait_for(self.total * step // (len(self.plan) + 1))
            killed = time.perf_counter()
            self.killed_at[what], self.killed_when[what] = len(self.answered), killed
            if what == "worker":
                pid = self.server.kill_worker()
                while pid in children(self.server.master) or not self.server.workers_up():
                    time.sleep(0.005)  # reaped by its master, and another started in its place
                self.recovery[what] = time.perf_counter() - killed
            else:
                self.server.kill_master()
                time.sleep(0.1)
                while not any(t > killed + 0.1 for t in self.answered[-50:]) or not self.server.restarts:
                    time.sleep(0.01)
                self.recovery[what] = min(t for t in self.answered if t > killed + 0.1) - killed
                self.serving_again = self.server.back_at - killed


class Watch:
    """Samples the server's resident memory (all gunicorn processes) and the WAL file's size."""

    def __init__(self, server: Supervised, wal: Path | None) -> None:
        self.server, self.wal = server, wal
        self.peak_rss = self.peak_wal = 0
        self._cpu: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _pids(self) -> list[int]:
        master = self.server.master
        return [master, *children(master)]

    @property
    def cpu_seconds(self) -> float:
        """CPU the server's processes used (each as last sampled, ≤ 0.25 s before it or the storm ended)."""
        return sum(self._cpu.values()) / os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            rss = 0
            for pid in self._pids():
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            rss += int(line.split()[1]) * 1024
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    self._cpu[pid] = int(fields[11]) + int(fields[12])  # utime + stime, in ticks
                except OSError:
                    pass
            self.peak_rss = max(self.peak_rss, rss)
            if self.wal is not None and self.wal.exists():
                self.peak_wal = max(self.peak_wal, self.wal.stat().st_size)


def run(label: str, url: str, args: argparse.Namespace, work: Path) -> bool:
    os.environ["INSPECT_DATABASE_URL"] = url
    os.environ["INSPECT_PHOTO_DIR"] = str(work / f"photos-{label}")
    fresh_database(url)
    cards_needed = args.phones * math.ceil(args.sheets / 10)
    round_id, cards, posts = prepare(cards_needed)
    queues = outboxes(round_id, cards, posts, args.phones, args.sheets, args.distinct)
    pictures = photos(args.distinct, args.photo_kb)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    wal = Path(url.removeprefix("sqlite:///") + "-wal") if url.startswith("sqlite") else None
    expected = sum(len(q) for q in queues)
    server = Supervised("inspect_app:create_app()", port, ROOT, args.workers, args.gunicorn.split())
    killer = Killer(server, args.kill, expected) if args.kill else None
    attempts = 60 if killer else 5  # a phone's outbox keeps resending until the server answers

    def phone(queue: list[Sheet]) -> list[tuple[str, float]]:
        answers = []
        for sheet in queue:
            answers.append(send(base, sheet, pictures, attempts))
            if killer:
                killer.answered_at(answers[-1][0])
        return answers

    try:
        with Watch(server, wal) as watch, ThreadPoolExecutor(args.phones) as pool:
            began, client_began = time.perf_counter(), time.process_time()
            if killer:
                with killer:
                    per_phone = list(pool.map(phone, queues))
            else:
                per_phone = list(pool.map(phone, queues))
            elapsed = time.perf_counter() - began
            client_cpu = time.process_time() - client_began
    finally:
        server.stop()
    answers = [a for phone in per_phone for a in phone]
    latencies = sorted(t for _, t in answers)
    statuses = Counter(status for status, _ in answers)
    used = [c for c in cards if any(s[1] == c for q in queues for s in q)]
    stored, missing, extra = verify(round_id, used, posts)
    held = sum(1 for p in (work / f"photos-{label}").rglob("*.jpg") if "thumb" not in p.name)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    kind, size = args.gunicorn or "sync", len(pictures[0]) // 1024
    print(f"{label}: {expected} sheets with a {size} KB photo each from {args.phones} phones in "
          f"{elapsed:.1f} s ({expected / elapsed:.0f} sheets/s); {args.workers} workers {kind}")  # fmt: skip
    print(f"  latency p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s; answers {dict(statuses)}")
    print(
        f"  stored {stored}, lost {max(expected - stored, missing)}, duplicated {extra}; photo files {held}"
    )
    print(f"  CPU: server {watch.cpu_seconds:.0f} s ({watch.cpu_seconds / expected * 1000:.0f} ms a sheet), "
          f"the phones (this process) {client_cpu:.0f} s, on {os.cpu_count()} cores")  # fmt: skip
    print(
        f"  server peak RSS {watch.peak_rss / 2**20:.0f} MB"
        + (f", WAL peak {watch.peak_wal / 2**20:.1f} MB" if wal else "")
    )
    whole = missing == 0 and extra == 0 and stored == expected
    if killer:
        for what, seconds in killer.recovery.items():
            at, pause = killer.killed_at[what], killer.longest_pause(what)
            if what == "worker":
                line = f"another forked after {seconds:.2f} s; longest time without an answer {pause:.2f} s"
                print(f"  kill -9 of a worker after {at} sheets: {line}")
            else:
                back = killer.serving_again
                line = f"a new one serving after {back:.2f} s, a sheet answered after {seconds:.2f} s"
                print(f"  kill -9 of the master after {at} sheets: {line}")
        lost_files, orphans = sealed_photos(round_id)
        print(f"  sealed: photos of stored sheets missing {lost_files}, photo files of no sheet {orphans}")
        whole = whole and lost_files == 0 and orphans == 0 and len(killer.recovery) == len(killer.plan)
    return whole


def sealed_photos(round_id: int) -> tuple[int, int]:
    """Seal the round (its held photos go into the store) and compare the store with the photo rows: (photos
    of stored sheets without their file, files no sheet names). A request killed between writing its photo
    and committing its sheet leaves a held file that sealing must not publish."""
    app = create_app()
    with app.app_context():
        step_round(Actor(None, "bench", Role.COMMITTEE), round_id, RoundAction.SEAL)
        named = set(
            db.session.scalars(sa.select(AnonSheetPhoto.sha256).where(AnonSheetPhoto.round_id == round_id))
        )
        files = {name[:64] for name in photo_store().names()}
        db.engine.dispose()
    return len(named - files), len(files - named)


def main() -> None:
    parser = argparse.ArgumentParser(description="the shift-change storm of sheets with photos")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--sheets", type=int, default=20, help="finished sheets per phone")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--gunicorn", default="", help='more gunicorn options, e.g. "--worker-class gthread --threads 4"'
    )
    parser.add_argument("--kill", choices=("worker", "master", "both"), help="kill -9 mid-storm (see Killer)")
    parser.add_argument("--photo-kb", type=int, default=300)
    parser.add_argument("--distinct", type=int, default=100, help="different pictures among the photos")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspect-storm-"))
    os.environ.update(FLASK_APP="inspect_app", INSPECT_SECRET_KEY=uuid.uuid4().hex,
                      INSPECT_RATELIMIT_ENABLED="false")  # fmt: skip
    targets = {
        "sqlite": f"sqlite:///{work / 'storm.db'}",
        "postgresql": benchdb.bench_url(PG_URL),
    }
    chosen = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    try:
        ok = all([run(name, targets[name], args, work) for name in chosen])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("every sheet once: yes" if ok else "every sheet once: NO")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
