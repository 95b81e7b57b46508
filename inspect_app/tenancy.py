"""A coal group's mines on one deployment (issue 23): which mine a request, a command or a job belongs to.

One mine alone (the default, ``GROUP`` unset) is exactly as before: one database, and nothing here runs on a
request. With ``INSPECT_GROUP=true``:

- ``DATABASE_URL`` holds the group's catalogue (``group/models.py``: its mines, group administrators and the
  group's standards); each mine has a database of its own: a SQLite file ``mines/<code>.db`` beside the
  catalogue's, or a PostgreSQL schema ``mine_<code>`` (the connection's ``search_path``, fixed when it is
  opened). Every table, key, ballot card, nullifier and migration version of a mine lives in it, so no query
  made for one mine can reach another's rows: the scoping is the database, not a ``WHERE`` each query must
  remember.
- A request names its mine by its path, ``/m/<code>/…`` (moved into ``SCRIPT_NAME`` by ``MinePaths``, so
  ``url_for``, cookies and the offline service worker all stay under it), or by its host (``MINE_HOSTS``).
  Anything else is the group's own area (``/group/…``) or 404.
- Each mine has its own secrets, derived from the instance secret and its code: the session and remember
  cookies' signing key (a cookie of one mine is a forgery at another), the ballot key (card hashes and
  nullifiers), the setup key; its cookies are scoped to its path; its photos to its own folder (or prefix).
  ``TenantConfig`` answers those keys of ``app.config`` for the mine of the moment.
- Caches that hold a mine's rows (checklists, sealed standings, the mine's names, verified session cookies,
  the photo store) live in ``state()``: the mine's, never the process's.

The mine of the moment is kept on ``flask.g`` (one app context = one mine): a request's is found from its
WSGI environ; a command or a loop over mines enters one with ``use_mine``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_app_context,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

#: a mine's code: its path /m/<code>/, its file or schema name (lower-case letters, digits, _)
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,15}$")
ENVIRON_KEY = "inspect.mine"
_EXT = "inspect_group"
#: PostgreSQL: the catalogue's schema and the prefix of each mine's
GROUP_SCHEMA = "inspect_group"
MINE_SCHEMA_PREFIX = "mine_"
#: seconds a worker trusts its list of mines before asking the catalogue again (a new mine answers at once:
#: an unknown code is looked up, at most once a second)
MINES_SECONDS = 30

#: ``app.config`` keys every mine has its own value of (see ``Tenant.overlay``)
PER_MINE_KEYS = frozenset(
    {
        "SECRET_KEY",
        "BALLOT_KEY",
        "SESSION_COOKIE_PATH",
        "REMEMBER_COOKIE_PATH",
        "PHOTO_DIR",
        "S3_PREFIX",
    }
)
#: the group area's cookies: their own names and path, never sent to a mine's pages
GROUP_COOKIES = {
    "SESSION_COOKIE_NAME": "group_session",
    "REMEMBER_COOKIE_NAME": "group_remember",
    "SESSION_COOKIE_PATH": "/group",
    "REMEMBER_COOKIE_PATH": "/group",
}


def is_group(app: Flask | None = None) -> bool:
    """Whether this deployment serves a group of mines."""
    return _EXT in (app or current_app).extensions


def schema_of(code: str) -> str:
    return MINE_SCHEMA_PREFIX + code


def derive(secret: str, purpose: str) -> str:
    """A key for one purpose (a mine's session, its ballots…) from the instance secret."""
    return hmac.new(secret.encode(), f"inspect_app {purpose}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Tenant:
    """One mine of the group as this worker knows it: its code, its engine (opened at first use) and its
    caches."""

    code: str
    overlay: dict[str, Any]
    make_engine: Callable[[str], Engine]
    state: dict[str, Any] = field(default_factory=dict)
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self.make_engine(self.code)
        return self._engine


class GroupState:
    """What the app keeps of the group: the catalogue's engine and the mines it lists."""

    def __init__(self, app: Flask, catalogue: Engine) -> None:
        self.app = app
        self.catalogue = catalogue
        self.state: dict[str, Any] = {}  # the group area's caches
        self._tenants: dict[str, Tenant] = {}
        self._known: frozenset[str] = frozenset()
        self._fresh_until = 0.0
        self._last_miss = 0.0
        self._lock = threading.Lock()

    def tenant(self, code: str) -> Tenant | None:
        """The mine with ``code`` if the catalogue lists it as active."""
        now = time.monotonic()
        if now > self._fresh_until or (code not in self._known and now - self._last_miss > 1):
            if code not in self._known:
                self._last_miss = now
            self.refresh()
        if code not in self._known:
            return None
        with self._lock:
            found = self._tenants.get(code)
            if found is None:
                found = self._tenants[code] = Tenant(code, self._overlay(code), self._engine_for)
            return found

    def refresh(self) -> None:
        from .group.models import GroupMine  # the catalogue's tables (group mode only)

        try:
            with self.catalogue.connect() as conn:
                codes = conn.scalars(sa.select(GroupMine.code).where(GroupMine.active.is_(True))).all()
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            codes = []  # a catalogue not yet made (``flask group init``): no mine answers
        self._known = frozenset(codes)
        self._fresh_until = time.monotonic() + MINES_SECONDS

    def forget(self) -> None:
        """Ask the catalogue again at the next request (a mine added or closed in this worker)."""
        self._fresh_until = 0.0

    def _overlay(self, code: str) -> dict[str, Any]:
        config = self.app.config
        secret = dict.__getitem__(config, "SECRET_KEY")
        photos = dict.get(config, "PHOTO_DIR") or str(Path(self.app.instance_path) / "photos")
        return {
            "SECRET_KEY": derive(secret, f"mine {code} secret"),
            # from the instance's ballot key (INSPECT_BALLOT_KEY, else derived from the secret)
            "BALLOT_KEY": derive(dict.__getitem__(config, "BALLOT_KEY"), f"mine {code} ballot key"),
            "PHOTO_DIR": str(Path(photos) / code),
            "S3_PREFIX": f"{dict.get(config, 'S3_PREFIX') or 'photos/'}{code}/",
        }

    def _engine_for(self, code: str) -> Engine:
        from .database import configure_engine

        if self.catalogue.dialect.name == "postgresql":
            # the catalogue's engine, pointed at the mine's schema: one pool and one dialect for the catalogue
            # and every mine, so a worker's connections stay as few as for a single mine, however many mines
            # the comparison asks (a pool per mine held 2 × mines × workers)
            return self.catalogue.execution_options(**{_SCHEMA: schema_of(code)})
        engine = sa.create_engine(mine_url(self.catalogue, code), **engine_options(self.app))
        configure_engine(engine)
        return engine

    def dispose(self) -> None:
        """Close every mine's connections (a SQLite file each; PostgreSQL's are the catalogue's pool)."""
        for tenant in self._tenants.values():
            if tenant._engine is not None and tenant._engine.dialect.name == "sqlite":
                tenant._engine.dispose()
        self._tenants.clear()


def mine_url(catalogue: Engine, code: str) -> sa.URL:
    """Where mine ``code``'s database is: a file beside the catalogue's, or the same PostgreSQL database."""
    url = catalogue.url
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        mines = path.parent / "mines"
        mines.mkdir(mode=0o700, exist_ok=True)
        file = mines / f"{code}.db"
        if not file.exists():  # private before SQLite creates it 0644 (as config._private_files)
            with suppress(FileExistsError):
                os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return url.set(database=str(file))
    return url


def engine_options(app: Flask) -> dict[str, Any]:
    return dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})


