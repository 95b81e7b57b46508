#!/usr/bin/env python3
"""Sealing (封箱) an anonymous round of 500 posts × 15 sheets × 40 items, and what the database still tells.

For each database (a throw-away SQLite file; ``bench_seal`` on the local PostgreSQL, or ``BENCH_PG_URL``):
builds a mine with an earlier sealed round of the same size (history the rewrite must not have to touch) and
an open one whose 7,500 sheets arrive one transaction each, in the order 15 inspectors walking their routes
would send them. Then it seals through the service (``rounds.services.step_round``) and prints

* the sealing time (goal on SQLite ≤ 1 s), against a baseline measured in the same run: one read of every
  row of the round (what computing its ranking reads anyway);
* the order-recovery test as an attacker with the file would run it: SQLite — the raw file and WAL read by
  ``tests/forensics.py`` before and after (z = distance from chance in standard deviations of random
  orders; ≤ 4 is chance); PostgreSQL — transaction ids (xmin) and on-disk row order of the round's rows.

    .venv/bin/python scripts/bench/seal.py [--db sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402  (scripts/bench/benchdb.py)
import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from mine import skeleton  # noqa: E402  (scripts/bench/mine.py)

from inspect_app import create_app  # noqa: E402
from inspect_app.audit import Actor  # noqa: E402
from inspect_app.database import write_connection  # noqa: E402
from inspect_app.domain.ballots import RoundAction  # noqa: E402
from inspect_app.domain.enums import Role  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import (  # noqa: E402
    ANONYMOUS_SHEET_TABLES,
    AnonSheet,
    AnonSheetItem,
    Post,
    Round,
    RoundPost,
)
from inspect_app.rounds.services import step_round  # noqa: E402
from tests.forensics import sqlite_order_evidence  # noqa: E402

POSTS, SHEETS, ITEMS = 500, 15, 40
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_seal"
ORGANISER = Actor(None, "bench", Role.COMMITTEE)


def _skeleton() -> tuple[list[int], list[int]]:
    """A unit, a 40-item standard and 500 listed posts: (post ids, item ids)."""
    mine = skeleton(db.session.connection(), POSTS, ITEMS)
    db.session.commit()
    return mine.posts, mine.items


def _round(posts: list[int], title: str) -> int:
    conn = db.session.connection()
    version = db.session.scalar(sa.select(Post.standard_version_id).where(Post.id == posts[0]))
    round_id = conn.execute(
        sa.insert(Round).returning(Round.id),
        {"title": title, "kind": "weekly", "mode": "joint", "status": "open", "anonymous": True,
         "period_start": date.today(), "period_end": date.today(), "min_sheets": 5},
    ).scalar()  # fmt: skip
    conn.execute(sa.insert(RoundPost), [{"round_id": round_id, "post_id": p, "standard_version_id": version}
                                        for p in posts])  # fmt: skip
    db.session.commit()
    return int(round_id or 0)


def _arrivals(posts: list[int], rng: random.Random) -> list[int]:
    """Posts in the order sheets arrive: 15 inspectors, each on their own route, in step."""
    routes = [rng.sample(posts, len(posts)) for _ in range(SHEETS)]
    order = []
    for step in range(len(posts)):
        for route in rng.sample(routes, len(routes)):
            order.append(route[step])
    return order


def _score(
    round_id: int, posts: list[int], items: list[int], rng: random.Random
) -> tuple[list[bytes], list[int]]:
    """Every sheet in its own write transaction, as the ballot route stores it; returns the keys and their
    posts in arrival order."""
    version = db.session.scalar(sa.select(Post.standard_version_id).where(Post.id == posts[0]))
    db.session.rollback()
    keys, post_of = [], []
    for post in _arrivals(posts, rng):
        key = os.urandom(32)
        sheet = {"round_id": round_id, "post_id": post, "nullifier": key}
        defects = [rng.choice((0, 0, 0, 1, 2)) for _ in items]
        with write_connection() as conn:
            conn.execute(sa.insert(AnonSheet), {
                **sheet, "standard_version_id": version, "deducted": Decimal(sum(defects)) / 2,
                "score": 100 - Decimal(sum(defects)) / 2, "vetoed": False,
                "receipt": os.urandom(32)})  # fmt: skip
            conn.execute(sa.insert(AnonSheetItem), [
                {**sheet, "item_id": i, "defects": d, "deduction": Decimal(d) / 2, "remark": ""}
                for i, d in zip(items, defects, strict=True)])  # fmt: skip
        keys.append(key)
        post_of.append(post)
    return keys, post_of


def _read_round(round_id: int) -> None:
    with db.engine.connect() as conn:
        for model in ANONYMOUS_SHEET_TABLES:
            table = model.__table__
            conn.execute(sa.select(table).where(table.c.round_id == round_id)).all()


def _pg_order(round_id: int) -> str:
    out = []
    with db.engine.connect() as conn:
        for model in ANONYMOUS_SHEET_TABLES:
            table = model.__tablename__
            # table and column names come from the models
            count = f"SELECT count(DISTINCT xmin::text) FROM {table} WHERE round_id = :r"  # noqa: S608
            xmins = conn.execute(sa.text(count), {"r": round_id}).scalar()
            key = ", ".join(c.name for c in model.__table__.primary_key.columns)
            on_disk = f"SELECT {key} FROM {table} WHERE round_id = :r ORDER BY ctid"  # noqa: S608
            rows = conn.execute(sa.text(on_disk), {"r": round_id}).all()
            out.append(f"{table}: {xmins} transaction ids, rows on disk in key order: {rows == sorted(rows)}")
    return "; ".join(out)


def run(app: Flask, dialect: str) -> None:
    rng = random.Random(15)  # noqa: S311 — bench data
    with app.app_context():
        posts, items = _skeleton()
        earlier = _round(posts, "earlier")
        began = time.perf_counter()
        _score(earlier, posts, items, rng)
        step_round(ORGANISER, earlier, RoundAction.SEAL)
        current = _round(posts, "bench")
        keys, post_of = _score(current, posts, items, rng)
        built = time.perf_counter() - began
        path = Path(db.engine.url.database or "") if dialect == "sqlite" else None
        before = sqlite_order_evidence(path, keys, post_of) if path else _pg_order(current)
        read = []
        for _ in range(3):
            t = time.perf_counter()
            _read_round(current)
            read.append(time.perf_counter() - t)
        baseline = sorted(read)[1]
        db.session.remove()
        t = time.perf_counter()
        stepped = step_round(ORGANISER, current, RoundAction.SEAL)
        took = time.perf_counter() - t
        after = sqlite_order_evidence(path, keys, post_of) if path else _pg_order(current)
        assert not stepped.unfinished, "sealing left work for the daily upkeep"
    goal = "  (goal <= 1 s)" if dialect == "sqlite" else ""
    print(f"== {dialect}: {POSTS} posts × {SHEETS} sheets × {ITEMS} items, one earlier sealed round "
          f"(built in {built:.0f} s)")  # fmt: skip
    print(f"sealing                    : {took * 1000:7.0f} ms{goal}")
    ratio = took / baseline
    print(f"reading the round (baseline): {baseline * 1000:7.0f} ms  → sealing {ratio:.1f}× the baseline")
    print(f"before sealing: {before}")
    print(f"after sealing : {after}")
    if path:
        print(f"order recovered after sealing: {'no (chance level)' if after.at_chance() else 'YES'}")


def sqlite_run() -> None:
    work = Path(tempfile.mkdtemp(prefix="inspect-seal-"))
    os.environ["INSPECT_DATABASE_URL"] = f"sqlite:///{work / 'bench.db'}"
    os.environ["INSPECT_PHOTO_DIR"] = str(work / "photos")
    try:
        subprocess.run([VENV_BIN / "flask", "db", "upgrade"], check=True, capture_output=True)
        run(create_app(), "sqlite")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def postgresql_run() -> None:
    url = benchdb.bench_url(PG_URL)
    benchdb.recreate(url)
    os.environ["INSPECT_DATABASE_URL"] = url
    work = Path(tempfile.mkdtemp(prefix="inspect-seal-"))
    os.environ["INSPECT_PHOTO_DIR"] = str(work / "photos")
    try:
        subprocess.run([VENV_BIN / "flask", "db", "upgrade"], check=True, capture_output=True)
        app = create_app()
        run(app, "postgresql")
        with app.app_context():
            db.engine.dispose()
    finally:
        benchdb.drop(url)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="sealing an anonymous round at 500 posts × 15 sheets")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    os.environ.update(FLASK_APP="inspect_app", INSPECT_SECRET_KEY=uuid.uuid4().hex)
    if args.db in ("sqlite", "both"):
        sqlite_run()
    if args.db in ("postgresql", "both"):
        postgresql_run()


if __name__ == "__main__":
    main()
