#!/usr/bin/env python3
"""Exactly-once anonymous sheets under load: gunicorn with several workers, on SQLite and on PostgreSQL.

50 simulated phones each hold one ballot card of the demo's open anonymous round and score every post of it;
every submission is sent 3 times (same submission id, same content), all requests shuffled together and sent
by 32 concurrent connections. Then each phone sends one *different* sheet for a post its card already scored
(must be refused 409). The database must hold exactly one sheet per card and post: each card's nullifiers
are recomputed from its code and looked up. Prints the counts; exits 1 on a missing or duplicate sheet, a
stored conflicting sheet, or any 5xx.

    .venv/bin/python scripts/bench/replay.py [--db sqlite|postgresql|both] [--workers 4] [--phones 50]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_replay"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402  (scripts/bench/benchdb.py)
import sqlalchemy as sa  # noqa: E402
from submit import free_port, start  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.audit import Actor  # noqa: E402
from inspect_app.domain.ballots import MAX_CARDS_PER_PRINT, nullifier  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import AnonSheet, Round, RoundPost  # noqa: E402
from inspect_app.rounds.services import print_cards  # noqa: E402

Request = tuple[str, dict[str, str], str]  # (path, form, kind: "sheet" | "conflict")


def fresh_database(url: str) -> None:
    """An empty database: a new SQLite file, or PostgreSQL's bench database created or emptied."""
    if url.startswith("postgresql"):
        benchdb.recreate(url)
    for command in (["db", "upgrade"], ["demo", "--no-sheets"]):
        subprocess.run([VENV_BIN / "flask", *command], check=True, capture_output=True)


def prepare(phones: int) -> tuple[int, list[str], dict[str, tuple[int, list[int]]]]:
    """Print one card per phone; return the round, the card codes and each post's id and checklist."""
    app = create_app()
    with app.app_context():
        rnd = db.session.scalars(
            sa.select(Round).where(Round.anonymous, Round.status == "open").order_by(Round.id.desc())
        ).first()
        assert rnd is not None
        key = str(app.config["BALLOT_KEY"]).encode()
        cards: list[tuple[int, str]] = []
        while len(cards) < phones:  # a print run makes at most MAX_CARDS_PER_PRINT
            batch = min(MAX_CARDS_PER_PRINT, phones - len(cards))
            cards += print_cards(Actor(None, "bench", "committee"), rnd.id, batch, key)[1]
        posts = {
            e.post.code: (e.post_id, [i.id for i in e.standard_version.items])
            for e in db.session.scalars(sa.select(RoundPost).where(RoundPost.round_id == rnd.id))
        }
        round_id = rnd.id
        db.engine.dispose()
    return round_id, [code for _, code in cards], posts


def requests_for(round_id: int, cards: list[str], posts: dict[str, tuple[int, list[int]]]) -> list[Request]:
    """Every (card, post) sheet three times with one submission id, shuffled; then one conflict per card."""
    rng = random.Random(1)  # noqa: S311 — load generation, not security
    sheets: list[Request] = []
    for card in cards:
        for code, (_, items) in posts.items():
            form = {"card": card, "submission_id": str(uuid.uuid4())} | {f"d-{i}": "0" for i in items}
            sheets += [(f"/b/{round_id}/{code}", form, "sheet")] * 3
    rng.shuffle(sheets)
    conflicts: list[Request] = []
    for card in cards:
        code, (_, items) = rng.choice(sorted(posts.items()))
        form = {"card": card, "submission_id": str(uuid.uuid4())} | {f"d-{i}": "0" for i in items}
        form[f"d-{items[-1]}"] = "1"
        conflicts.append((f"/b/{round_id}/{code}", form, "conflict"))
    return sheets + conflicts


def send(base: str, request: Request) -> tuple[str, str]:
    path, form, kind = request
    body = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(base + path, body, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as answer:  # noqa: S310 — loopback only
            replay = json.loads(answer.read())["replay"]
            return kind, "200 replay" if replay else "200 stored"
    except urllib.error.HTTPError as error:
        return kind, str(error.code)


def verify(round_id: int, cards: list[str], posts: dict[str, tuple[int, list[int]]]) -> tuple[int, int, int]:
    """(stored, missing, extra): each card's nullifier for each post must be there exactly once."""
    app = create_app()
    with app.app_context():
        key = str(app.config["BALLOT_KEY"]).encode()
        stored = list(
            db.session.scalars(sa.select(AnonSheet.nullifier).where(AnonSheet.round_id == round_id))
        )
        db.engine.dispose()
    expected = {nullifier(key, card, round_id, post_id) for card in cards for post_id, _ in posts.values()}
    counts = Counter(stored)
    missing = sum(1 for n in expected if counts[n] == 0)
    extra = sum(c - 1 for c in counts.values() if c > 1) + sum(1 for n in counts if n not in expected)
    return len(stored), missing, extra


def run(label: str, url: str, args: argparse.Namespace) -> bool:
    os.environ["INSPECT_DATABASE_URL"] = url
    fresh_database(url)
    round_id, cards, posts = prepare(args.phones)
    requests = requests_for(round_id, cards, posts)
    port = free_port()
    proc = start("inspect_app:create_app()", port, ROOT, args.workers)
    try:
        began = time.perf_counter()
        with ThreadPoolExecutor(args.connections) as pool:
            sheets = [r for r in requests if r[2] == "sheet"]
            results = list(pool.map(lambda r: send(f"http://127.0.0.1:{port}", r), sheets))
            results += list(pool.map(lambda r: send(f"http://127.0.0.1:{port}", r), requests[len(sheets) :]))
        elapsed = time.perf_counter() - began
    finally:
        proc.terminate()
        proc.wait()
    stored, missing, extra = verify(round_id, cards, posts)
    expected = len(cards) * len(posts)
    statuses = Counter(f"{kind} {status}" for kind, status in results)
    print(f"{label}: {len(requests)} requests in {elapsed:.1f} s ({len(requests) / elapsed:.0f}/s), "
          f"{args.workers} workers, {args.connections} connections")  # fmt: skip
    print(f"  answers: {dict(sorted(statuses.items()))}")
    print(f"  sheets stored {stored}, expected {expected} ({len(cards)} cards × {len(posts)} posts), "
          f"missing {missing}, duplicate or foreign {extra}")  # fmt: skip
    server_errors = sum(n for key, n in statuses.items() if key.split()[1].startswith("5"))
    conflicts_ok = statuses["conflict 409"] == len(cards)
    return missing == 0 and extra == 0 and stored == expected and server_errors == 0 and conflicts_ok


def main() -> None:
    parser = argparse.ArgumentParser(description="exactly-once anonymous sheets under concurrent replays")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspect-replay-"))
    os.environ.update(FLASK_APP="inspect_app", INSPECT_SECRET_KEY=uuid.uuid4().hex,
                      INSPECT_RATELIMIT_ENABLED="false")  # fmt: skip
    targets = {
        "sqlite": f"sqlite:///{work / 'bench.db'}",
        "postgresql": benchdb.bench_url(PG_URL),
    }
    chosen = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    try:
        ok = all([run(name, targets[name], args) for name in chosen])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("exactly once: yes" if ok else "exactly once: NO")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
