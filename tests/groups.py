"""A coal group's deployment for the tests (issue 23): the catalogue, one group administrator and two demo
mines, ``jia`` and ``yi``, each in its own database (a SQLite file beside the catalogue's, or a PostgreSQL
schema in the test database, emptied of any earlier run's)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from inspect_app import demo, tenancy
from inspect_app.extensions import db
from inspect_app.group import services
from inspect_app.group.cli import upgrade_catalogue
from inspect_app.group.models import GroupMine
from tests.conftest import make_app

GROUP_ADMIN, GROUP_PASSWORD = "jituan", "Group-admin-2026"
MINES = ("jia", "yi")


def _drop_schemas(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        schemas = conn.scalars(
            sa.text("SELECT nspname FROM pg_namespace WHERE nspname = :g OR nspname LIKE 'mine\\_%'"),
            {"g": tenancy.GROUP_SCHEMA},
        ).all()
        for schema in schemas:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def group_url(db_url: str, folder: Path) -> str:
    """The catalogue: a file in a folder of its own (mines go beside it), or this PostgreSQL database
    emptied of any earlier run's group and mine schemas."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{folder / 'group.db'}"
    _drop_schemas(db_url)
    return db_url


def build_group(db_url: str, folder: Path, **overrides: object) -> Flask:
    app = make_app(group_url(db_url, folder), GROUP=True, PHOTO_DIR=str(folder / "photos"), **overrides)
    with app.app_context():
        upgrade_catalogue()
        services.create_admin(GROUP_ADMIN, "集团管理员", GROUP_PASSWORD)
        with services.catalogue_write() as session:
            for code in MINES:
                session.add(GroupMine(code=code, name=f"{code}煤矿", short_name=f"{code}矿"))
        tenancy.group_state().forget()
        for code in MINES:
            services.prepare_database(code)
            with tenancy.use_mine(code):
                demo.load()
                db.session.remove()
    return app


def close_group(app: Flask) -> None:
    tenancy.group_state(app).dispose()
    tenancy.group_state(app).catalogue.dispose()
