"""The throw-away PostgreSQL database a bench builds in: named by ``BENCH_PG_URL`` (else the bench's default),
dropped and created afresh, and only ever one whose name starts with ``bench`` (never a real one)."""

from __future__ import annotations

import os

import sqlalchemy as sa


def bench_url(default: str) -> str:
    """``BENCH_PG_URL`` or ``default``; refuses a database whose name does not start with ``bench``."""
    url = os.environ.get("BENCH_PG_URL", default)
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop {name!r}: a bench database's name starts with 'bench'")
    return url


def recreate(url: str) -> None:
    """Drop and create the database ``url`` names (its server reached through its ``postgres`` database)."""
    _on_server(url, create=True)


def drop(url: str) -> None:
    _on_server(url, create=False)


def _on_server(url: str, create: bool) -> None:
    base, name = url.rsplit("/", 1)
    name = name.split("?", 1)[0]
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop {name!r}: a bench database's name starts with 'bench'")
    server = sa.create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()
