"""The register of model posts for staff: list, create, edit or adjust, lifecycle steps, board code
rotation, achievements, signboard PDFs. A branch secretary works on their own unit only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from inspect_app import clock, signboard
from inspect_app.audit import actor_of
from inspect_app.domain.enums import FeedbackStatus, PostStatus, Profession, Role
from inspect_app.domain.lifecycle import EDITABLE, NEEDS_REASON, Action, allowed_actions
from inspect_app.errors import refuse
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import Member, Post, StandardVersion, Unit
from inspect_app.portraits import PortraitRefused, clean_portrait
from inspect_app.public.views import post_url
from inspect_app.rankings.period import quarter_warning, rollup_weights
from inspect_app.security import ALL_ROLES, SUPERVISORS, roles_required

from . import messages
from .feedback import decide
from .feedback import queue as feedback_queue
from .forms import parse_post
from .services import (
    PostRefused,
    board_of,
    create_post,
    edit_post,
    load_post,
    may_manage,
    missing_for_apply,
    rotate_code,
    set_achievements,
    set_portrait,
    take_step,
)

bp = Blueprint("posts", __name__, url_prefix="/posts")
bp.add_app_template_global(messages.action_label, "action_label")
bp.add_app_template_global(messages.clarity, "clarity_label")
bp.add_app_template_global(messages.consequence, "post_consequence")
bp.add_app_template_global(messages.confirmed, "post_confirmed")

ALL_UNITS = "all"
EDITORS = (Role.ADMIN, Role.COMMITTEE, Role.BRANCH_SECRETARY)
MANAGERS = (Role.ADMIN, Role.COMMITTEE, Role.BRANCH_SECRETARY)


def _own_unit() -> int | None:
    return current_user.unit_id if current_user.role == Role.BRANCH_SECRETARY else None


@bp.get("/")
@roles_required(*ALL_ROLES)
def index() -> Response:
    """All posts by unit; a branch secretary sees only their own unit's."""
    own = _own_unit()
    units = list(db.session.scalars(select(Unit).order_by(Unit.id)))
    if own is not None:
        units = [u for u in units if u.id == own]
    unit_code = units[0].code if own is not None else request.args.get("unit") or ALL_UNITS
    stmt = select(Post).join(Unit).options(selectinload(Post.unit)).order_by(Unit.id, Post.name)
    if unit_code != ALL_UNITS:
        stmt = stmt.where(Unit.code == unit_code)
    status = request.args.get("status", "")
    status = status if status in PostStatus._value2member_map_ else ""
    if status:
        stmt = stmt.where(Post.status == status)
    posts = list(db.session.scalars(stmt))
    manage = current_user.role in SUPERVISORS
    return render(
        "posts/index.html",
        "post_list",
        push_url=url_for(".index", unit=None if own is not None else unit_code, status=status or None),
        posts=posts,
        units=units,
        unit_code=unit_code,
        post_status=status,
        statuses=list(PostStatus),
        manage=manage,
        may_create=current_user.role in (Role.ADMIN, Role.BRANCH_SECRETARY),
    )


def _managed_post(code: str) -> Post:
    post = load_post(code)
    if post is None:
        abort(404)
    if not may_manage(actor_of(current_user), post.unit_id):
        abort(403)
    return post


def _detail(
    post: Post, status: int = 200, error: str | None = None, missing: tuple[str, ...] = ()
) -> Response:
    role = current_user.role
    actions = [a for a in allowed_actions(post.status, role) if a != Action.ADJUST]
    editable = PostStatus(post.status) in EDITABLE and role in (Role.ADMIN, Role.BRANCH_SECRETARY)
    adjustable = Action.ADJUST in allowed_actions(post.status, role)
    return render(
        "posts/detail.html",
        status=status,
        post=post,
        actions=actions,
        needs_reason=NEEDS_REASON,
        may_edit=editable or adjustable,
        may_manage_board=role in MANAGERS and post.status in (PostStatus.LISTED, PostStatus.EXPIRED),
        missing=missing or (missing_for_apply(post) if post.status in EDITABLE else ()),
        error=error,
        today=clock.today(),
        warned=quarter_warning(post.id, clock.today(), rollup_weights())
        if post.status == PostStatus.LISTED
        else None,
    )


