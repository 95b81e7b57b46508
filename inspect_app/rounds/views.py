"""Organising inspection rounds: list, create and edit drafts, open / seal / publish, ballot cards, and live
progress (sheets per post, never their content) while a round is open."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app.accounts.services import open_units
from inspect_app.audit import Actor, actor_of
from inspect_app.domain.ballots import MAX_CARDS_PER_PRINT, RoundAction, round_step
from inspect_app.domain.enums import Role, RoundKind, RoundMode, RoundStatus, values
from inspect_app.domain.mutual import ring
from inspect_app.htmx import render
from inspect_app.models import Post, Round
from inspect_app.queries import round_rules
from inspect_app.security import SUPERVISORS, roles_required
from inspect_app.setup.services import external_url

from . import messages
from .cards import Card, render_cards
from .forms import parse_count, parse_pairs, parse_round
from .services import (
    RoundRefused,
    card_counts,
    create_round,
    edit_round,
    eligible_posts,
    load_round,
    may_organise,
    may_view,
    print_cards,
    progress,
    step_round,
    visible_rounds,
    void_card,
)

bp = Blueprint("rounds", __name__, url_prefix="/rounds")
bp.add_app_template_global(messages.action_label, "round_action_label")
bp.add_app_template_global(messages.consequence, "round_consequence")


def _actor() -> Actor:
    return actor_of(current_user)


def _viewable(round_id: int) -> Round:
    rnd = load_round(round_id)
    if rnd is None:
        abort(404)
    if not may_view(_actor(), rnd):
        abort(403)
    return rnd


def _key() -> bytes:
    return str(current_app.config["BALLOT_KEY"]).encode()


@bp.get("/")
@roles_required(*SUPERVISORS)
def index() -> Response:
    actor = _actor()
    return render(
        "rounds/index.html",
        rounds=visible_rounds(actor),
        may_create=actor.role != Role.BRANCH_SECRETARY or actor.unit_id is not None,
    )


def _detail(rnd: Round, status: int = 200, error: str | None = None) -> Response:
    actor = _actor()
    organiser = may_organise(actor, rnd.unit_id)
    actions = [a for a in RoundAction if organiser and round_step(RoundStatus(rnd.status), a)]
    counts = progress(rnd)
    return render(
        "rounds/show.html",
        "progress",
        status=status,
        round=rnd,
        entries=sorted(rnd.entries, key=lambda e: (e.post.unit_id, e.post.name)),
        counts=counts,
        counts_at_quorum={pid for pid, n in counts.items() if n >= round_rules(rnd).min_sheets},
        cards=card_counts(rnd.id) if rnd.anonymous else None,
        organiser=organiser,
        actions=actions,
        error=error,
        min_sheets=round_rules(rnd).min_sheets,
        max_cards=MAX_CARDS_PER_PRINT,
        live=rnd.status == RoundStatus.OPEN,
        pairs=_checked_by(rnd),
    )


def _checked_by(rnd: Round) -> list[tuple[str, str]]:
    """互查 as the round page lists it: (inspected unit, the units checking it), by unit name."""
    by: dict[str, list[str]] = {}
    for pair in rnd.pairings:
        by.setdefault(pair.inspected_unit.name, []).append(pair.inspecting_unit.name)
    return [(unit, "、".join(sorted(names))) for unit, names in sorted(by.items())]


@bp.get("/<int:round_id>")
@roles_required(*SUPERVISORS)
def show(round_id: int) -> Response:
    return _detail(_viewable(round_id))


def _pairs_shown(rnd: Round | None, form: Any, posts: list[Post]) -> dict[int, set[int]]:
    """互查 as the form shows it: inspected unit → the units checking it. 按顺序轮换 fills a ring over the
    units of the ticked posts (A checks B, B checks C … the last checks A)."""
    if form is not None and form.get("ring"):
        chosen = set(form.getlist("post"))
        units = list(dict.fromkeys(p.unit_id for p in posts if str(p.id) in chosen))
        return {b: {a} for a, b in ring(units)}
    pairs = parse_pairs(form) if form is not None else None
    if pairs is None:
        pairs = tuple((p.inspecting_unit_id, p.inspected_unit_id) for p in (rnd.pairings if rnd else []))
    shown: dict[int, set[int]] = {}
    for a, b in pairs:
        shown.setdefault(b, set()).add(a)
    return shown


def _form_page(rnd: Round | None, errors: dict[str, str], status: int = 200) -> Response:
    form: Any = request.form if request.method == "POST" else None
    chosen = (
        set(form.getlist("post"))
        if form is not None
        else {str(e.post_id) for e in (rnd.entries if rnd else [])}
    )
    posts = eligible_posts(_actor())
    return render(
        "rounds/form.html",
        status=status,
        round=rnd,
        errors=errors,
        form=form,
        chosen=chosen,
        posts=posts,
        units=open_units(),
        inspected_units=list({p.unit_id: p.unit for p in posts}.values()),
        pairs=_pairs_shown(rnd, form, posts),
        kinds=values(RoundKind),
        modes=(RoundMode.SELF.value,) if current_user.role == Role.BRANCH_SECRETARY else values(RoundMode),
    )


def _refusal_errors(refused: RoundRefused) -> dict[str, str]:
    field = "pairs" if refused.code.startswith("pairing_") else "post"
    return {field: messages.refused(refused.code, refused.detail)}


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def new() -> Response:
    if request.method == "GET" or request.form.get("ring"):
        return _form_page(None, {})
    data, errors = parse_round(request.form)
    if data is None:
        return _form_page(None, errors, 422)
    try:
        round_id = create_round(_actor(), data)
    except RoundRefused as refused:
        return _form_page(None, _refusal_errors(refused), refused.status)
    flash(_("Round created as a draft. Check it, then open it."))
    return redirect(url_for("rounds.show", round_id=round_id), 303)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def edit(round_id: int) -> Response:
    rnd = _viewable(round_id)
    if not may_organise(_actor(), rnd.unit_id):
        abort(403)
    if request.method == "GET" or request.form.get("ring"):
        return _form_page(rnd, {})
    data, errors = parse_round(request.form)
    if data is None:
        return _form_page(rnd, errors, 422)
    try:
        edit_round(_actor(), round_id, data)
    except RoundRefused as refused:
        return _form_page(rnd, _refusal_errors(refused), refused.status)
    flash(_("Round saved."))
    return redirect(url_for("rounds.show", round_id=round_id), 303)


@bp.post("/<int:round_id>/step")
@roles_required(*SUPERVISORS)
def step(round_id: int) -> Response:
    rnd = _viewable(round_id)
    try:
        action = RoundAction(request.form.get("action", ""))
        stepped = step_round(_actor(), round_id, action)
    except ValueError:
        return _detail(rnd, 400, _("Unknown action."))
    except RoundRefused as refused:
        return _detail(_viewable(round_id), refused.status, messages.refused(refused.code, refused.detail))
    flash(messages.done(action))
    if stepped.unfinished:
        flash(messages.seal_unfinished())
    return redirect(url_for("rounds.show", round_id=round_id), 303)


@bp.post("/<int:round_id>/cards")
@roles_required(*SUPERVISORS)
def cards(round_id: int) -> Response:
    """Make N new cards and answer with their printable sheet: the only time their codes exist."""
    rnd = _viewable(round_id)
    count = parse_count(request.form.get("count", "").strip())
    try:
        if count is None:
            raise RoundRefused("card_count", 422)
        rnd, made = print_cards(_actor(), round_id, count, _key())
    except RoundRefused as refused:
        return _detail(_viewable(round_id), refused.status, messages.refused(refused.code, refused.detail))
    link = external_url("ballot.card")
    body = render_cards(
        [Card(serial, code, f"{link}#{round_id}-{code}") for serial, code in made],
        rnd.title,
        current_app.config["CJK_FONT"],
    )
    response = current_app.response_class(body, mimetype="application/pdf")
    first, last = made[0][0], made[-1][0]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="ballot-cards-{round_id}-{first}-{last}.pdf"'
    )
    response.cache_control.no_store = True
    return response


@bp.post("/<int:round_id>/void")
@roles_required(*SUPERVISORS)
def void(round_id: int) -> Response:
    """Void a spare or lost card by its printed number, or by its code when the card is in hand."""
    _viewable(round_id)
    serial = parse_count(request.form.get("serial", "").strip())
    try:
        voided = void_card(_actor(), round_id, _key(), serial, request.form.get("code", "").strip())
    except RoundRefused as refused:
        return _detail(_viewable(round_id), refused.status, messages.refused(refused.code, refused.detail))
    flash(_("Card no. %(n)d is void.", n=voided))
    return redirect(url_for("rounds.show", round_id=round_id), 303)
