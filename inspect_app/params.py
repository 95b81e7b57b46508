"""Reading numbers from URLs: ids in query strings are ASCII digits that fit the database's integer column.

``int()`` also takes full-width digits (２０２６), signs, underscores and numbers of any size, which then fail
deep in a query with a 500 (SQLite cannot bind them; PostgreSQL's integer overflows). Pass ``key`` as the
``type`` of ``request.args.get``: anything else reads as missing.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

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


class KeyConverter(IntegerConverter):
    """``<int:…>`` in a URL path: an id that fits the database's integer column; anything larger is a 404 from
    routing, never an overflow deep in a query (a 500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_KEY)
        super().__init__(url_map, *args, **kwargs)


class RandomKeyConverter(IntegerConverter):
    """``<rid:…>``: a random 16-digit id (``models.random_id``, BigInteger columns)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**53)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = KeyConverter
    app.url_map.converters["rid"] = RandomKeyConverter