_SCHEMA = "inspect_schema"


def use_schema(engine: Engine, default: str) -> None:
    """PostgreSQL: every connection ``engine`` (the catalogue's) hands out reads and writes one schema: its
    ``search_path`` is the ``inspect_schema`` execution option of the engine asked (a mine's, made by
    ``engine.execution_options``), else ``default`` (the catalogue's).

    All share one pool; a pooled connection remembers the schema it was last set to, and is set again when
    it next serves another one. The setting is committed at once, before anything runs: a SET inside a
    transaction that is later rolled back would be undone, and the connection would then serve the wrong
    schema. It happens when a connection is handed to a ``Connection`` (``engine_connect``), so nothing can
    run on it before: the ORM session, ``driver.Prepared`` and Alembic all go through one.
    """

    @event.listens_for(engine, "engine_connect")
    def _schema(conn: Connection) -> None:
        schema = conn.get_execution_options().get(_SCHEMA, default)
        pooled = conn.connection
        if pooled.info.get(_SCHEMA) == schema:
            return
        driver = pooled.driver_connection
        assert driver is not None
        driver.execute("SELECT set_config('search_path', %s, false)", (schema,))
        driver.commit()
        pooled.info[_SCHEMA] = schema


class MineEngines(Mapping[str | None, Engine]):
    """Flask-SQLAlchemy's engines in group mode: the default one is the mine of the moment's. Outside any
    mine there is none, so a query of a mine's table there fails loudly instead of reading some mine."""

    def __init__(self, catalogue: Engine) -> None:
        self.catalogue = catalogue

    def __getitem__(self, key: str | None) -> Engine:
        if key is not None:
            raise KeyError(key)
        tenant = current()
        if tenant is None:
            raise NoMine("no mine chosen: this needs a mine's database (tenancy.use_mine)")
        return tenant.engine

    def __iter__(self) -> Iterator[str | None]:
        return iter((None,))

    def __len__(self) -> int:
        return 1

    def values(self) -> Any:  # what Flask-SQLAlchemy disposes of at init: none of the mines yet
        return []


