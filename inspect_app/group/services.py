"""The group's work (group mode): its administrators, its mines (added from a spreadsheet, each with its
database made and migrated and its first administrator), the standards it publishes into every mine, and the
comparison of its mines. The catalogue is written here only; a mine's database only through that mine's own
services, entered with ``tenancy.use_mine``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash

from inspect_app import tenancy
from inspect_app.audit import Actor
from inspect_app.auth.services import hash_password, password_ok
from inspect_app.database import Lock, hold, writing_engine
from inspect_app.domain.group import HEADERS, MAX_ROWS, REQUIRED, MineRow
from inspect_app.domain.passwords import new_initial_password, password_problem
from inspect_app.domain.standards import ItemDraft, check_items
from inspect_app.extensions import db
from inspect_app.security import SessionUser
from inspect_app.setup.services import FirstAdmin, init_mine
from inspect_app.standards.exchange import read_upload, to_csv
from inspect_app.standards.services import GroupEdition, StandardRefused, take_group_version
from inspect_app.tables_in import Layout

from .models import GroupMine, GroupPublication, GroupStandard, GroupStandardVersion, GroupUser

GROUP_ADMIN = "group_admin"
#: the sheet of mines (domain/group.py) as the page and ``flask mines import`` read it
MINES_LAYOUT = Layout(HEADERS, REQUIRED, MAX_ROWS)


class GroupRefused(Exception):
    def __init__(self, code: str, status: int = 409) -> None:
        super().__init__(code)
        self.code, self.status = code, status


def _catalogue() -> Session:
    return Session(tenancy.group_state().catalogue, expire_on_commit=False)


@contextmanager
def catalogue_write() -> Iterator[Session]:
    """One write transaction on the catalogue (BEGIN IMMEDIATE on SQLite), committed at the end."""
    engine = writing_engine(tenancy.group_state().catalogue)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


# -- administrators -------------------------------------------------------------------------------------


def load_group_user(user_id: int, version: int) -> SessionUser | None:
    with _catalogue() as session:
        user = session.get(GroupUser, user_id)
    if user is None or user.session_version != version:
        return None
    return SessionUser(
        user.id, user.username, user.display_name, GROUP_ADMIN, None, None, user.active,
        user.session_version, user.must_change_password,
    )  # fmt: skip


def authenticate(username: str, password: str) -> GroupUser | None:
    with _catalogue() as session:
        user = session.scalar(
            select(GroupUser).where(func.lower(GroupUser.username) == username.strip().lower())
        )
    return user if password_ok(user, password) else None


def create_admin(username: str, display_name: str, password: str, must_change: bool = False) -> None:
    hashed = hash_password(password)
    try:
        with catalogue_write() as session:
            user = GroupUser(username=username.lower(), display_name=display_name, password_hash=hashed,
                             must_change_password=must_change)  # fmt: skip
            session.add(user)
    except IntegrityError:
        raise GroupRefused("username_taken") from None


def change_password(user: SessionUser, current: str, new: str, repeat: str) -> int:
    """A group administrator's own new password: every other session of the login ends. Returns the new
    session version (this browser logs in again under it)."""
    with _catalogue() as session:
        found = session.get(GroupUser, user.id)
    if found is None or not check_password_hash(found.password_hash, current):
        raise GroupRefused("wrong_password", 422)
    if new != repeat:
        raise GroupRefused("mismatch", 422)
    problem = password_problem(new, user.username, user.display_name)
    if problem:
        raise GroupRefused(problem, 422)
    hashed = hash_password(new)
    with catalogue_write() as session:
        user_row = session.get_one(GroupUser, user.id)
        user_row.password_hash = hashed
        user_row.must_change_password = False
        user_row.session_version += 1
        return user_row.session_version


def end_sessions(user_id: int) -> None:
    with catalogue_write() as session:
        user = session.get(GroupUser, user_id)
        if user is not None:
            user.session_version += 1


# -- mines ----------------------------------------------------------------------------------------------


def mines(active_only: bool = True) -> list[GroupMine]:
    stmt = select(GroupMine).order_by(GroupMine.code)
    if active_only:
        stmt = stmt.where(GroupMine.active.is_(True))
    with _catalogue() as session:
        return list(session.scalars(stmt))


def mine_codes() -> set[str]:
    with _catalogue() as session:
        return set(session.scalars(select(GroupMine.code)))


def prepare_database(code: str) -> None:
    """Make mine ``code``'s database (a PostgreSQL schema; a SQLite file appears by itself) and migrate it
    to the newest schema, as ``flask db upgrade`` does for a single mine."""
    from flask_migrate import upgrade

    engine = tenancy.group_state().catalogue
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{tenancy.schema_of(code)}"'))
    with tenancy.use_mine(code):
        upgrade(directory=str(current_app.extensions["migrate"].directory))
        db.session.remove()


@dataclass(frozen=True)
class AddedMine:
    code: str
    short_name: str
    admin_username: str
    #: shown once to the group administrator, to hand to the mine's administrator (changed at first login)
    password: str


def add_mines(rows: Sequence[MineRow]) -> list[AddedMine]:
    """The mines of a checked sheet: listed in the catalogue (all or none), then each one's database made,
    migrated and given its names and first administrator. A mine whose database could not be made stays
    listed: ``flask mines upgrade`` and its own first-run setup (/m/<code>/setup/) finish it."""
    try:
        with catalogue_write() as session:
            for row in rows:
                session.add(GroupMine(code=row.code, name=row.fields.name, short_name=row.fields.short_name))
    except IntegrityError:
        raise GroupRefused("code_taken") from None
    tenancy.group_state().forget()
    added = []
    for row in rows:
        prepare_database(row.code)
        password = new_initial_password()
        with tenancy.use_mine(row.code):
            init_mine(row.fields, FirstAdmin(row.admin_username, row.admin_name, password, must_change=True))
            db.session.remove()
        added.append(AddedMine(row.code, row.fields.short_name, row.admin_username, password))
    return added


# -- standards ------------------------------------------------------------------------------------------


def standards() -> list[GroupStandard]:
    with _catalogue() as session:
        return list(
            session.scalars(
                select(GroupStandard)
                .options(selectinload(GroupStandard.versions))
                .order_by(GroupStandard.title)
            )
        )


def add_standard(title: str, profession: str, items: Sequence[ItemDraft], note: str) -> int:
    """A new group standard, or a new edition of the one with this title (same profession). Returns the
    version's id."""
    with catalogue_write() as session:
        hold(session.connection(), Lock.GROUP_STANDARD, 0)  # titles and edition numbers: checked, then added
        standard = session.scalar(select(GroupStandard).where(GroupStandard.title == title))
        if standard is None:
            standard = GroupStandard(title=title, profession=profession)
            session.add(standard)
            session.flush()
        elif standard.profession != profession:
            raise GroupRefused("profession_differs", 422)
        number = session.scalar(
            select(func.coalesce(func.max(GroupStandardVersion.number), 0)).where(
                GroupStandardVersion.standard_id == standard.id
            )
        )
        version = GroupStandardVersion(
            standard_id=standard.id,
            number=(number or 0) + 1,
            note=note,
            items_csv=to_csv(items),
            items=len(items),
        )
        session.add(version)
        session.flush()
        return version.id


