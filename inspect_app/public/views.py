"""What anyone may see without logging in: the landing page, a post's public page and its QR code.

These routes are rate limited per client address (``RATELIMIT_PUBLIC``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app import qr
from inspect_app.domain.codes import normalise_post_code
from inspect_app.domain.enums import Role
from inspect_app.extensions import limiter
from inspect_app.htmx import render
from inspect_app.queries import open_rounds_for_post, post_by_code
from inspect_app.security import public

bp = Blueprint("public", __name__)
limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC"])(bp)


@bp.get("/")
@public
def home() -> Response:
    return render("public/home.html")


@bp.get("/go")
@public
def go() -> Response:
    """The code typed from a signboard whose QR is too dirty to scan."""
    code = normalise_post_code(request.args.get("code", ""))
    if code is None or post_by_code(code) is None:
        return render(
            "public/home.html", error=_("No post has this code. Check the code under the QR."), status=404
        )
    return redirect(url_for("public.post", code=code), 303)


@bp.get("/p/<code>")
@public
def post(code: str) -> Response:
    found = post_by_code(code)
    if found is None:
        abort(404)
    may_score = current_user.is_authenticated and current_user.role == Role.INSPECTOR
    rounds = open_rounds_for_post(found.id) if may_score else []
    response = render("public/post.html", post=found, score_rounds=rounds)
    response.cache_control.max_age = 60
    if current_user.is_authenticated:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    return response


def _post_url(code: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    path = url_for("public.post", code=code)
    return base.rstrip("/") + path if base else url_for("public.post", code=code, _external=True)


def _qr_response(code: str, body_of: str) -> Response:
    if post_by_code(code) is None:
        abort(404)
    url = _post_url(code)
    body, mimetype = (qr.svg(url), "image/svg+xml") if body_of == "svg" else (qr.png(url), "image/png")
    response = current_app.response_class(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/p/<code>/qr.svg")
@public
def qr_svg(code: str) -> Response:
    return _qr_response(code, "svg")


@bp.get("/p/<code>/qr.png")
@public
def qr_png(code: str) -> Response:
    return _qr_response(code, "png")