class NoMine(LookupError):
    """A mine's data was asked for outside any mine."""


def current() -> Tenant | None:
    """The mine of the moment (None in the group's area, in a command without one, or for a single mine)."""
    if not has_app_context():
        return None
    found: Tenant | None = g.get("inspect_mine", _UNSET)
    if found is not _UNSET:
        return found
    tenant = None
    mine_code = request.environ.get(ENVIRON_KEY) if has_request_context() else None
    if mine_code and is_group():
        tenant = group_state().tenant(mine_code)
    elif is_group() and current_app.config.get("MINE"):  # a command for one mine: INSPECT_MINE=<code>
        tenant = group_state().tenant(str(current_app.config["MINE"]))
        if tenant is None:
            raise NoMine(f"no active mine {current_app.config['MINE']!r} in the catalogue")
    g.inspect_mine = tenant
    return tenant


_UNSET = object()


def code() -> str:
    """The mine of the moment's code ('' for a single mine)."""
    tenant = current()
    return tenant.code if tenant else ""


def outside_mines() -> bool:
    """The group's own area (or a group command): no mine's pages, data or setup."""
    return is_group() and current() is None


def state() -> dict[str, Any]:
    """Where caches of the mine of the moment live: its own dict (the app's extensions for a single mine)."""
    app = current_app
    if _EXT not in app.extensions:
        return app.extensions
    tenant = current()
    return tenant.state if tenant is not None else group_state().state


def group_state(app: Flask | None = None) -> GroupState:
    found: GroupState = (app or current_app).extensions[_EXT]
    return found


@contextmanager
def use_mine(mine_code: str) -> Iterator[Tenant]:
    """Run the block in mine ``mine_code``'s own app context (its database, keys and caches)."""
    tenant = group_state().tenant(mine_code)
    if tenant is None:
        raise NoMine(f"no active mine {mine_code!r}")
    with current_app.app_context():
        g.inspect_mine = tenant
        yield tenant


