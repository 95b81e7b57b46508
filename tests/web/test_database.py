"""The database keeps its own invariants, and SQLite is tuned so concurrent writers never see "locked"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from inspect_app.database import write_connection, write_transaction
from inspect_app.extensions import db
from inspect_app.models import Post, Round, RoundTotal, Sheet, SheetItem, StandardItem, StandardRule, User
from tests.conftest import make_app


def flush_fails(app: Flask, change) -> bool:
    with app.app_context():
        try:
            with write_transaction():
                change()
        except IntegrityError:
            return True
        return False


def test_database_rejects_impossible_rows(app: Flask) -> None:
    with app.app_context():
        item_id = db.session.scalar(select(StandardItem.id).where(StandardItem.max_points > 0).limit(1))
        post_id = db.session.scalar(
            select(Post.id).where(Post.start_date.isnot(None)).order_by(Post.id).limit(1)
        )
        sheet_id = db.session.scalar(select(Sheet.id).limit(1))
        db.session.rollback()

    def set_(model, row_id, **values):
        return lambda: db.session.execute(sa.update(model).where(model.id == row_id).values(**values))

    assert flush_fails(app, set_(StandardItem, item_id, max_points=Decimal("-1")))

    def rule(**values):  # a deduction rule of the item
        stmt = sa.update(StandardRule).where(StandardRule.item_id == item_id).values(**values)
        return lambda: db.session.execute(stmt)

    assert flush_fails(app, rule(kind="each", amount=Decimal("0")))  # deducts nothing per instance
    assert flush_fails(app, rule(kind="whole", amount=Decimal("1")))  # 不得分 has no amount
    assert flush_fails(app, rule(kind="maybe"))
    assert flush_fails(app, set_(Post, post_id, end_date=date(2000, 1, 1)))  # ends before it starts
    assert flush_fails(app, set_(Post, post_id, status="famous"))
    assert flush_fails(app, set_(Sheet, sheet_id, score=Decimal("100.5")))
    assert flush_fails(
        app,
        lambda: db.session.add(
            User(username="x", display_name="x", password_hash="x", role="branch_secretary")
        ),
    )  # secretary without unit
    assert not flush_fails(app, set_(Sheet, sheet_id, score=Decimal("99.5")))


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Flask]:
    """A migrated SQLite database of its own, whichever database the rest of the run uses."""
    app = make_app(f"sqlite:///{tmp_path / 'own.db'}")
    with app.app_context():
        upgrade()
        with write_transaction():
            db.session.add(User(username="admin", display_name="admin", role="admin", password_hash="x"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sqlite_connections_are_tuned(sqlite_app: Flask) -> None:
    with sqlite_app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_sqlite_write_transactions_begin_immediate_and_reads_do_not(sqlite_app: Flask) -> None:
    seen: list[str] = []

    def trace(dbapi_conn, _record) -> None:  # what SQLite itself is sent, however it is sent
        dbapi_conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("BEGIN") else None)

    with sqlite_app.app_context():
        db.engine.dispose()
        sa.event.listen(db.engine, "connect", trace)
        db.session.execute(text("SELECT 1"))
        with write_transaction():
            db.session.execute(text("SELECT 1"))
        sa.event.remove(db.engine, "connect", trace)
        db.engine.dispose()
    assert seen == ["BEGIN", "BEGIN IMMEDIATE"]


def test_a_hot_path_write_ends_the_requests_read_first(sqlite_app: Flask) -> None:
    """A reader left open across a write pins its snapshot: under a storm of sheets SQLite's WAL could never
    start over (it grew to 218 MiB in 10 s of scripts/bench/submit.py). The read ends before the write."""
    with sqlite_app.app_context():
        db.session.execute(text("SELECT 1"))  # the login's user, a replay lookup…
        assert db.session().in_transaction()
        with write_connection() as conn:
            assert not db.session().in_transaction()
            conn.execute(text("SELECT 1"))
        db.session.add(User(username="x", password_hash="x", display_name="x", role="admin"))
        with pytest.raises(RuntimeError), write_connection():
            pass  # unsaved changes are never dropped silently
        db.session.rollback()


def test_concurrent_sqlite_writers_wait_instead_of_failing(sqlite_app: Flask) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        with sqlite_app.app_context():
            try:
                barrier.wait()
                for i in range(15):
                    with write_transaction():
                        # Read, then write, in one transaction (as storing a sheet does): begun deferred, the
                        # upgrade to a write lock fails at once with "database is locked" under contention.
                        db.session.execute(select(User.display_name)).all()
                        db.session.execute(
                            sa.update(User).where(User.username == "admin").values(display_name=f"{n}-{i}")
                        )
            except BaseException as exc:  # noqa: BLE001 — collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.fixture
def scratch_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on the server the run uses (a file for SQLite)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = "inspect_scratch_migration"
    server = sa.create_engine(db_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield db_url.rsplit("/", 1)[0] + f"/{name}"
    with server.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()


OLD_ROWS = [
    "INSERT INTO standard (id, profession, title) VALUES (1, 'coal', '采煤')",
    "INSERT INTO standard_version (id, standard_id, number, created_at, note) "
    "VALUES (1, 1, 1, '2026-01-01', '')",
    "INSERT INTO standard_item "
    "(id, version_id, position, category, clause, max_points, deduction, rule, veto) "
    "VALUES (1, 1, 1, '顶板', '1.1', 10, 0.5, '一架不合格扣0.5分', FALSE), "
    "(2, 1, 2, '否决', '9.1', 0, 0, '发生事故本岗为0分', TRUE)",
    "INSERT INTO sheet_item (id, sheet_id, item_id, defects, deduction, remark) "
    "VALUES (1, 1, 1, 3, 1.5, ''), (2, 1, 2, 0, 0, ''), (3, 2, 1, NULL, 0, '')",
]


def test_the_upgrade_to_full_size_sheets_keeps_every_standard_and_sheet_line(scratch_url: str) -> None:
    """A mine's data from before: each line's one rule becomes its rule, each count its rule's count."""
    app = make_app(scratch_url)
    with app.app_context():
        upgrade(revision="a17c0de5e7a1")
        db.engine.dispose()
    raw = sa.create_engine(scratch_url)  # the sheets' parents are beside the point: no foreign key checks
    with raw.begin() as conn:
        if raw.dialect.name == "postgresql":
            conn.execute(sa.text("SET session_replication_role = replica"))
        for statement in OLD_ROWS:
            conn.execute(sa.text(statement))
    raw.dispose()
    with app.app_context():
        upgrade()
        rules = db.session.execute(
            sa.select(StandardRule.item_id, StandardRule.kind, StandardRule.amount, StandardRule.label)
        ).all()
        assert sorted(rules) == [
            (1, "each", Decimal("0.50"), "每处扣0.5分"),
            (2, "veto", None, "取消评审资格"),
        ]
        item = db.session.get(StandardItem, 1)
        assert item is not None
        assert (item.scoring, item.requirement, item.method) == ("一架不合格扣0.5分", "", "")
        lines = db.session.execute(sa.select(SheetItem.id, SheetItem.counts).order_by(SheetItem.id)).all()
        assert [tuple(line) for line in lines] == [(1, [3]), (2, [0]), (3, None)]
        db.session.remove()
        db.engine.dispose()


