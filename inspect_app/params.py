"""Reading numbers from URLs: ids in query strings are ASCII digits that fit the database's integer column.

``int()`` also takes full-width digits (２０２６), signs, underscores and numbers of any size, which then fail
deep in a query with a 500 (SQLite cannot bind them; PostgreSQL's integer overflows). Pass ``key`` as the
``type`` of ``request.args.get``: anything else reads as missing.
"""

from __future__ import annotations

#: the largest id an integer column holds on every database here (PostgreSQL's 4-byte integer)
MAX_KEY = 2**31 - 1


def key(text: str) -> int:
    """A positive database id from URL text, or ``ValueError``."""
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= 10):
        raise ValueError(text)
    value = int(text)
    if not 0 < value <= MAX_KEY:
        raise ValueError(text)
    return value