@dataclass(frozen=True)
class Published:
    code: str
    #: the version number the mine's standard now has, or None when refused (``refused`` says why)
    number: int | None
    refused: str = ""


def publish(actor: Actor, version_id: int) -> list[Published]:
    """Version ``version_id`` into every active mine not yet given it: the group's standard there the first
    time (its own standard, marked as the group's), else its next version, which the mine's posts follow. A
    mine whose own standard has the title is skipped and named; a twin publish stores each edition once
    (``standards.services.take_group_version``)."""
    with _catalogue() as session:
        version = session.get(GroupStandardVersion, version_id)
        if version is None:
            raise GroupRefused("not_found", 404)
        standard = session.get_one(GroupStandard, version.standard_id)
        done = set(
            session.scalars(select(GroupPublication.mine_id).where(GroupPublication.version_id == version_id))
        )
    items = check_items(read_upload("group.csv", version.items_csv))
    note = f"集团标准第{version.number}版" + (f"：{version.note}" if version.note else "")
    edition = GroupEdition(standard.id, version.number, standard.title, standard.profession, note)
    results = []
    for mine in mines():
        if mine.id in done:
            continue
        with tenancy.use_mine(mine.code):
            try:
                number = take_group_version(actor, edition, items)
            except StandardRefused as refused:
                results.append(Published(mine.code, None, refused.code))
                continue
            finally:
                db.session.remove()
        if number is None:
            continue  # the mine took it meanwhile, from a twin request
        with suppress(IntegrityError), catalogue_write() as write:
            write.add(GroupPublication(version_id=version_id, mine_id=mine.id, mine_version=number))
        results.append(Published(mine.code, number))
    return results
