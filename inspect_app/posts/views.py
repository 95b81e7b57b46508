"""The register of model posts, for logged-in staff."""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import Post, Unit
from inspect_app.security import ALL_ROLES, roles_required

bp = Blueprint("posts", __name__, url_prefix="/posts")


@bp.get("/")
@roles_required(*ALL_ROLES)
def index() -> Response:
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    unit_code = request.args.get("unit", "")
    stmt = select(Post).join(Unit).options(selectinload(Post.unit)).order_by(Unit.id, Post.name)
    if unit_code:
        stmt = stmt.where(Unit.code == unit_code)
    posts = list(db.session.scalars(stmt))
    return render("posts/index.html", "post_list", posts=posts, units=units, unit_code=unit_code)
