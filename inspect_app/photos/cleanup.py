"""Orphan photo files: written by a request whose sheet was then refused or lost (crash, conflict, timeout),
and half-written files of a request killed while writing (``kill -9``, power cut).

A file is removed only if no owner (``owners.OWNERS``) references it both before and after ``wait`` seconds,
which must exceed the longest request (gunicorn's timeout): a request that wrote a file commits its rows
within that time. A half-written file still there after the wait belongs to no running request either.
"""

from __future__ import annotations

import time

from inspect_app.extensions import db

from .owners import referenced
from .uploads import photo_store


def _referenced() -> set[str]:
    found = set(db.session.scalars(referenced()))
    db.session.rollback()  # no read transaction held while waiting
    return found


def remove_orphans(wait: float) -> int:
    store = photo_store()
    owned = _referenced()
    candidates = {name for name in store.names() if name[:64] not in owned}
    partial = store.leftovers()
    if not candidates and not partial:
        return 0
    time.sleep(wait)
    still = _referenced()
    removed = store.drop_leftovers(partial)
    for name in sorted(candidates):
        if name[:64] not in still:
            store.delete(name)
            removed += 1
    return removed
