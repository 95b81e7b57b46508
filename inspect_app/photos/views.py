"""Serving evidence photos to staff, through the authorisation their sheets give.

A photo is shown only if some sheet that references it may be seen by the user: signed sheets to supervisors
(a branch secretary: own unit), anonymous sheets only once their round is sealed, rectification after-photos
to staff of the unit. The public sees only after-photos a re-check confirmed (``public_after_photo``). The
store is never exposed directly.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from inspect_app.rectifications.services import is_published_photo
from inspect_app.security import ALL_ROLES, SUPERVISORS, public, rate_limited, roles_required

from .owners import signed_by, units_seeing
from .storage import NAME
from .uploads import photo_store

bp = Blueprint("photos", __name__, url_prefix="/photos")


def _visible(sha256: str) -> bool:
    if db.session.scalar(signed_by(sha256, current_user.id)) is not None:
        return True  # a photo of a sheet this user signed
    if current_user.role not in SUPERVISORS:
        return False
    units = set(db.session.scalars(units_seeing(sha256)))
    if current_user.role == Role.BRANCH_SECRETARY:
        return current_user.unit_id in units
    return bool(units)


def _serve(name: str, allowed: Callable[[str], bool], public_for: int | None) -> Response:
    """The stored JPEG named ``name`` if ``allowed(sha256)``; cached publicly for ``public_for`` seconds, or
    privately for an hour."""
    if not NAME.match(name) or not allowed(name[:64]):
        abort(404)
    data = photo_store().get(name)
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype="image/jpeg")
    if public_for:
        response.cache_control.public = True
        response.cache_control.max_age = public_for
    else:
        response.cache_control.private = True
        response.cache_control.max_age = 3600
    return response


@bp.get("/<name>")
@roles_required(*ALL_ROLES)
def show(name: str) -> Response:
    return _serve(name, _visible, None)


@bp.get("/after/<name>")
@public
@rate_limited(lambda: current_app.config["RATELIMIT_PUBLIC"])
def public_after_photo(name: str) -> Response:
    """An after-photo of a fix a re-check confirmed, shown on the post's public page."""
    return _serve(name, is_published_photo, 86400)
