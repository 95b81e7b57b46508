"""Serving evidence photos to staff, through the authorisation their sheets give.

A photo is shown only if some sheet that references it may be seen by the user: signed sheets to supervisors
(a branch secretary: own unit), anonymous sheets only once their round is sealed. Never to the public yet
(published after-photos of rectifications come with that issue). The store is never exposed directly.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from flask_login import current_user
from sqlalchemy import select, union_all
from werkzeug.wrappers import Response

from inspect_app.domain.enums import Role, RoundStatus
from inspect_app.extensions import db
from inspect_app.models import AnonSheet, AnonSheetPhoto, Post, Round, Sheet, SheetPhoto
from inspect_app.security import SUPERVISORS, roles_required

from .storage import NAME
from .uploads import photo_store

bp = Blueprint("photos", __name__, url_prefix="/photos")
SEALED = (RoundStatus.SEALED.value, RoundStatus.PUBLISHED.value)


def _visible(sha256: str) -> bool:
    signed = (
        select(Post.unit_id)
        .select_from(SheetPhoto)
        .join(Sheet, Sheet.id == SheetPhoto.sheet_id)
        .join(Post, Post.id == Sheet.post_id)
        .where(SheetPhoto.sha256 == sha256)
    )
    anonymous = (
        select(Post.unit_id)
        .select_from(AnonSheetPhoto)
        .join(AnonSheet, AnonSheet.nullifier == AnonSheetPhoto.nullifier)
        .join(Round, Round.id == AnonSheet.round_id)
        .join(Post, Post.id == AnonSheet.post_id)
        .where(AnonSheetPhoto.sha256 == sha256, Round.status.in_(SEALED))
    )
    units = set(db.session.scalars(union_all(signed, anonymous)))
    if current_user.role == Role.BRANCH_SECRETARY:
        return current_user.unit_id in units
    return bool(units)


@bp.get("/<name>")
@roles_required(*SUPERVISORS)
def show(name: str) -> Response:
    if not NAME.match(name) or not _visible(name[:64]):
        abort(404)
    data = photo_store().get(name)
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype="image/jpeg")
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response
