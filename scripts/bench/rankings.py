#!/usr/bin/env python3
"""Ranking fragment at scale on SQLite: one round of 500 posts × 15 signed sheets × 40 items.

Builds a throw-away database through the migrations (500 listed posts on a 40-item standard, 15 HR
assessors, 7,500 sheets and 300,000 sheet items), then measures in-process, as the median of ``--runs``:

* the htmx ranking fragment a supervisor's phone polls (goal ≤ 30 ms);
* the same poll answered 304 Not Modified (goal ≤ 2 ms);
* the static 评分办法 page as the baseline of the same run (template rendering and request overhead only).

    .venv/bin/python scripts/bench/rankings.py [--runs 15]
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

from flask import Flask  # noqa: E402
from mine import skeleton  # noqa: E402  (scripts/bench/mine.py)
from photos import median_ms  # noqa: E402  (scripts/bench/photos.py)
from sqlalchemy import insert, select  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.auth.services import hash_password  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import (  # noqa: E402
    Round,
    RoundPost,
    Sheet,
    SheetItem,
    User,
)

POSTS, SHEETS, ITEMS = 500, 15, 40


def build(app: Flask) -> int:
    """The round's id, after inserting everything with Core (the ORM would take minutes)."""
    rng = random.Random(500)  # noqa: S311 — bench data
    conn = db.session.connection()
    mine = skeleton(conn, POSTS, ITEMS)
    version, item_ids, posts = mine.version, mine.items, mine.posts
    users = [
        conn.execute(insert(User).returning(User.id),
                     {"username": f"hr{i}", "display_name": f"hr {i}", "role": "hr",
                      "password_hash": hash_password("bench")}).scalar()
        for i in range(SHEETS)
    ]  # fmt: skip
    round_id = conn.execute(
        insert(Round).returning(Round.id),
        {"title": "bench", "kind": "ten_day", "mode": "joint", "status": "open", "anonymous": False,
         "period_start": date.today(), "period_end": date.today()},
    ).scalar()  # fmt: skip
    conn.execute(insert(RoundPost), [{"round_id": round_id, "post_id": p, "standard_version_id": version}
                                     for p in posts])  # fmt: skip
    for post in posts:
        for user in users:
            score = Decimal(rng.randint(7000, 10000)) / 100
            sheet = conn.execute(
                insert(Sheet).returning(Sheet.id),
                {"submission_id": uuid.uuid4(), "round_id": round_id, "post_id": post,
                 "standard_version_id": version, "inspector_id": user, "deducted": 100 - score,
                 "score": score, "vetoed": False},
            ).scalar()  # fmt: skip
            conn.execute(insert(SheetItem), [{"sheet_id": sheet, "item_id": i, "defects": 0, "deduction": 0}
                                             for i in item_ids])  # fmt: skip
    db.session.commit()
    return int(round_id or 0)


def measure(app: Flask, round_id: int, runs: int) -> None:
    client = app.test_client()
    token = client.get("/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[-1]
    token = token.split('"')[0]
    client.post("/login", data={"username": "hr0", "password": "bench", "csrf_token": token})
    url, poll = f"/rankings/{round_id}", {"HX-Request": "true"}
    first = client.get(url, headers=poll)
    assert first.status_code == 200, first.status_code
    assert first.get_data(as_text=True).count("<tr data-post=") == POSTS
    etag = first.headers["ETag"]
    fragment = median_ms(lambda: client.get(url, headers=poll), runs)
    unchanged = median_ms(lambda: client.get(url, headers={**poll, "If-None-Match": etag}), runs * 4)
    baseline = median_ms(lambda: client.get("/rankings/rules"), runs)
    print(f"round: {POSTS} posts × {SHEETS} sheets × {ITEMS} items (SQLite, in-process)")
    print(f"ranking fragment       : {fragment:7.1f} ms  (goal <= 30)")
    print(f"unchanged poll (304)   : {unchanged:7.2f} ms  (goal <= 2)")
    print(f"static page (baseline) : {baseline:7.2f} ms  → fragment {fragment / baseline:.1f}×, 304 "
          f"{unchanged / baseline:.2f}× the baseline")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="ranking fragment at 500 posts × 15 sheets")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspect-rank-"))
    os.environ.update(FLASK_APP="inspect_app", INSPECT_DATABASE_URL=f"sqlite:///{work / 'bench.db'}",
                      INSPECT_SECRET_KEY=uuid.uuid4().hex, INSPECT_RATELIMIT_ENABLED="false",
                      INSPECT_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")  # noqa: S106  # fmt: skip
    try:
        subprocess.run([VENV_BIN / "flask", "db", "upgrade"], check=True, capture_output=True)
        app = create_app()
        with app.app_context():
            began = time.perf_counter()
            round_id = build(app)
            print(f"built in {time.perf_counter() - began:.0f} s")
            assert db.session.scalar(select(Round.id).where(Round.id == round_id)) == round_id
        measure(app, round_id, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
