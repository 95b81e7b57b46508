"""What a mine's first-run setup must get right: its names as printed, a real time zone, a base URL that can
go into a QR code. Pure checks returning problem codes per field; the setup area words them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

LIMITS = {"name": 128, "short_name": 32, "committee_name": 128, "base_url": 256, "doc_code": 16}
#: offered first in the zone list; any IANA zone is accepted
COMMON_ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Ulaanbaatar", "Asia/Almaty")


@dataclass(frozen=True)
class MineFields:
    name: str
    short_name: str
    committee_name: str
    time_zone: str
    base_url: str
    #: 发文机关代字, e.g. 矿党发
    doc_code: str = ""


def zone_known(name: str) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def base_url_problem(url: str) -> str | None:
    """'' (use the address requests arrive on) or http(s)://host[:port] with no path, query or fragment."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "bad_url"
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return "bad_url"
    if parts.path not in ("", "/") or parts.query or parts.fragment or (port is not None and port == 0):
        return "bad_url"
    return None


def mine_problems(fields: MineFields) -> dict[str, str]:
    """Problem code per field: ``required``, ``too_long``, ``bad_zone``, ``bad_url``."""
    problems: dict[str, str] = {}
    for key in ("name", "short_name", "committee_name"):
        value = getattr(fields, key)
        if not value:
            problems[key] = "required"
        elif len(value) > LIMITS[key]:
            problems[key] = "too_long"
    if len(fields.doc_code) > LIMITS["doc_code"]:
        problems["doc_code"] = "too_long"
    elif any(c in fields.doc_code for c in "〔〕[]()（）0123456789"):
        problems["doc_code"] = "bad_doc_code"
    if not zone_known(fields.time_zone):
        problems["time_zone"] = "bad_zone"
    if len(fields.base_url) > LIMITS["base_url"]:
        problems["base_url"] = "too_long"
    elif base_url_problem(fields.base_url):
        problems["base_url"] = "bad_url"
    return problems


def committee_suggestion(short_name: str) -> str:
    """中共××煤矿委员会 from ××煤矿: how a mine's Party committee is styled on its documents."""
    return f"中共{short_name}委员会" if short_name else ""