@bp.get("/<code>")
@roles_required(*SUPERVISORS)
def detail(code: str) -> Response:
    return _detail(_managed_post(code))


@bp.post("/<code>/step")
@roles_required(*SUPERVISORS)
def take(code: str) -> Response:
    post = _managed_post(code)
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        return _detail(post, 400, _("Unknown action."))
    try:
        take_step(actor_of(current_user), code, action, request.form.get("reason", "")[:2000])
    except PostRefused as refused:
        return _detail(load_post(code) or post, refused.status, messages.refusal(refused), refused.missing)
    flash(messages.done(action))
    return redirect(url_for("posts.detail", code=code), 303)


def _form_context(post: Post | None, unit_id: int | None) -> dict[str, Any]:
    kept = post.unit_id if post else None  # a post keeps its unit even after the unit closed
    units = list(
        db.session.scalars(select(Unit).where(Unit.closed_on.is_(None) | (Unit.id == kept)).order_by(Unit.id))
    )
    if unit_id is not None:
        units = [u for u in units if u.id == unit_id]
    chosen = [d.member_id for d in post.demonstrators] if post else []
    members = db.session.scalars(
        select(Member)
        .where(Member.party_member, Member.unit_id.in_([u.id for u in units]))
        .where(Member.closed_on.is_(None) | Member.id.in_(chosen))
        .options(selectinload(Member.unit))
        .order_by(Member.unit_id, Member.id)
    ).all()
    versions = db.session.scalars(
        select(StandardVersion).options(selectinload(StandardVersion.standard)).order_by(StandardVersion.id)
    ).all()
    latest = {v.standard_id: v for v in versions}  # the newest version of each standard
    return {
        "post": post,
        "units": units,
        "members": members,
        "versions": sorted(latest.values(), key=lambda v: v.standard.profession),
        "professions": list(Profession),
        "may_organise": current_user.role in (Role.ADMIN, Role.COMMITTEE, Role.HR),
    }


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.BRANCH_SECRETARY)
def new() -> Response:
    own = _own_unit()
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = parse_post(request.form, own)
        if data is not None:
            try:
                code = create_post(actor_of(current_user), data)
            except PostRefused as refused:
                errors = {"form": messages.refusal(refused)}
            else:
                flash(_("Draft saved. Complete the five clarities, then apply."))
                return redirect(url_for("posts.detail", code=code), 303)
    status = 422 if errors else 200
    return render(
        "posts/form.html", status=status, errors=errors, form=request.form, **_form_context(None, own)
    )


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(code: str) -> Response:
    """Edit a draft (or a post rejected for rebuilding); on a listed post this is an adjustment (及时调整)."""
    post = _managed_post(code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = parse_post(request.form, post.unit_id)
        if data is not None:
            try:
                edit_post(actor_of(current_user), code, data, request.form.get("reason", "")[:2000])
            except PostRefused as refused:
                errors = {"form": messages.refusal(refused)}
                if refused.code == "forbidden" or refused.code == "other_unit":
                    abort(403)
            else:
                flash(_("Saved."))
                return redirect(url_for("posts.detail", code=code), 303)
    status = 422 if errors else 200
    form = request.form if request.method == "POST" else None
    return render(
        "posts/form.html", status=status, errors=errors, form=form, **_form_context(post, post.unit_id)
    )


@bp.route("/<code>/achievements", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def achievements(code: str) -> Response:
    post = _managed_post(code)
    error = None
    if request.method == "POST":
        try:
            set_achievements(actor_of(current_user), code, request.form.get("achievements", "")[:10000])
        except PostRefused as refused:
            error = messages.refusal(refused)
        else:
            flash(_("Achievements saved."))
            return redirect(url_for("posts.detail", code=code), 303)
    text = request.form.get("achievements") if request.method == "POST" else post.achievements
    return render("posts/achievements.html", status=422 if error else 200, post=post, text=text, error=error)


@bp.post("/<code>/rotate")
@roles_required(*MANAGERS)
def rotate(code: str) -> Response:
    """A new board code for a lost or defaced board; the old code then says the board was replaced."""
    post = _managed_post(code)
    if request.form.get("confirm") != "yes":
        return _detail(post, 422, _("Tick the box to confirm that the old board is no longer valid."))
    new_code = rotate_code(actor_of(current_user), code, clock.today())
    flash(
        _(
            "New board code %(code)s. Print and hang the new signboard; the old QR no longer works.",
            code=new_code,
        )
    )
    return redirect(url_for("posts.detail", code=new_code), 303)


def _signboard_pdf(posts: list[Post]) -> Response:
    boards = tuple(board_of(p, post_url(p.code)) for p in posts)
    body = signboard.render_pdf(boards, current_app.config["CJK_FONT"])
    response = current_app.response_class(body, mimetype="application/pdf")
    name = f"signboard-{posts[0].code}.pdf" if len(posts) == 1 else "signboards.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/<code>/signboard.pdf")
@roles_required(*SUPERVISORS)
def signboard_pdf(code: str) -> Response:
    post = _managed_post(code)
    if post.status not in (PostStatus.LISTED, PostStatus.EXPIRED):
        refuse(409, _("Only a listed post has a signboard."))
    return _signboard_pdf([post])


#: signboards one PDF may hold (one A4 page each; more is a job for several batches)
MAX_SIGNBOARDS = 50


@bp.get("/signboards.pdf")
@roles_required(*SUPERVISORS)
def signboards_pdf() -> Response:
    """Several signboards in one PDF (``?code=A&code=B``), in the order chosen; at most MAX_SIGNBOARDS."""
    codes = list(dict.fromkeys(request.args.getlist("code")))
    if len(codes) > MAX_SIGNBOARDS:
        refuse(
            422,
            _("At most %(n)d signboards fit in one PDF: print them in several batches.", n=MAX_SIGNBOARDS),
        )
    posts = [load_post(c) for c in codes]
    chosen = [p for p in posts if p is not None and p.status in (PostStatus.LISTED, PostStatus.EXPIRED)]
    actor = actor_of(current_user)
    if not chosen or len(chosen) != len(codes):
        refuse(422, _("Choose listed posts to print."))
    if any(not may_manage(actor, p.unit_id) for p in chosen):
        abort(403)
    return _signboard_pdf(chosen)


@bp.get("/feedback")
@roles_required(Role.BRANCH_SECRETARY, Role.COMMITTEE, Role.ADMIN)
def feedback() -> Response:
    """职工监督意见 waiting for the branch secretary, and those already decided."""
    pending = request.args.get("status") == FeedbackStatus.PENDING.value
    notes = db.session.scalars(feedback_queue(actor_of(current_user), pending_only=pending)).all()
    return render(
        "posts/feedback.html",
        notes=notes,
        pending=pending,
        may_decide=current_user.role == Role.BRANCH_SECRETARY,
    )


@bp.post("/feedback/<rid:feedback_id>")
@roles_required(Role.BRANCH_SECRETARY)
def decide_feedback(feedback_id: int) -> Response:
    decision = request.form.get("decision")
    try:
        decide(actor_of(current_user), feedback_id, decision, request.form.get("reply", ""))
    except PostRefused as refused:
        if refused.status == 404:
            abort(404)
        refuse(refused.status, messages.refusal(refused))
    flash(_("Published.") if decision == "approve" else _("Rejected; it stays hidden."))
    return redirect(url_for("posts.feedback"), 303)


@bp.post("/<code>/portrait/<int:member_id>")
@roles_required(*MANAGERS)
def portrait(code: str, member_id: int) -> Response:
    """A demonstrator's photo for the signboard (亮身份), or its removal."""
    _managed_post(code)
    upload = request.files.get("photo")
    try:
        jpeg = None if request.form.get("remove") else clean_portrait(upload.read() if upload else b"")
        set_portrait(actor_of(current_user), code, member_id, jpeg)
    except PortraitRefused as refused:
        refuse(
            refused.status, _("This file is not a photo we can use. Take a JPEG or PNG photo and try again.")
        )
    except PostRefused as refused:
        refuse(refused.status, messages.refusal(refused))
    flash(_("Portrait saved.") if jpeg else _("Portrait removed."))
    return redirect(url_for("posts.detail", code=code), 303)
