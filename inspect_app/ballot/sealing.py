"""Sealing (封箱) an anonymous round leaves no trace of the order its sheets arrived in.

While a round is open its sheets lie where they arrived: SQLite places each row's cell in its page in arrival
order and keeps every commit in the write-ahead log; PostgreSQL appends rows in arrival order and stamps each
with its transaction id (xmin); photo files carry the time they were written. Sealing undoes all of it:

* in the sealing transaction, every table keyed by an anonymous sheet (``models.ANONYMOUS_SHEET_TABLES``) has
  the round's rows rewritten in key order, the replay receipts erased. SQLite: copied to memory, deleted
  (``secure_delete`` zeroes the freed cells and pages) and inserted again in key order, so cells and pages
  follow the random keys. PostgreSQL: one UPDATE per table gives every row of the round the sealing
  transaction's id;
* after commit (``finish``): SQLite's WAL is checkpointed and truncated (with no read transaction of ours
  open: a reader would block it); PostgreSQL's tables are CLUSTERed in key order (new files, old row
  versions gone) once no snapshot older than the seal is left; the round's held photos are written into the
  photo store in key order (``photos.storage``).

The keys of these tables start with the round, so the rewrite touches one round's pages only. What cannot be
reached is listed in the README (backups and WAL archives made while the round was open).
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from sqlalchemy import Column, Table, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from inspect_app.domain.enums import RoundStatus
from inspect_app.extensions import db
from inspect_app.models import ANONYMOUS_SHEET_TABLES, AnonSheet, AnonSheetPhoto, Round
from inspect_app.photos.storage import object_name
from inspect_app.photos.uploads import photo_store

#: how long the steps after commit wait for busy readers before leaving the rest to `flask forget-order`
WAIT_SECONDS = 5.0


def _tables() -> list[Table]:
    return [model.__table__ for model in ANONYMOUS_SHEET_TABLES]  # type: ignore[misc]


def rewrite_in_key_order(conn: Connection, round_id: int) -> None:
    """Inside the sealing transaction: the round's anonymous rows rewritten in key order, receipts erased."""
    if conn.dialect.name == "sqlite":
        _rewrite_sqlite(conn, round_id)
        return
    for table in _tables():
        touch: dict[Column[Any], object]
        if table is AnonSheet.__table__:
            touch = {table.c.receipt: None}
        else:  # a no-op assignment still writes a new row version
            touch = {table.c.round_id: table.c.round_id}
        conn.execute(update(table).where(table.c.round_id == round_id).values(touch))


def _rewrite_sqlite(conn: Connection, round_id: int) -> None:
    tables = _tables()
    # Table names come from the models, never from input. The copies live in memory (see database.py) and
    # are read in key order (the key's index gives it; the copy keeps it as its rowid order).
    r = {"r": round_id}
    for t in tables:
        order = ", ".join(c.name for c in t.primary_key.columns)
        rows = f"SELECT * FROM main.{t.name} WHERE round_id = :r ORDER BY {order}"  # noqa: S608
        conn.execute(text(f"CREATE TEMP TABLE seal_{t.name} AS {rows}"), r)
    conn.execute(text("UPDATE temp.seal_anon_sheet SET receipt = NULL"))
    for t in reversed(tables):
        conn.execute(text(f"DELETE FROM main.{t.name} WHERE round_id = :r"), r)  # noqa: S608
    for t in tables:
        conn.execute(text(f"INSERT INTO main.{t.name} SELECT * FROM temp.seal_{t.name} ORDER BY rowid"))  # noqa: S608
        conn.execute(text(f"DROP TABLE temp.seal_{t.name}"))


def finish(round_id: int) -> bool:
    """After the sealing transaction committed: photos into the store, then the database's own traces.

    Returns whether everything was done; what was not is finished by ``forget_everywhere`` (daily CLI)."""
    try:
        release_photos(round_id)
    except Exception:  # the photo store is down: the round is sealed all the same; its photos stay held
        current_app.logger.exception("photos of round %s not released", round_id)
        db.session.rollback()
        return _storage_forgets() and False
    return _storage_forgets()


def release_photos(round_id: int) -> None:
    """Write the round's held photos into the store in the sheets' key order, then drop the held batch."""
    rows = db.session.scalars(
        select(AnonSheetPhoto.sha256)
        .where(AnonSheetPhoto.round_id == round_id)
        .order_by(AnonSheetPhoto.post_id, AnonSheetPhoto.nullifier, AnonSheetPhoto.sha256)
    ).all()
    db.session.rollback()  # no read transaction left open while files are written (it would pin the WAL)
    names = [name for sha in dict.fromkeys(rows) for name in (object_name(sha), object_name(sha, True))]
    photo_store().release(str(round_id), names)


def _storage_forgets() -> bool:
    db.session.close()  # the request's own read transaction would block the checkpoint
    if db.engine.dialect.name == "sqlite":
        return truncate_wal()
    return cluster_tables()


def truncate_wal() -> bool:
    """Move the WAL into the database file and cut it to zero bytes; False if readers kept it busy."""
    deadline = time.monotonic() + WAIT_SECONDS
    with db.engine.connect() as conn:
        while True:
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
            if not busy:
                return True
            if time.monotonic() > deadline:
                current_app.logger.warning("WAL not truncated after sealing: readers kept it busy")
                return False
            time.sleep(0.05)


_NOW = text("SELECT (txid_current() % 4294967296)::text")
_OLDER_SNAPSHOTS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL"
    " AND age(backend_xmin) >= age(CAST(:xid AS xid))"
)


def cluster_tables() -> bool:
    """Rewrite PostgreSQL's anonymous tables in key order. CLUSTER keeps a row version that a running snapshot
    may still see, so it first waits (briefly) until no snapshot older than now is left."""
    engine = db.engine
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            xid = conn.execute(_NOW).scalar()
            deadline = time.monotonic() + WAIT_SECONDS
            while conn.execute(_OLDER_SNAPSHOTS, {"xid": xid}).scalar() and time.monotonic() < deadline:
                time.sleep(0.05)
            conn.execute(text("SET lock_timeout = '5s'"))
            for table in _tables():
                conn.execute(text(f"CLUSTER {table.name} USING pk_{table.name}"))
            conn.execute(text("RESET lock_timeout"))
    except OperationalError as exc:  # busy tables: the next seal or `flask forget-order` rewrites them
        current_app.logger.warning("anonymous tables not rewritten in key order: %s", exc.orig)
        return False
    return True


def forget_everywhere() -> tuple[int, bool]:
    """What sealing could not finish, for every closed round: held photos released, WAL truncated / tables
    clustered. Returns (photo batches released, storage done). Safe to run at any time (daily, by cron)."""
    store = photo_store()
    still_open = select(Round.id).where(Round.status == RoundStatus.OPEN.value)
    open_rounds = {str(rid) for rid in db.session.scalars(still_open)}
    db.session.rollback()
    released = 0
    for batch in sorted(set(store.batches()) - open_rounds):
        release_photos(int(batch))
        released += 1
    return released, _storage_forgets()
