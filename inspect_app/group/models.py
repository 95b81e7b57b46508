"""The group's catalogue (group mode only, its own database or schema: ``tenancy.py``): the mines, the
group's administrators and the standards it publishes. Nothing of any mine's inspections is here: the
comparison pages ask each mine for its period results and rates, never for a sheet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from inspect_app import clock
from inspect_app.domain.enums import Profession, values
from inspect_app.extensions import Base


class GroupBase(DeclarativeBase):
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)


def _now() -> datetime:
    return clock.now()


class GroupMine(GroupBase):
    """A mine of the group: its code names its address (/m/<code>/) and its database."""

    __tablename__ = "group_mine"
    __table_args__ = (CheckConstraint("length(code) BETWEEN 2 AND 16", name="code_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str] = mapped_column(String(32))
    #: a closed mine no longer answers (its database is kept)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class GroupUser(GroupBase):
    """A group administrator: publishes the group's standards, adds mines, compares them. Never a mine's
    account: no mine's page opens to this login."""

    __tablename__ = "group_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class GroupStandard(GroupBase):
    """A standard the group sets (集团公司制定的专业标准); each mine gets it as a standard of its own, marked
    as the group's, and may add its own besides."""

    __tablename__ = "group_standard"
    __table_args__ = (
        CheckConstraint(
            f"profession IN ({', '.join(repr(v) for v in values(Profession))})", name="profession_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(128), unique=True)
    profession: Mapped[str] = mapped_column(String(16))

    versions: Mapped[list[GroupStandardVersion]] = relationship(order_by="GroupStandardVersion.number")


class GroupStandardVersion(GroupBase):
    """An edition as uploaded, kept as the checked items' CSV (exported and read back, it is the same
    standard: ``standards/exchange.py``)."""

    __tablename__ = "group_standard_version"
    __table_args__ = (UniqueConstraint("standard_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("group_standard.id"))
    number: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    items_csv: Mapped[bytes] = mapped_column(LargeBinary)
    items: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class GroupPublication(GroupBase):
    """Version ``version_id`` was published to mine ``mine_id`` (once: publishing again skips it)."""

    __tablename__ = "group_publication"
    __table_args__ = (UniqueConstraint("version_id", "mine_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("group_standard_version.id"))
    mine_id: Mapped[int] = mapped_column(ForeignKey("group_mine.id"))
    #: the version number the mine's own standard got
    mine_version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