def test_the_upgrade_stores_the_standings_of_rounds_sealed_before_it(scratch_url: str) -> None:
    """Rounds sealed before sealing stored standings get them from the upgrade, as their sheets say."""
    from inspect_app import demo
    from inspect_app.queries import SEALED, round_rules
    from inspect_app.rankings.aggregate import rounds_standings, sql_standings

    app = make_app(scratch_url)
    with app.app_context():
        upgrade(revision="d21a1b2c3d4e")
        demo.load()
        db.session.remove()
        upgrade()
        sealed = db.session.scalars(select(Round).where(Round.status.in_(SEALED))).all()
        assert sealed
        stored = db.session.scalars(select(RoundTotal)).all()
        assert {t.round_id for t in stored} == {r.id for r in sealed}
        for rnd in sealed:
            live = sql_standings(rnd.id, round_rules(rnd))
            assert any(s.rank is not None for s in live.values())
            mine = {t.post_id: (t.sheets, t.score, t.rank) for t in stored if t.round_id == rnd.id}
            assert mine == {pid: (s.sheets, s.score, s.rank) for pid, s in live.items()}
            assert rounds_standings([rnd])[rnd.id] == live
        db.session.remove()
        db.engine.dispose()


def test_prepared_statements_read_and_refuse_as_sqlalchemy_would(app: Flask) -> None:
    """The hot statements run on the driver (inspect_app/driver.py): the same values and types as through
    SQLAlchemy (UUID, decimals, booleans, dates, JSON) on both databases, and the same exceptions."""
    from inspect_app.driver import Prepared

    sheet_of = Prepared(
        select(Sheet.submission_id, Sheet.score, Sheet.vetoed, Sheet.created_at).where(
            Sheet.id == sa.bindparam("id")
        )
    )
    line_of = Prepared(
        select(
            SheetItem.sheet_id, SheetItem.item_id, SheetItem.counts, SheetItem.deduction, SheetItem.remark
        ).where(SheetItem.id == sa.bindparam("id"))
    )
    add_line = Prepared(
        sa.insert(SheetItem),
        keys=("sheet_id", "item_id", "defects", "deduction", "remark", "counts"),
        many=True,
    )
    with app.app_context():
        line = db.session.scalars(select(SheetItem).where(SheetItem.counts.isnot(None)).limit(1)).one()
        sheet = db.session.get(Sheet, line.sheet_id)
        assert sheet is not None
        expected_sheet = (sheet.submission_id, sheet.score, sheet.vetoed, sheet.created_at)
        expected_line = (line.sheet_id, line.item_id, line.counts, line.deduction, line.remark)
        db.session.rollback()
        with db.engine.connect() as conn:
            got_sheet = sheet_of.first(conn, {"id": sheet.id})
            got_line = line_of.first(conn, {"id": line.id})
            assert sheet_of.first(conn, {"id": -1}) is None
        assert got_sheet == expected_sheet
        assert [type(v) for v in got_sheet] == [type(v) for v in expected_sheet]
        assert got_line == expected_line
        assert isinstance(got_line[2], list)
        again = {"sheet_id": line.sheet_id, "item_id": line.item_id, "defects": 0, "deduction": Decimal(0),
                 "remark": "", "counts": [0]}  # fmt: skip
        with pytest.raises(IntegrityError), write_connection() as conn:  # one line per item of a sheet
            add_line.run(conn, [again])
        with pytest.raises(ValueError, match="remark"), write_connection() as conn:
            Prepared(sa.insert(SheetItem), keys=("sheet_id", "item_id")).run(conn, again)  # no defaults run


def test_sqlite_writers_queue_on_a_lock_file_and_are_woken_when_their_turn_comes(
    sqlite_app: Flask, tmp_path: Path
) -> None:
    """Writers wait their turn on ``<database>-writers`` (flock: woken as soon as the last one commits,
    instead of SQLite's busy sleeps of 1 ms and more); the file is the server user's alone."""
    import fcntl
    import os
    import stat
    import time

    def write() -> None:
        with write_connection() as conn:
            conn.execute(sa.update(User).where(User.username == "admin").values(display_name="x"))

    lock_file = tmp_path / "own.db-writers"
    with sqlite_app.app_context():
        write()
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600
    other = os.open(lock_file, os.O_RDWR)  # another worker's writer, in the middle of its write
    done: list[float] = []

    def writer() -> None:
        with sqlite_app.app_context():
            started = time.monotonic()
            write()  # SQLite is free, but the turn is not
            done.append(time.monotonic() - started)

    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.3)
        assert done == []  # still waiting for its turn
        fcntl.flock(other, fcntl.LOCK_UN)  # the other writer committed
        thread.join(5)
        assert len(done) == 1
        assert 0.3 <= done[0] < 0.5  # woken when the turn came
    finally:
        os.close(other)
