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

import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from enum import IntEnum
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
        # on the driver's connection: a statement through SQLAlchemy would cost as much as the query after it
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[union-attr]


class Lock(IntEnum):
    """What a write transaction may hold until it ends, with a key (PostgreSQL advisory locks, namespaced).

    PostgreSQL does not serialise writers the way SQLite's BEGIN IMMEDIATE does: two transactions can both
    read ``max(n)`` and both insert ``n + 1``. A transaction that counts takes the counter's lock first,
    before it reads anything, so the second one reads after the first committed. Its queue is fair: a waiting
    exclusive holder is not starved by a stream of shared ones (row share locks would let that happen).
    """

    ROUND_SHEETS = 0x5EA1  #: a round: shared while storing one of its sheets, exclusive for sealing it
    CARD_SERIALS = 0xCA5D  #: a round's ballot card serial numbers
    NOTICE_NUMBERS = 0x0E05  #: a year's notice numbers 〔year〕N号
    ROUND_NOTICE = 0x0E06  #: a round's one notice
    STANDARD_VERSIONS = 0x57D0  #: a standard's version numbers
    ORGANISATION = 0x0A61  #: units, branches and the roster: names and 工号 checked, then inserted
    ACCOUNTS = 0x0ACC  #: logins: usernames and roster links checked, then inserted
    REVIEW = 0x0E07  #: a 季讲评 record: saved and closed one at a time (its notice drafted once)
    PLAN = 0x0E08  #: a plan line: changed or stopped one at a time (a twin change finds it ended)
    NOTIFY_CHANNEL = 0x0E09  #: a work-chat robot: its rate limit counted and a message claimed, together
    GROUP_STANDARD = (
        0x0E0A  #: a group standard: its editions numbered (catalogue) and taken by a mine, one at a time
    )


def hold(conn: Connection, lock: Lock, key: int, exclusive: bool = True) -> None:
    """Take ``lock`` for ``key`` until the transaction ends (no-op on SQLite, whose writers are serial)."""
    if conn.dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    conn.execute(text(f"SELECT {function}(:ns, :id)"), {"ns": int(lock), "id": key})


def hold_in_session(lock: Lock, key: int) -> None:
    """``hold`` on the ORM session's transaction (inside ``write_transaction``)."""
    hold(db.session.connection(), lock, key)


@contextmanager
def write_connection() -> Iterator[Connection]:
    """A Core connection in its own write transaction (BEGIN IMMEDIATE on SQLite), committed at the end.

    For hot paths that insert with Core statements: it skips the ORM session's bookkeeping entirely. The
    session's read transaction (the login's user, a replay lookup) is ended first: on SQLite a reader left
    open across the write pins its snapshot, so under a storm of writes the WAL could never start over.
    """
    _end_session_reads()
    with _turn(db.engine), writing_engine(db.engine).connect() as conn, conn.begin():
        yield conn


_WRITERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def writing_engine(engine: Engine) -> Engine:
    """``engine`` whose connections begin as writers (made once: a per-connection option copies it)."""
    found = _WRITERS.get(engine)
    if found is None:
        found = _WRITERS[engine] = engine.execution_options(**{_IMMEDIATE: True})
    return found


def _end_session_reads() -> None:
    if not db.session.registry.has():
        return  # this request never opened the ORM session (the hot paths read on their own connections)
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a write began with unsaved changes in the session")
    session.rollback()


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block as one write transaction: BEGIN IMMEDIATE on SQLite, commit once, roll back on error.

    Whatever the request read before is discarded first (read transactions hold nothing worth keeping);
    pending unflushed changes there would be a bug, so they raise instead of being silently dropped.
    """
    _end_session_reads()
    session = db.session
    with _turn(db.engine):
        session.connection(execution_options={_IMMEDIATE: True})
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise


class WriterTurns:
    """SQLite: the writers of one database file take turns on a lock file beside it (``flock``).

    SQLite lets one writer in at a time; a writer that finds the lock taken sleeps in its busy handler
    (1, 2, 5… ms), long after a sheet's write of a fraction of a millisecond has ended: with two workers
    storing sheets, a tenth of the CPU sat idle (issue 22). Waiting on ``flock`` instead wakes the next writer
    as soon as the last one committed (polling it every 50 µs and more still lost 4 % of the throughput).
    The turn is held exactly as long as SQLite's write lock would be (the write transaction), so a writer
    waits as long as it would have on SQLite, but is not told "database is locked" after the busy timeout:
    a stuck writer is ended by gunicorn's worker timeout, and the kernel drops the lock of a killed process.
    Each thread has its own open file (threads of one process would otherwise share the lock), reopened
    after a fork. SQLite's own locking still decides; this only orders the queue (writers that skip it, such
    as a hand-written script, are simply not queued).
    """

    def __init__(self, path: str) -> None:
        self.path = f"{path}-writers"
        self._local = threading.local()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        local = self._local
        if getattr(local, "depth", 0):
            local.depth += 1  # nested: the outer block keeps the turn
            try:
                yield
            finally:
                local.depth -= 1
            return
        handle = self._handle()
        fcntl.flock(handle, fcntl.LOCK_EX)
        local.depth = 1
        try:
            yield
        finally:
            local.depth = 0
            fcntl.flock(handle, fcntl.LOCK_UN)

    def _handle(self) -> int:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # first use in this thread, or inherited by a fork
            local.file = _LockFile(self.path)
            local.pid = os.getpid()
        return int(local.file.fd)


class _LockFile:
    """An open lock file, closed when its thread ends (its thread-local dies with it) or, in a forked child,
    when the child's thread opens its own (closing the child's copy leaves the parent's alone)."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def __del__(self) -> None:
        os.close(self.fd)


_TURNS: weakref.WeakKeyDictionary[Engine, WriterTurns | None] = weakref.WeakKeyDictionary()


def _turn(engine: Engine) -> AbstractContextManager[None]:
    """The writers' queue of ``engine``'s SQLite file (nothing for PostgreSQL or an in-memory database)."""
    if engine not in _TURNS:
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        _TURNS[engine] = (
            WriterTurns(path) if path and path != ":memory:" and not path.startswith("file:") else None
        )
    turns = _TURNS[engine]
    return turns() if turns is not None else nullcontext()
