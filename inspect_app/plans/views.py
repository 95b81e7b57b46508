"""检查计划 for the Party committee, HR and the administrator: the plan's lines, add one, change one from a
date on, stop one. The rounds themselves are made by ``flask run-plans`` (daily)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from inspect_app import clock
from inspect_app.audit import actor_of
from inspect_app.domain.completion import BEHIND, parse_month, previous_month
from inspect_app.domain.enums import Role, RoundMode, values
from inspect_app.domain.plans import PLANNED_KINDS, SCOPES, WEEKDAYS
from inspect_app.extensions import db
from inspect_app.htmx import render
from inspect_app.models import RoundPlan
from inspect_app.rounds.forms import parse_count
from inspect_app.security import SUPERVISORS, roles_required

from . import messages
from .completion import unit_months, year_summary
from .services import PlanInput, PlanRefused, add_plan, all_plans, change_plan, stop_plan

bp = Blueprint("plans", __name__, url_prefix="/plans")
bp.add_app_template_global(messages.scope_label, "scope_label")
bp.add_app_template_global(messages.self_check_label, "self_check_label")
PLANNERS = (Role.ADMIN, Role.COMMITTEE, Role.HR)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_plan(form: MultiDict[str, str]) -> tuple[PlanInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    kind, mode, scope = form.get("kind", ""), form.get("mode", ""), form.get("scope", "")
    if kind not in [k.value for k in PLANNED_KINDS]:
        errors["kind"] = messages.problem("kind")
    if mode not in values(RoundMode):
        errors["mode"] = _("Choose self-check, mutual or joint check.")
    weekday = parse_count(form.get("weekday", "0") or "0")
    if weekday is None or weekday > 6:
        errors["weekday"] = messages.problem("weekday")
    min_sheets = parse_count(form.get("min_sheets", "3").strip() or "3")
    if min_sheets is None or not 1 <= min_sheets <= 50:
        errors["min_sheets"] = _("Between 1 and %(n)d sheets.", n=50)
    valid_from, to_text = _date(form.get("valid_from", "")), form.get("valid_to", "").strip()
    valid_to = _date(to_text) if to_text else None
    if valid_from is None:
        errors["valid_from"] = _("Dates are written as 2026-01-31.")
    if to_text and valid_to is None:
        errors["valid_to"] = _("Dates are written as 2026-01-31.")
    if errors or valid_from is None:
        return None, errors
    data = PlanInput(
        kind=kind, mode=mode, anonymous=form.get("anonymous") == "1", scope=scope, weekday=weekday or 0,
        min_sheets=min_sheets or 3, trim=form.get("trim") == "1", rotate=form.get("rotate") == "1",
        valid_from=valid_from, valid_to=valid_to,
    )  # fmt: skip
    return data, {}


def _form(plan: RoundPlan | None, errors: dict[str, str], status: int = 200) -> Response:
    form: Any = request.form if request.method == "POST" else None
    return render(
        "plans/form.html", status=status, plan=plan, errors=errors, form=form, kinds=PLANNED_KINDS,
        modes=values(RoundMode), scopes=SCOPES, weekdays=WEEKDAYS, today=clock.today(),
    )  # fmt: skip


def _save(plan: RoundPlan | None) -> Response:
    data, errors = parse_plan(request.form)
    if data is None:
        return _form(plan, errors, 422)
    try:
        if plan is None:
            add_plan(actor_of(current_user), data)
        else:
            change_plan(actor_of(current_user), plan.id, data)
    except PlanRefused as refused:
        found = {k: messages.problem(code) for k, code in refused.problems.items()}
        return _form(plan, found or {"form": messages.problem(refused.code)}, refused.status)
    flash(_("Plan saved. Its rounds are made and opened on their day by the daily run."))
    return redirect(url_for("plans.index"), 303)


@bp.get("/")
@roles_required(*PLANNERS)
def index() -> Response:
    today = clock.today()
    plans = all_plans()
    current = [p for p in plans if p.valid_to is None or p.valid_to >= today]
    return render("plans/index.html", current=current, ended=[p for p in plans if p not in current],
                  weekdays=WEEKDAYS, today=today)  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def new() -> Response:
    return _form(None, {}) if request.method == "GET" else _save(None)


@bp.route("/<int:plan_id>", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def change(plan_id: int) -> Response:
    plan = db.session.get(RoundPlan, plan_id)
    if plan is None:
        abort(404)
    return _form(plan, {}) if request.method == "GET" else _save(plan)


@bp.post("/<int:plan_id>/stop")
@roles_required(*PLANNERS)
def stop(plan_id: int) -> Response:
    last_day = _date(request.form.get("last_day", ""))
    if last_day is None:
        flash(_("Dates are written as 2026-01-31."))
        return redirect(url_for("plans.change", plan_id=plan_id), 303)
    try:
        stop_plan(actor_of(current_user), plan_id, last_day)
    except PlanRefused as refused:
        if refused.status == 404:
            abort(404)
        flash(messages.problem(refused.code))
        return redirect(url_for("plans.change", plan_id=plan_id), 303)
    flash(_("No round of this line opens after %(day)s.", day=last_day.isoformat()))
    return redirect(url_for("plans.index"), 303)


@bp.get("/self-checks")
@roles_required(*SUPERVISORS)
def self_checks() -> Response:
    """自查完成情况 of a month (?month=2026-11, default this month) and the year so far; a branch secretary
    sees their own unit."""
    today = clock.today()
    month = parse_month(request.args.get("month", "")) or today.replace(day=1)
    own = {current_user.unit_id} if current_user.role == Role.BRANCH_SECRETARY else None
    return render(
        "plans/self_checks.html", month=month, rows=unit_months(month, own),
        year=year_summary(month.year, today, own), before=previous_month(month),
        after=(month + timedelta(days=31)).replace(day=1), today=today, behind=BEHIND,
    )  # fmt: skip
