"""Orphan photo files: written by a request whose sheet was then refused or lost (crash, conflict, timeout).

A file is removed only if no row references it both before and after ``wait`` seconds, which must exceed
the longest request (gunicorn's timeout): a request that wrote a file commits its rows within that time.
"""

from __future__ import annotations

import time

from sqlalchemy import select, union_all

from inspect_app.extensions import db
from inspect_app.models import AnonSheetPhoto, SheetPhoto

from .uploads import photo_store


def _referenced() -> set[str]:
    rows = db.session.scalars(union_all(select(SheetPhoto.sha256), select(AnonSheetPhoto.sha256)))
    found = set(rows)
    db.session.rollback()  # no read transaction held while waiting
    return found


def remove_orphans(wait: float) -> int:
    store = photo_store()
    candidates = {name for name in store.names() if name[:64] not in _referenced()}
    if not candidates:
        return 0
    time.sleep(wait)
    still = _referenced()
    removed = 0
    for name in sorted(candidates):
        if name[:64] not in still:
            store.delete(name)
            removed += 1
    return removed
