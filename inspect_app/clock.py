"""The mine's clock. Stored times are UTC; every date shown or stored as a date is the mine's local date
(``Mine.time_zone``, Asia/Shanghai by default), never the server's: at 02:00 in Beijing a UTC server is still
on yesterday.

Everything that needs "now" or "today" asks here, so a test can freeze the clock (``frozen``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, UTC-aware."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Tests: the clock reads ``at`` (an aware datetime) until the block ends."""
    global _frozen  # one process-wide clock, like the real one
    if at.tzinfo is None:
        raise ValueError("freeze the clock at an aware datetime")
    before, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = before


def zone_name() -> str:
    """The mine's time zone: set at first-run setup; before that (and outside an app), the default."""
    if not has_app_context():
        return DEFAULT_ZONE
    from .setup.services import mine_info  # the mine row is read once per app and cached

    info = mine_info()
    return info.time_zone if info else str(current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE))


def zone() -> ZoneInfo:
    return zone_of(zone_name())


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local(value: datetime) -> datetime:
    """A stored time in the mine's zone (SQLite hands back naive datetimes: they were stored as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone())


def aware(value: datetime | None) -> datetime | None:
    """A stored time as UTC-aware (SQLite hands back timestamptz columns naive: they are UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def today() -> date:
    """The mine's calendar date now."""
    return local(now()).date()