class TenantConfig(Config):
    """``app.config`` in group mode: a mine's own value of a ``PER_MINE_KEYS`` key while in that mine, the
    group area's cookie names and path in the group's area (requests only), the instance's value
    otherwise."""

    def __getitem__(self, key: str) -> Any:
        if key in PER_MINE_KEYS or key in GROUP_COOKIES:
            found = _overlaid(key)
            if found is not _UNSET:
                return found
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if (
            key in PER_MINE_KEYS or key in GROUP_COOKIES
        ):  # also when the instance sets none (REMEMBER_COOKIE_*)
            found = _overlaid(key)
            if found is not _UNSET:
                return found
        return super().get(key, default)


def _overlaid(key: str) -> Any:
    if not has_app_context():
        return _UNSET
    tenant = current()
    if tenant is not None:
        if key in ("SESSION_COOKIE_PATH", "REMEMBER_COOKIE_PATH"):
            return (request.script_root or "/") if has_request_context() else "/"
        return tenant.overlay.get(key, _UNSET)
    if not has_request_context():
        return _UNSET
    if key in GROUP_COOKIES:
        return GROUP_COOKIES[key]
    if key == "SECRET_KEY":
        secret = dict.__getitem__(current_app.config, "SECRET_KEY")
        return derive(secret, "group secret")
    return _UNSET


class MinePaths:
    """WSGI: ``/m/<code>/rest`` → SCRIPT_NAME ``…/m/<code>``, PATH_INFO ``/rest``, the code in the environ;
    a host listed in ``MINE_HOSTS`` names its mine for every path. Unknown codes are answered by the app
    (404), not here."""

    def __init__(self, wsgi_app: Any, hosts: Mapping[str, str]) -> None:
        self.wsgi_app = wsgi_app
        self.hosts = {k.lower(): v for k, v in hosts.items()}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path: str = environ.get("PATH_INFO", "")
        host = (environ.get("HTTP_HOST") or "").lower()
        if host in self.hosts:
            environ[ENVIRON_KEY] = self.hosts[host]
        elif path.startswith("/m/"):
            mine_code, _, rest = path[3:].partition("/")
            environ[ENVIRON_KEY] = mine_code if CODE_RE.match(mine_code) else "-"
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/m/" + mine_code
            environ["PATH_INFO"] = "/" + rest
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask, catalogue: Engine) -> None:
    """Group mode: the catalogue, the mines' engines and config, the path dispatcher (after config.load
    and db.init_app)."""
    from .extensions import db

    app.config.__class__ = TenantConfig
    app.extensions[_EXT] = GroupState(app, catalogue)
    db._app_engines[app] = MineEngines(catalogue)  # type: ignore[assignment]
    app.wsgi_app = MinePaths(app.wsgi_app, app.config["MINE_HOSTS"])  # type: ignore[method-assign]


def guard_areas(app: Flask) -> None:
    """A mine's pages answer only inside a mine, the group's only outside: every other pairing is 404 (a
    mine code the catalogue does not list, too). The root of the group's area leads to its pages."""

    @app.before_request
    def _areas() -> Any:
        in_group_area = request.blueprint == "group"
        if request.endpoint == "static":
            return None
        if request.environ.get(ENVIRON_KEY):
            if current() is None or in_group_area:
                abort(404)
            return None
        if in_group_area:
            return None
        if request.path == "/":
            return redirect(url_for("group.index"), 302)
        abort(404)


def catalogue_engine(app: Flask) -> Engine:
    """The group catalogue's engine (made from DATABASE_URL; its own schema on PostgreSQL, and its pool is
    every mine's too)."""
    engine = sa.create_engine(make_url(app.config["SQLALCHEMY_DATABASE_URI"]), **engine_options(app))
    if engine.dialect.name == "postgresql":
        use_schema(engine, GROUP_SCHEMA)
    return engine
