"""Which rows own a stored photo, and whose staff may see it: the one list that serving and cleanup both ask.

Every table whose rows name a photo of the store by ``sha256`` is an owner here, with the rule for who may see
its photos (the units whose supervisors may open it). ``flask photos-cleanup`` deletes a file no owner
references; ``/photos/<name>`` serves one an owner lets the user see. A structural test fails if a table
with a ``sha256`` column is missing: a photo table the cleanup did not know about once lost its photos.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, select, union_all

from inspect_app.domain.enums import RoundStatus
from inspect_app.extensions import Base
from inspect_app.models import (
    AnonSheetPhoto,
    Post,
    Rectification,
    RectificationPhoto,
    Round,
    Sheet,
    SheetPhoto,
)

SEALED = (RoundStatus.SEALED.value, RoundStatus.PUBLISHED.value)


@dataclass(frozen=True)
class Owner:
    table: type[Base]
    #: the units whose staff may see the photo ``sha256`` through this table's rows
    units: Callable[[str], Select[Any]]


def _signed(sha256: str) -> Select[Any]:
    return (
        select(Post.unit_id)
        .select_from(SheetPhoto)
        .join(Sheet, Sheet.id == SheetPhoto.sheet_id)
        .join(Post, Post.id == Sheet.post_id)
        .where(SheetPhoto.sha256 == sha256)
    )


def _anonymous(sha256: str) -> Select[Any]:
    """Only once the round is sealed: an open round's photos are not even in the store yet."""
    return (
        select(Post.unit_id)
        .select_from(AnonSheetPhoto)
        .join(Round, Round.id == AnonSheetPhoto.round_id)
        .join(Post, Post.id == AnonSheetPhoto.post_id)
        .where(AnonSheetPhoto.sha256 == sha256, Round.status.in_(SEALED))
    )


def _after(sha256: str) -> Select[Any]:
    return (
        select(Rectification.unit_id)
        .select_from(RectificationPhoto)
        .join(Rectification, Rectification.id == RectificationPhoto.rectification_id)
        .where(RectificationPhoto.sha256 == sha256)
    )


OWNERS: tuple[Owner, ...] = (
    Owner(SheetPhoto, _signed),
    Owner(AnonSheetPhoto, _anonymous),
    Owner(RectificationPhoto, _after),
)


def referenced() -> CompoundSelect[Any]:
    """Every photo some row owns (for cleanup)."""
    return union_all(*(select(owner.table.sha256) for owner in OWNERS))  # type: ignore[attr-defined]


def units_seeing(sha256: str) -> CompoundSelect[Any]:
    """The units whose staff may see this photo, through any owner."""
    return union_all(*(owner.units(sha256) for owner in OWNERS))


def signed_by(sha256: str, user_id: int) -> Select[Any]:
    """The signed sheets of ``user_id`` holding the photo: a signer sees their own sheet's photos."""
    return (
        select(SheetPhoto.sheet_id)
        .join(Sheet, Sheet.id == SheetPhoto.sheet_id)
        .where(SheetPhoto.sha256 == sha256, Sheet.inspector_id == user_id)
        .limit(1)
    )
