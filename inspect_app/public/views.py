"""What anyone may see without logging in: the landing page, a post's public page and its QR code.

These routes are rate limited per client address (``RATELIMIT_PUBLIC``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from inspect_app import clock, qr
from inspect_app.charts import trend_chart
from inspect_app.domain.ballots import Signer, may_sign, self_check_unit
from inspect_app.domain.codes import normalise_post_code
from inspect_app.domain.enums import Role
from inspect_app.domain.feedback import MAX_CHARS, FeedbackRefused
from inspect_app.domain.lifecycle import Shown, shown_status
from inspect_app.domain.standards import sections
from inspect_app.errors import refuse
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.i18n import grade_bands
from inspect_app.models import Post, Round, StandardVersion
from inspect_app.posts.feedback import submit_feedback
from inspect_app.posts.services import PostRefused
from inspect_app.queries import (
    Grade,
    approved_feedback,
    grade_history,
    open_rounds_for_post,
    post_by_code,
    retired_code,
    round_inspecting,
)
from inspect_app.rectifications.services import post_counts, published_photos
from inspect_app.security import public, rate_limited
from inspect_app.setup.services import external_url

bp = Blueprint("public", __name__)
rate_limited(lambda: current_app.config["RATELIMIT_PUBLIC"])(bp)


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


def _public_post(code: str) -> tuple[Post, Shown]:
    """The post behind a board code, or the reason there is none: a replaced board (410) or no board (404)."""
    found = post_by_code(code)
    if found is None:
        retired = retired_code(code)
        if retired is not None:
            refuse(
                410,
                _(
                    "This signboard was replaced on %(day)s. Scan the QR code on the new board at the post.",
                    day=retired.retired_on.isoformat(),
                ),
            )
        abort(404)
    shown = shown_status(found.status, found.start_date, found.end_date, clock.today())
    if shown == Shown.HIDDEN:
        refuse(404, _("This post has not been listed yet."))
    return found, shown


def _may_sign(post: Post, rnd: Round) -> bool:
    """Whether the logged-in user may sign ``post`` in the signed round ``rnd`` (its 自查 and 互查 rules)."""
    if not current_user.is_authenticated:
        return False
    signer = Signer(Role(current_user.role), current_user.home_unit_id, current_user.display_name)
    own_unit = self_check_unit(rnd.mode, rnd.unit_id)
    return may_sign(signer, post.unit_id, post.assessor, own_unit, round_inspecting(rnd, post.unit_id))


def _trend(post: Post, grades: list[Grade]) -> Markup:
    """The post's results oldest first, on the grade bands."""
    points = [(g.period_end.strftime("%m-%d"), g.score) for g in reversed(grades)]
    values = "；".join(f"{g.round_title} {g.score:.2f}" for g in reversed(grades))
    return trend_chart(
        points, grade_bands(), _("Results of %(post)s: %(values)s", post=post.name, values=values)
    )


def render_post_page(found: Post, shown: Shown) -> Response:
    """The post's public page (also rendered into a round download)."""
    rounds = open_rounds_for_post(found.id) if shown == Shown.LISTED else []
    grades = grade_history(found.id)
    return render(
        "public/post.html",
        post=found,
        shown=shown,
        ballot_rounds=[r for r in rounds if r.anonymous],
        score_rounds=[r for r in rounds if not r.anonymous and _may_sign(found, r)],
        grades=grades,
        trend=_trend(found, grades),
        notes=approved_feedback(found.id),
        takes_feedback=shown in (Shown.LISTED, Shown.UPCOMING),
        rect_counts=post_counts(found.id, clock.today()),
        after_photos=published_photos(found.id),
        standard_sections=sections(found.standard_version.items) if found.standard_version else [],
    )


def public_post(code: str) -> tuple[Post, Shown]:
    """The post behind a board code and how it is shown (aborts with 404/410 as the post page does)."""
    return _public_post(code)


@bp.get("/p/<code>")
@public
def post(code: str) -> Response:
    """What a miner sees scanning the board: the five shows, its standing, sealed results, approved notes."""
    found, shown = _public_post(code)
    response = render_post_page(found, shown)
    response.cache_control.max_age = 60
    if current_user.is_authenticated:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.get("/s/<int:version_id>")
@public
def standard(version_id: int) -> Response:
    """A standard as every inspector and miner may read it (亮标准, 参检人员人手一份): its items and rules."""
    version = db.session.get(StandardVersion, version_id)
    if version is None:
        abort(404)
    response = render("public/standard.html", version=version, sections=sections(version.items))
    response.cache_control.max_age = 3600
    return response


@bp.route("/p/<code>/feedback", methods=["GET", "POST"])
@public
@rate_limited(lambda: current_app.config["RATELIMIT_FEEDBACK"], methods=["POST"])
def feedback(code: str) -> Response:
    """职工监督意见: a short anonymous note; shown on the post's page once its branch approves it."""
    found, shown = _public_post(code)
    if shown not in (Shown.LISTED, Shown.UPCOMING):
        refuse(409, _("This post no longer takes notes."))
    error = None
    if request.method == "POST":
        try:
            submit_feedback(found.id, request.form.get("body", ""), clock.today())
        except FeedbackRefused as refused:
            error = feedback_message(refused.code)
        except PostRefused:
            refuse(429, _("Too many notes are waiting for this post. Please try again later."))
        else:
            return redirect(url_for("public.feedback", code=code, sent=1), 303)
    body = request.form.get("body", "")[:MAX_CHARS] if error else ""
    response = render(
        "public/feedback.html",
        status=422 if error else 200,
        post=found,
        error=error,
        body=body,
        sent=bool(request.args.get("sent")),
        max_chars=MAX_CHARS,
    )
    response.cache_control.no_store = True
    return response


def feedback_message(code: str) -> str:
    return {
        "empty": _("Write your note first."),
        "too_short": _("The note is too short."),
        "too_long": _("The note is too long: at most %(n)d characters.", n=MAX_CHARS),
        "control_chars": _("The note contains invisible control characters. Please type it again."),
    }.get(code, _("The note could not be stored."))


def post_url(code: str) -> str:
    """The absolute URL a board's QR code holds (the mine's public address when set)."""
    return external_url("public.post", code=code)


def _qr_response(code: str, body_of: str) -> Response:
    _public_post(code)
    url = post_url(code)
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
