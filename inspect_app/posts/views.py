"""The register of model posts, for logged-in staff."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from inspect_app.domain.enums import Role
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import Post, Unit
from inspect_app.security import ALL_ROLES, roles_required

bp = Blueprint("posts", __name__, url_prefix="/posts")


ALL_UNITS = "all"


@bp.get("/")
@roles_required(*ALL_ROLES)
def index() -> Response:
    """All posts, by unit; a branch secretary starts on their own unit's posts."""
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    own = next((u.code for u in units if u.id == current_user.unit_id), ALL_UNITS)
    unit_code = request.args.get("unit") or (own if current_user.role == Role.BRANCH_SECRETARY else ALL_UNITS)
    stmt = select(Post).join(Unit).options(selectinload(Post.unit)).order_by(Unit.id, Post.name)
    if unit_code != ALL_UNITS:
        stmt = stmt.where(Unit.code == unit_code)
    posts = list(db.session.scalars(stmt))
    return render("posts/index.html", "post_list", posts=posts, units=units, unit_code=unit_code)
