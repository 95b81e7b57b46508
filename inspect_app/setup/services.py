"""The mine row: written once by first-run setup (web or ``flask init-mine``) together with the first
administrator, edited later by an administrator, read on every request through a small per-process cache.

The web setup is guarded by a setup key derived from the instance secret (``flask setup-key`` prints it), so
whoever reaches an empty server first cannot make themselves its administrator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import asdict, dataclass
from typing import Any

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inspect_app import audit, tenancy
from inspect_app.audit import Actor
from inspect_app.auth.services import hash_password
from inspect_app.database import write_transaction
from inspect_app.domain.enums import Role
from inspect_app.domain.mine import MineFields, mine_problems
from inspect_app.extensions import db
from inspect_app.models import Mine, User

#: seconds another worker may keep showing the former names after an administrator changed them
CACHE_SECONDS = 30
_CACHE = "inspect_mine"


@dataclass(frozen=True)
class MineInfo:
    name: str
    short_name: str
    committee_name: str
    time_zone: str
    base_url: str
    doc_code: str = ""


@dataclass(frozen=True)
class FirstAdmin:
    username: str
    display_name: str
    password: str
    #: a one-time password someone else chose (a group administrator adding the mine): changed at first login
    must_change: bool = False


class SetupRefused(Exception):
    def __init__(self, code: str, status: int = 422, problems: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.problems = problems or {}


def mine_info() -> MineInfo | None:
    """The mine's settings, or None before first-run setup (never cached: the next request looks again)
    and in a group's own area (no mine there)."""
    if tenancy.outside_mines():
        return None
    cache = tenancy.state().setdefault(_CACHE, {})
    hit = cache.get("info")
    if hit and hit[1] > time.monotonic():
        cached: MineInfo = hit[0]
        return cached
    row = db.session.get(Mine, 1)
    if row is None:
        return None
    info = MineInfo(row.name, row.short_name, row.committee_name, row.time_zone, row.base_url, row.doc_code)
    cache["info"] = (info, time.monotonic() + CACHE_SECONDS)
    return info


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL to print (QR codes, cards): the mine's public address when set (or the deployment's
    ``PUBLIC_BASE_URL``), else the address this request came in on."""
    info = mine_info()
    base = (info.base_url if info else "") or current_app.config.get("PUBLIC_BASE_URL") or ""
    path = url_for(endpoint, **values)
    return base.rstrip("/") + path if base else url_for(endpoint, _external=True, **values)


def _forget_cached() -> None:
    tenancy.state().setdefault(_CACHE, {}).pop("info", None)


def setup_key() -> str:
    """The key the web setup asks for: derived from the instance secret, the same in every worker."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, b"inspect_app first-run setup key", hashlib.sha256).digest()
    text = base64.b32encode(digest).decode()[:16]
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def setup_key_matches(typed: str) -> bool:
    wanted = setup_key().replace("-", "")
    given = "".join(c for c in typed.upper() if c.isalnum())
    return hmac.compare_digest(wanted.encode(), given.encode()[:64])


def has_accounts() -> bool:
    """Whether the database already has an active administrator (an upgraded database keeps its accounts;
    one without an administrator gets its first one from setup)."""
    admins = (
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active.is_(True))
    )
    return bool(db.session.scalar(admins))


def init_mine(fields: MineFields, admin: FirstAdmin | None) -> None:
    """Write the mine and (on a database without accounts) its first administrator in one transaction.

    Refused with 409 once done, also when two setups race (the single row's key decides).
    """
    problems = mine_problems(fields)
    if problems:
        raise SetupRefused("invalid", 422, problems)
    first = _first_admin(admin) if admin else None  # hashed before the write lock is taken
    try:
        with write_transaction():
            if db.session.get(Mine, 1) is not None:
                raise SetupRefused("done", 409)
            db.session.add(Mine(id=1, **asdict(fields)))
            if not has_accounts():
                if first is None:
                    raise SetupRefused("admin_needed", 422)
                taken = select(User.id).where(func.lower(User.username) == first.username)
                if db.session.scalar(taken) is not None:
                    raise SetupRefused("username_taken", 422)
                db.session.add(first)
            db.session.flush()
            audit.record(audit.SYSTEM_ACTOR, "mine.setup", "mine", 1, None, asdict(fields))
    except IntegrityError:
        raise SetupRefused("done", 409) from None
    _forget_cached()


def _first_admin(admin: FirstAdmin) -> User:
    return User(
        username=admin.username.lower(),
        display_name=admin.display_name,
        role=Role.ADMIN.value,
        password_hash=hash_password(admin.password),
        must_change_password=admin.must_change,
    )


def update_mine(actor: Actor, fields: MineFields) -> None:
    """An administrator corrects the names, the zone or the public address; the audit log keeps the former."""
    problems = mine_problems(fields)
    if problems:
        raise SetupRefused("invalid", 422, problems)
    with write_transaction():
        row = db.session.get(Mine, 1)
        if row is None:
            raise SetupRefused("not_set_up", 409)
        before = {k: getattr(row, k) for k in asdict(fields)}
        for key, value in asdict(fields).items():
            setattr(row, key, value)
        audit.record(actor, "mine.edit", "mine", 1, before, asdict(fields))
    _forget_cached()
