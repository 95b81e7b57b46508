"""The durable baseline: bare Flask storing what a sheet submit stores, with raw sqlite3 under the app's own
settings (WAL, synchronous=NORMAL, busy timeout, BEGIN IMMEDIATE): one sheet row and its item rows per POST,
the submission id unique. Anything the real endpoint costs beyond this is the app's own overhead."""

import os
import sqlite3
import threading
import uuid

from flask import Flask, redirect, request

app = Flask(__name__)
PATH = os.environ.get("BENCH_DURABLE_DB", "durable.db")
SCHEMA = """
CREATE TABLE IF NOT EXISTS sheet (id INTEGER PRIMARY KEY, submission_id BLOB UNIQUE NOT NULL,
    round_id INTEGER NOT NULL, post_code TEXT NOT NULL, inspector TEXT NOT NULL, score NUMERIC NOT NULL);
CREATE TABLE IF NOT EXISTS sheet_item (sheet_id INTEGER NOT NULL REFERENCES sheet(id),
    item_id INTEGER NOT NULL, defects INTEGER NOT NULL, PRIMARY KEY (sheet_id, item_id));
"""
_local = threading.local()


def connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(PATH, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(SCHEMA)
        _local.conn = conn
    return conn


@app.post("/field/<int:round_id>/<code>")
def submit(round_id: int, code: str):  # noqa: ANN201
    form = request.form
    items = [(int(k[2:]), int(v)) for k, v in form.items() if k.startswith("d-")]
    conn = connection()
    conn.execute("BEGIN IMMEDIATE")
    sheet_id = 0
    try:
        cur = conn.execute(
            "INSERT INTO sheet (submission_id, round_id, post_code, inspector, score) VALUES (?, ?, ?, ?, ?)",
            (
                uuid.UUID(form["submission_id"]).bytes,
                round_id,
                code,
                request.headers.get("Cookie", "")[:40],
                100,
            ),
        )
        sheet_id = cur.lastrowid or 0
        rows = [(sheet_id, item, defects) for item, defects in items]
        conn.executemany("INSERT INTO sheet_item (sheet_id, item_id, defects) VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK")
    return redirect(f"/field/sheets/{sheet_id}", 303)
