"""季讲评 pages: the quarters' records, and one record: the quarter's ranking with a decision per post,
attendance and minutes, the self-checks behind; saved as a draft, closed once by the committee."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from inspect_app import clock
from inspect_app.audit import actor_of
from inspect_app.domain.completion import BEHIND
from inspect_app.domain.enums import Role
from inspect_app.domain.review import Decision, quarter_bounds, quarter_of
from inspect_app.domain.text import form_text
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import Notice, QuarterReview
from inspect_app.plans.completion import unit_months
from inspect_app.security import roles_required

from .annual import MAX_CHOSEN, AnnualRefused, annual_of, annual_weights, branch_results, choose, year_ranking
from .services import (
    REVIEWERS,
    ReviewRefused,
    all_reviews,
    close_review,
    load_review,
    notice_of,
    open_review,
    rows,
    save_review,
)

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
READERS = (Role.ADMIN, Role.COMMITTEE, Role.HR, Role.BRANCH_SECRETARY)
MAX_TEXT = 5000


def refused_message(code: str, detail: str = "") -> str:
    return {
        "forbidden": _("Only the Party committee, HR or the administrator run a quarterly review."),
        "committee_closes": _("Only the Party committee closes a quarterly review (it revokes honours)."),
        "closed": _("This review is closed; its record is kept as it was."),
        "held_on_needed": _("Give the date the review meeting was held."),
        "decision_missing": _("Decide for every rated post; missing: %(posts)s.", posts=detail),
        "revoke_refused": _(
            "%(post)s cannot be revoked now (it is no longer a listed model post).", post=detail
        ),
        "no_review": _("This review does not exist."),
        "no_quarter": _("Choose a quarter of a year between 2000 and 2999."),
        "invalid": _("Some entries need correcting."),
    }.get(code, _("The change could not be made."))


def decision_label(value: str) -> str:
    return {"keep": _("Keep"), "warn": _("Warn (预警)"), "revoke": _("Revoke the honour")}.get(value, value)


bp.add_app_template_global(decision_label, "decision_label")


@bp.get("/")
@roles_required(*READERS)
def index() -> Response:
    year, quarter = quarter_of(clock.today())
    return render("reviews/index.html", reviews=all_reviews(), year=year, quarter=quarter,
                  may_open=current_user.role in REVIEWERS)  # fmt: skip


@bp.post("/")
@roles_required(*REVIEWERS)
def start() -> Response:
    text = request.form.get("quarter", "")
    year, _sep, q = text.partition("-Q")
    if not (year.isascii() and year.isdigit() and q in ("1", "2", "3", "4") and len(year) == 4):
        flash(refused_message("no_quarter"))
        return redirect(url_for("reviews.index"), 303)
    try:
        review_id = open_review(actor_of(current_user), int(year), int(q))
    except ReviewRefused as refused:
        flash(refused_message(refused.code))
        return redirect(url_for("reviews.index"), 303)
    return redirect(url_for("reviews.show", review_id=review_id), 303)


def _page(review: QuarterReview, status: int = 200, errors: dict[str, str] | None = None) -> Response:
    first, last = quarter_bounds(review.year, review.quarter)
    own = {current_user.unit_id} if current_user.role == Role.BRANCH_SECRETARY else None
    months = [date(review.year, m, 1) for m in range(first.month, last.month + 1)]
    behind = [row for month in months for row in unit_months(month, own) if row.state in BEHIND]
    return render(
        "reviews/show.html",
        status=status,
        review=review,
        rows=rows(review),
        behind=behind,
        editable=review.status == "draft" and current_user.role in REVIEWERS,
        errors=errors or {},
        decisions=[d.value for d in Decision],
        form=request.form if status != 200 else None,
        may_close=current_user.role == Role.COMMITTEE,
        notice=notice_of(review.id),
    )


def _decisions(form: MultiDict[str, str]) -> dict[int, tuple[str, str]]:
    """decision-<post id> and reason-<post id> fields (other keys are ignored)."""
    found = {}
    for key, value in form.items():
        post = key.removeprefix("decision-")
        if key.startswith("decision-") and post.isascii() and post.isdigit() and len(post) < 12:
            found[int(post)] = (value, form_text(form.get(f"reason-{post}", ""))[0][:500])
    return found


@bp.get("/<int:review_id>")
@roles_required(*READERS)
def show(review_id: int) -> Response:
    try:
        return _page(load_review(review_id))
    except ReviewRefused:
        abort(404)


@bp.post("/<int:review_id>")
@roles_required(*REVIEWERS)
def save(review_id: int) -> Response:
    try:
        review = load_review(review_id)
    except ReviewRefused:
        abort(404)
    form = request.form
    held_text = form.get("held_on", "").strip()
    try:
        held_on = date.fromisoformat(held_text) if held_text else None
    except ValueError:
        return _page(review, 422, {"held_on": _("Dates are written as 2026-01-31.")})
    texts = {k: form_text(form.get(k, ""))[0].strip() for k in ("attendance", "minutes")}
    if any(len(v) > MAX_TEXT for v in texts.values()):
        return _page(review, 422, {"minutes": _("At most %(n)d characters.", n=MAX_TEXT)})
    decisions = _decisions(form)
    actor = actor_of(current_user)
    try:
        if form.get("close"):
            notice_id = close_review(
                actor, review_id, held_on, texts["attendance"], texts["minutes"], decisions, clock.today()
            )
            flash(
                _("Review closed: decisions applied and the quarter's notice drafted. Check it, publish it.")
            )
            return redirect(url_for("notices.show", notice_id=notice_id), 303)
        save_review(actor, review_id, held_on, texts["attendance"], texts["minutes"], decisions)
    except ReviewRefused as refused:
        errors = {f"post-{pid}": _("Give the reason.") for pid in refused.problems}
        errors["form"] = refused_message(refused.code, refused.detail)
        return _page(load_review(review_id), refused.status, errors)
    flash(_("Saved."))
    return redirect(url_for("reviews.show", review_id=review_id), 303)


# --- 年总评 ------------------------------------------------------------------------------------------


def annual_message(code: str) -> str:
    return {
        "committee_only": _("Only the Party committee names the excellent model posts."),
        "decision_needed": _("Write the committee's decision."),
        "choose_count": _("Choose between 1 and %(n)d posts.", n=MAX_CHOSEN),
        "chosen": _("This year's excellent model posts are already named."),
        "not_rated": _("Choose among the year's rated model posts."),
    }.get(code, _("The change could not be made."))


def _year_page(year: int, status: int = 200, error: str = "") -> Response:
    if not 2000 <= year <= 2999:
        abort(404)
    ranking = year_ranking(year)
    rated = [r for r in ranking if r.rank is not None]
    annual = annual_of(year)
    return render(
        "reviews/year.html", status=status, year=year, rated=rated[:30], annual=annual, error=error,
        branches=branch_results(year, clock.today(), ranking), weights=annual_weights(),
        may_choose=current_user.role == Role.COMMITTEE and annual is None,
        form=request.form if status != 200 else None,
        notice=db.session.scalar(select(Notice.id).where(Notice.annual_id == annual.id)) if annual else None,
    )  # fmt: skip


@bp.get("/year/<int:year>")
@roles_required(*READERS)
def year_view(year: int) -> Response:
    """年总评: the year's post and branch results; the committee names the 优秀党员示范岗."""
    return _year_page(year)


@bp.post("/year/<int:year>")
@roles_required(Role.COMMITTEE)
def year_choose(year: int) -> Response:
    if not 2000 <= year <= 2999:
        abort(404)
    decision = form_text(request.form.get("decision", ""))[0][:MAX_TEXT]
    raw = [v for v in request.form.getlist("post") if v.isascii() and v.isdigit() and len(v) < 12]
    try:
        notice_id = choose(actor_of(current_user), year, decision, [int(v) for v in raw], clock.today())
    except AnnualRefused as refused:
        return _year_page(year, refused.status, annual_message(refused.code))
    flash(_("The excellent model posts are named; the decision is drafted. Check it, publish it."))
    return redirect(url_for("notices.show", notice_id=notice_id), 303)
