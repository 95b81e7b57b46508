"""Engine tuning and the one way to run a write transaction.

SQLite (the embedded default) gets WAL, ``synchronous=NORMAL``, a busy timeout, foreign keys, secure delete
and in-memory temporary tables on every connection. pysqlite's own transaction handling is turned off so
that SQLAlchemy's ``begin`` event decides how a transaction starts: reads begin DEFERRED (they never block
one another in WAL mode), writes begin ``BEGIN IMMEDIATE`` so two workers never both hold a read lock and
then deadlock on upgrade, which is what makes SQLite answer "database is locked" (see the SQLAlchemy
pysqlite "serializable isolation" recipe).
PostgreSQL needs none of this; ``write_transaction`` works the same on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 5000
_IMMEDIATE = "inspect_immediate"


def configure_engine(engine: Engine) -> None:
    """Install the SQLite connection and transaction hooks (no-op for other databases)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below emit BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        # deleted rows and freed pages are overwritten with zeros, temporary tables never touch the disk:
        # sealing an anonymous round must leave nothing of its sheets' arrival order (ballot/sealing.py)
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: namespace of the advisory locks held on a round (PostgreSQL); the second key is the round's id
_ROUND_LOCKS = 0x5EA1


def hold_round(conn: Connection, round_id: int, exclusive: bool = False) -> None:
    """Until the transaction ends: shared by each transaction storing a sheet of the round, exclusive for
    sealing it, so sealing waits for sheets being stored and no sheet is stored after it. PostgreSQL's lock
    queue is fair (a seal waiting is not starved by a stream of new sheets, as it would be behind row share
    locks); SQLite's BEGIN IMMEDIATE already serialises every writer."""
    if conn.dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    conn.execute(text(f"SELECT {function}(:ns, :id)"), {"ns": _ROUND_LOCKS, "id": round_id})


@contextmanager
def write_connection() -> Iterator[Connection]:
    """A Core connection in its own write transaction (BEGIN IMMEDIATE on SQLite), committed at the end.

    For hot paths that insert with Core statements: it skips the ORM session's bookkeeping entirely.
    """
    with db.engine.connect() as conn:
        conn = conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block as one write transaction: BEGIN IMMEDIATE on SQLite, commit once, roll back on error.

    Whatever the request read before is discarded first (read transactions hold nothing worth keeping);
    pending unflushed changes there would be a bug, so they raise instead of being silently dropped.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("write_transaction() entered with unsaved changes in the session")
    session.rollback()
    session.connection(execution_options={_IMMEDIATE: True})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
