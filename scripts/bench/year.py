#!/usr/bin/env python3
"""A coal group's year of weekly checks on PostgreSQL: 52 sealed rounds × 1,000 posts × 15 sheets = 780,000
sheets, plus the branches' monthly self-checks (20 units in 10 Party branches × 12 months, one signed sheet
per post) and 300 rectifications.

Builds the data in a throw-away database (``bench_year`` on the local server, or ``BENCH_PG_URL``, whose
name must start with ``bench``), then measures the year ranking (``rankings.period.period_ranking`` for the
whole year: roll-up, ranks, 预警) as the first view in a worker sees it, grouped from every sheet and then
from the totals sealing stores (``round_total``), warm, and the year-end branch results
(``reviews.annual.branch_results``), each as the median of ``--runs`` (goal ≤ 300 ms each), against the
static 评分办法 page of the same run.

    .venv/bin/python scripts/bench/year.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
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
from photos import median_ms  # noqa: E402  (scripts/bench/photos.py)

from inspect_app import create_app  # noqa: E402
from inspect_app.database import write_connection  # noqa: E402
from inspect_app.domain.ranking import Rules  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import AnonSheet, Branch, Post, Rectification, Round, RoundPost, Sheet, Unit, User  # noqa: E402
from inspect_app.rankings.aggregate import sql_standings, store_standings  # noqa: E402
from inspect_app.rankings.period import period_ranking, rollup_weights  # noqa: E402
from inspect_app.reviews.annual import branch_results  # noqa: E402

POSTS, SHEETS, WEEKS = 1000, 15, 52  # a coal group's posts (issue 22: group scale)
GROUP_MINES, GROUP_POSTS = 50, 20  # issue 23: the same year spread over a group's mines
BRANCHES, UNITS, FIXES = 10, 20, 300
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_year"


def fresh(url: str) -> None:
    benchdb.recreate(url)
    subprocess.run([VENV_BIN / "flask", "db", "upgrade"], check=True, capture_output=True)


def build(
    year: int, posts_count: int = POSTS, scale: tuple[int, int, int] = (BRANCHES, UNITS, FIXES)
) -> list[int]:
    rng = random.Random(52)  # noqa: S311 — bench data
    conn = db.session.connection()
    mine = skeleton(conn, posts_count, 0, prefix="Y")
    version, posts = mine.version, mine.posts
    rounds = []
    for week in range(WEEKS):
        start = date(year, 1, 5) + timedelta(weeks=week)
        round_id = conn.execute(
            sa.insert(Round).returning(Round.id),
            {"title": f"第{week + 1}周", "kind": "weekly", "mode": "joint", "status": "published",
             "anonymous": True, "period_start": start, "period_end": start + timedelta(days=6)},
        ).scalar()  # fmt: skip
        entries = [{"round_id": round_id, "post_id": p, "standard_version_id": version} for p in posts]
        conn.execute(sa.insert(RoundPost), entries)
        conn.execute(
            sa.insert(AnonSheet),
            [{"nullifier": os.urandom(32), "round_id": round_id, "post_id": p, "standard_version_id": version,
              "deducted": 0, "score": Decimal(rng.randint(7000, 10000)) / 100, "vetoed": False}
             for p in posts for _ in range(SHEETS)],
        )  # fmt: skip
        rounds.append(int(round_id or 0))
    branches_and_self_checks(conn, rng, year, version, posts, scale)
    db.session.commit()
    return rounds


def branches_and_self_checks(conn: sa.Connection, rng: random.Random, year: int, version: int,
                             posts: list[int], scale: tuple[int, int, int]) -> None:  # fmt: skip
    """Spread the posts over the units of the branches; a signed self-check a unit a month; some fixes."""
    branch_count, unit_count, fixes = scale
    branches = [conn.execute(sa.insert(Branch).returning(Branch.id), {"name": f"支部{b}"}).scalar()
                for b in range(branch_count)]  # fmt: skip
    units = [conn.execute(sa.insert(Unit).returning(Unit.id),
                          {"code": f"u{u}", "name": f"单位{u}", "kind": "team", "profession": "",
                           "branch_id": branches[u % branch_count]}).scalar()
             for u in range(unit_count)]  # fmt: skip
    unit_of = {p: units[i % unit_count] for i, p in enumerate(posts)}
    conn.execute(sa.update(Post).where(Post.id == sa.bindparam("pid")).values(unit_id=sa.bindparam("uid")),
                 [{"pid": p, "uid": u} for p, u in unit_of.items()])  # fmt: skip
    user = conn.execute(sa.insert(User).returning(User.id), {"username": "bench", "password_hash": "x",
                        "display_name": "检查员", "role": "inspector", "active": True}).scalar()  # fmt: skip
    for month in range(1, 13):
        start = date(year, month, 1)
        for unit in units:
            round_id = conn.execute(
                sa.insert(Round).returning(Round.id),
                {"title": f"{month}月自查", "kind": "monthly", "mode": "self", "status": "published",
                 "anonymous": False, "unit_id": unit, "min_sheets": 1, "trim": False,
                 "period_start": start, "period_end": start + timedelta(days=27)},
            ).scalar()  # fmt: skip
            mine = [p for p, u in unit_of.items() if u == unit and rng.random() < 0.9]
            if mine:
                conn.execute(sa.insert(RoundPost), [{"round_id": round_id, "post_id": p,
                             "standard_version_id": version} for p in mine])  # fmt: skip
                conn.execute(sa.insert(Sheet), [
                    {"submission_id": uuid.uuid4(), "round_id": round_id, "post_id": p,
                     "standard_version_id": version, "inspector_id": user, "deducted": 0,
                     "score": Decimal(rng.randint(7000, 10000)) / 100, "vetoed": False,
                     "created_at": datetime(year, month, rng.randint(1, 28), 2, tzinfo=UTC)}
                    for p in mine])  # fmt: skip
    conn.execute(sa.insert(Rectification), [
        {"post_id": p, "unit_id": unit_of[p], "problem": "p", "measures": "m", "responsible": "r",
         "checker": "c", "issued_on": date(year, 1, 1) + timedelta(days=rng.randint(0, 300)),
         "deadline": date(year, 1, 1) + timedelta(days=rng.randint(10, 330)), "status": "issued"}
        for p in rng.sample(posts, fixes)])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description="year ranking over 780,000 sheets on PostgreSQL")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--group", action="store_true",
                        help=f"{GROUP_MINES} mines × {GROUP_POSTS} posts, a schema each")  # fmt: skip
    args = parser.parse_args()
    if args.group:
        group_main(args.runs)
        return
    url = benchdb.bench_url(PG_URL)
    os.environ.update(FLASK_APP="inspect_app", INSPECT_DATABASE_URL=url, INSPECT_SECRET_KEY=uuid.uuid4().hex)
    fresh(url)
    app = create_app()
    year = date.today().year
    with app.app_context():
        began = time.perf_counter()
        rounds = build(year)
        db.session.execute(sa.text("ANALYZE"))
        count = db.session.scalar(sa.select(sa.func.count()).select_from(AnonSheet))
        print(
            f"built {count:,} sheets in {WEEKS} rounds × {POSTS} posts in {time.perf_counter() - began:.0f} s"
        )
        weights = rollup_weights()
        first, last = date(year, 1, 1), date(year, 12, 31)
        grouped_ms = cold_year(app, first, last, weights)  # no stored totals yet: every sheet grouped
        began = time.perf_counter()
        seal_totals(rounds + self_checks(year))
        store_ms = (time.perf_counter() - began) * 1000 / (len(rounds) + UNITS * 12)
        cold_ms = cold_year(app, first, last, weights)
        year_ms = median_ms(lambda: period_ranking(first, last, weights), args.runs)
        with app.test_request_context():
            results = branch_results(year, last)
            assert len(results) == BRANCHES, results
            branch_ms = median_ms(lambda: branch_results(year, last), args.runs)
        round_ms = median_ms(lambda: sql_standings(rounds[0], Rules()), args.runs * 3)
        client = app.test_client()
        assert client.get("/rankings/rules").status_code == 200
        static_ms = median_ms(lambda: client.get("/rankings/rules"), args.runs * 3)
        db.engine.dispose()
    print(f"static page (baseline)       : {static_ms:8.1f} ms")
    print(f"year ranking, first in a worker, grouped from every sheet: {grouped_ms:8.1f} ms "
          f"({grouped_ms / static_ms:.0f}× the static page)")  # fmt: skip
    print(f"year ranking, first in a worker, from the standings stored at sealing: {cold_ms:8.1f} ms "
          f"({cold_ms / static_ms:.0f}× the static page; {grouped_ms / cold_ms:.1f}× faster)")  # fmt: skip
    print(f"storing a round's standings at sealing: {store_ms:6.1f} ms a round")
    print(f"year ranking, warm ({WEEKS} + {UNITS * 12} rounds): {year_ms:8.1f} ms  (goal <= 300; "
          f"{year_ms / static_ms:.1f}× the static page)")  # fmt: skip
    print(f"year-end branch results     : {branch_ms:8.1f} ms  (goal <= 300; 10 branches, 12 months)")
    print(
        f"one round's standings       : {round_ms:8.1f} ms  → warm year = {year_ms / round_ms:.1f}× one round"
    )


def group_main(runs: int) -> None:
    """Issue 23: a group of 50 mines × 20 posts × 52 weekly rounds × 15 sheets (780,000 sheets in 50 mine
    schemas): one mine's year ranking (goal ≤ 1 s) and the group's comparison of its mines (goal ≤ 3 s), as
    the first view of a fresh worker and warm, against the static 评分办法 page of the same run."""
    from inspect_app import tenancy
    from inspect_app.group import services
    from inspect_app.group.cli import upgrade_catalogue
    from inspect_app.group.compare import compare
    from inspect_app.group.models import GroupMine

    url = benchdb.bench_url(PG_URL)
    os.environ.update(FLASK_APP="inspect_app", INSPECT_DATABASE_URL=url, INSPECT_SECRET_KEY=uuid.uuid4().hex,
                      INSPECT_GROUP="true")  # fmt: skip
    benchdb.recreate(url)
    app = create_app()
    year = date.today().year
    codes = [f"m{n:02d}" for n in range(GROUP_MINES)]
    began = time.perf_counter()
    with app.app_context():
        upgrade_catalogue()
        with services.catalogue_write() as session:
            session.add_all(GroupMine(code=c, name=f"{c}煤矿", short_name=f"{c}矿") for c in codes)
        tenancy.group_state().forget()
        for code in codes:
            services.prepare_database(code)
            with tenancy.use_mine(code):
                rounds = build(year, GROUP_POSTS, (2, 4, 10))
                seal_totals(rounds + self_checks(year))
                db.session.remove()
        tenancy.group_state().dispose()
    total = GROUP_MINES * GROUP_POSTS * WEEKS * SHEETS
    print(f"built {GROUP_MINES} mines × {GROUP_POSTS} posts × {WEEKS} rounds × {SHEETS} sheets "
          f"({total:,} sheets) in {time.perf_counter() - began:.0f} s")  # fmt: skip
    first, last = date(year, 1, 1), date(year, 12, 31)
    worker = create_app()  # a fresh worker: no mine's engine, standings or summary known yet
    with worker.app_context(), tenancy.use_mine("m00"):
        weights = rollup_weights()
        began = time.perf_counter()
        rows = period_ranking(first, last, weights)
        mine_cold = (time.perf_counter() - began) * 1000
        assert len(rows) == GROUP_POSTS, len(rows)
        mine_warm = median_ms(lambda: period_ranking(first, last, weights), runs)
        client = worker.test_client()
        assert client.get("/m/m00/rankings/rules").status_code == 200
        static_ms = median_ms(lambda: client.get("/m/m00/rankings/rules"), runs * 3)
    with worker.test_request_context("/group/"):
        began = time.perf_counter()
        compared = compare(year)
        group_cold = (time.perf_counter() - began) * 1000
        assert len(compared) == GROUP_MINES
        assert all(r.summary.posts == GROUP_POSTS for r in compared)

        def recompute() -> None:
            for code in codes:  # the summaries' minute is over: every mine asked again (connections open)
                group_state = tenancy.group_state().tenant(code)
                assert group_state is not None
                group_state.state.pop("inspect_group_summary", None)
            compare(year)

        group_warm = median_ms(recompute, runs)
        cached = median_ms(lambda: compare(year), runs)
        tenancy.group_state().dispose()
    print(f"static page (baseline)                   : {static_ms:8.1f} ms")
    print(f"one mine's year ranking, fresh worker    : {mine_cold:8.1f} ms  (goal <= 1000; "
          f"{mine_cold / static_ms:.0f}× static)")  # fmt: skip
    print(f"one mine's year ranking, warm            : {mine_warm:8.1f} ms  ({mine_warm / static_ms:.1f}×)")
    print(f"group comparison of {GROUP_MINES} mines, fresh worker: {group_cold:8.1f} ms  (goal <= 3000; "
          f"{group_cold / static_ms:.0f}× static)")  # fmt: skip
    print(f"group comparison, every mine asked again : {group_warm:8.1f} ms  "
          f"({group_warm / static_ms:.0f}× static)")  # fmt: skip
    print(f"group comparison, summaries cached      : {cached:8.1f} ms")


def cold_year(app: Flask, first: date, last: date, weights: Mapping[str, Decimal]) -> float:
    """The year ranking as the first view in a worker sees it: no sealed round's standings known yet."""
    app.extensions.pop("inspect_sealed_standings", None)
    began = time.perf_counter()
    rows = period_ranking(first, last, weights)
    elapsed = (time.perf_counter() - began) * 1000
    assert len(rows) == POSTS
    return elapsed


def self_checks(year: int) -> list[int]:
    stmt = sa.select(Round.id).where(Round.kind == "monthly", Round.period_start >= date(year, 1, 1))
    return list(db.session.scalars(stmt))


def seal_totals(round_ids: list[int]) -> None:
    """What sealing stores for each round (the rounds were built sealed, as a migrated database has them)."""
    rounds = db.session.scalars(sa.select(Round).where(Round.id.in_(round_ids))).all()
    with write_connection() as conn:
        for rnd in rounds:
            store_standings(conn, rnd)
    db.session.execute(sa.text("ANALYZE round_total"))
    db.session.commit()


if __name__ == "__main__":
    main()
