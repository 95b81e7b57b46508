"""Live ranking of a round; the table refreshes itself (htmx polling) on a supervisor's phone.

Fairness: an inspector sees a round's results only once it is sealed, never while sheets are still coming.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from inspect_app import clock, tables
from inspect_app.audit import actor_of
from inspect_app.charts import bar_chart, pareto_chart
from inspect_app.domain.ballots import MIN_KEPT_SHEETS, anonymous_quorum, results_visible
from inspect_app.domain.enums import Role, RoundStatus
from inspect_app.domain.rollup import period_bounds
from inspect_app.errors import refuse
from inspect_app.evidence.services import may_see_unit
from inspect_app.extensions import db
from inspect_app.htmx import htmx_target, is_htmx, render
from inspect_app.i18n import grade_bounds, grade_label, warning_label
from inspect_app.models import Post, Round, StandardItem
from inspect_app.notices.services import picks
from inspect_app.queries import open_rounds, round_rules
from inspect_app.rectifications.services import overdue_by_post
from inspect_app.rounds.services import may_view
from inspect_app.security import ALL_ROLES, may_open, public, roles_required
from inspect_app.setup.services import mine_info

from .aggregate import deduction_rows
from .charts import item_losses, unit_means
from .period import period_ranking, period_rounds, rollup_weights, warn_below
from .services import ranking_fingerprint, round_ranking

bp = Blueprint("rankings", __name__, url_prefix="/rankings")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@roles_required(*ALL_ROLES)
def current() -> Response:
    """The newest open round's ranking."""
    rnd = db.session.scalars(open_rounds().limit(1)).first()
    if rnd is None or current_user.role == Role.INSPECTOR:
        return render("rankings/none.html")
    return redirect(url_for("rankings.show", round_id=rnd.id))


def _period() -> tuple[str, tuple[date, date]]:
    today = clock.today()
    chosen = request.args.get("period") or f"{today.year}-{today.month:02d}"
    bounds = period_bounds(chosen)
    if bounds is None:
        refuse(400, _("Write the period as 2026-11, 2026-Q4 or 2026."))
    return chosen, bounds


@bp.get("/<int:round_id>/deductions.<fmt>")
@roles_required(*ALL_ROLES)
def deductions(round_id: int, fmt: str) -> Response:
    """Where the round's points were lost, per post and checklist item (aggregates only), as XLSX or CSV."""
    rnd = _round_for_viewer(round_id)
    if fmt not in ("xlsx", "csv"):
        abort(404)
    if not results_visible(RoundStatus(rnd.status), rnd.anonymous):
        refuse(409, _("An anonymous round's results can be exported once it is sealed."))
    rows = sorted(deduction_rows(rnd), key=lambda r: (r[0], -r[3]))
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_({r[0] for r in rows})))}
    item_ids = {r[1] for r in rows}
    items = {i.id: i for i in db.session.scalars(select(StandardItem).where(StandardItem.id.in_(item_ids)))}
    headers = [_("Model post"), _("Unit"), _("Clause"), _("Category"), _("Sheets with deductions"),
               _("Points lost")]  # fmt: skip
    table = [
        [posts[p].name, posts[p].unit.name, items[i].clause, items[i].category, n, total]
        for p, i, n, total in rows
    ]
    return _spreadsheet(f"round-{rnd.id}-deductions", rnd.title, headers, table, fmt, (26, 12, 8, 16, 12, 10))


@bp.get("/period.<fmt>")
@roles_required(*ALL_ROLES)
def period_export(fmt: str) -> Response:
    """The period ranking as XLSX or CSV (Chinese headers)."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    chosen, bounds = _period()
    headers = [_("Rank"), _("Model post"), _("Unit"), _("Checks"), _("Result"), _("Grade"), _("Warning")]
    rows = [
        [r.rank, r.post.name, r.post.unit.name, r.rounds, r.score, grade_label(r.score) if r.score else "",
         warning_label(r.warning) if r.warning else ""]
        for r in period_ranking(*bounds, rollup_weights(), warn_below())
    ]  # fmt: skip
    return _spreadsheet(f"period-{chosen}", chosen, headers, rows, fmt, (6, 26, 12, 8, 8, 8, 24))


def _spreadsheet(
    name: str,
    title: str,
    headers: list[str],
    rows: Sequence[Sequence[object]],
    fmt: str,
    widths: tuple[int, ...],
) -> Response:
    if fmt == "xlsx":
        mine = mine_info()
        body, mimetype = tables.to_xlsx(title, headers, rows, widths, mine.name if mine else ""), XLSX
    else:
        body, mimetype = tables.to_csv(headers, rows), "text/csv"
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.get("/period")
@roles_required(*ALL_ROLES)
def period() -> Response:
    """Month (2026-11), quarter (2026-Q4) or year (2026) ranking of sealed rounds; this month by default."""
    today = clock.today()
    chosen, bounds = _period()
    weights = rollup_weights()
    choices = (
        (f"{today.year}-{today.month:02d}", _("This month")),
        (f"{today.year}-Q{(today.month - 1) // 3 + 1}", _("This quarter")),
        (str(today.year), _("This year")),
    )
    rows = period_ranking(*bounds, weights, warn_below())
    return render(
        "rankings/period.html",
        rows=rows,
        charts=_charts(((r.post.unit.name, r.score) for r in rows if r.rank), period_rounds(*bounds)),
        chosen=chosen,
        bounds=bounds,
        choices=choices,
        weights=weights,
    )


@bp.get("/rules")
@public
def rules() -> Response:
    """评分办法: how a sheet is scored and a round ranked, so anyone can redo a ranking by hand."""
    return render(
        "rankings/rules.html",
        min_sheets=anonymous_quorum(trim=True),
        untrimmed=anonymous_quorum(trim=False),
        kept=MIN_KEPT_SHEETS,
        grades=grade_bounds(),
        warn=warn_below(),
        annual={k: Decimal(str(v)) for k, v in current_app.config["ANNUAL_WEIGHTS"].items()},
    )


def _round_for_viewer(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        abort(404)
    if current_user.role == Role.INSPECTOR and rnd.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
        refuse(403, _("Results are shown to inspectors once the round is sealed."))
    if current_user.role == Role.BRANCH_SECRETARY and not may_view(actor_of(current_user), rnd):
        refuse(403, _("This is another unit's self-check; its results are for that unit and the committee."))
    return rnd


@bp.get("/<int:round_id>/results.<fmt>")
@roles_required(*ALL_ROLES)
def export(round_id: int, fmt: str) -> Response:
    """The round's results as XLSX or CSV (Chinese headers), once they may be seen."""
    rnd = _round_for_viewer(round_id)
    if fmt not in ("xlsx", "csv"):
        abort(404)
    if not results_visible(RoundStatus(rnd.status), rnd.anonymous):
        refuse(409, _("An anonymous round's results can be exported once it is sealed."))
    headers = [_("Rank"), _("Model post"), _("Unit"), _("Sheets"), _("Result"), _("Grade")]
    rows = [
        [r.rank, r.post.name, r.post.unit.name, r.sheets, r.score, grade_label(r.score) if r.score else ""]
        for r in round_ranking(rnd)
    ]
    return _spreadsheet(f"round-{rnd.id}-results", rnd.title, headers, rows, fmt, (6, 26, 12, 8, 8, 8))


def _charts(scored: Iterable[tuple[str, Decimal | None]], rounds: Sequence[Round]) -> dict[str, Markup]:
    """Units compared and the deduction Pareto of ``rounds`` (empty charts are left out)."""
    units = unit_means(scored)
    charts = {
        "units": bar_chart(units, _("Mean score per unit: %(values)s", values="；".join(
            f"{name} {value:.2f}" for name, value in units))) if len(units) > 1 else Markup(""),
        "pareto": pareto_chart(item_losses(rounds), _("Items that cost most points"), _("cum. {p}%")),
    }  # fmt: skip
    return {name: chart for name, chart in charts.items() if chart}


def _criticised(rnd: Round) -> set[int]:
    """The posts the round's notice criticises (择差批评), to be marked for raising their rectifications."""
    return {row.post.id for row in picks(rnd)[1]}


def _evidence_for(rnd: Round) -> set[int]:
    """The round's posts whose pooled evidence this user may open (their unit's, for a branch secretary)."""
    actor = actor_of(current_user)
    return {e.post_id for e in rnd.entries if may_see_unit(actor, e.post.unit_id)}


#: the part of the ranking page an htmx request asks for (HX-Target), and its block in the template
PARTS = {"ranking": "ranking_table", "charts-box": "charts"}


@bp.get("/<int:round_id>")
@roles_required(*ALL_ROLES)
def show(round_id: int) -> Response:
    """The ranking; a phone polling it every 10 s gets 304 Not Modified until a sheet arrives. A changed table
    comes with the event ``ranking-changed`` (HX-Trigger), on which the page fetches its charts again."""
    rnd = _round_for_viewer(round_id)
    status = RoundStatus(rnd.status)
    visible = results_visible(status, rnd.anonymous)
    overdue = overdue_by_post(clock.today())
    part = PARTS.get(htmx_target() or "", "ranking_table") if is_htmx() else None
    parts = (
        ranking_fingerprint(rnd, visible),
        part,
        request.args.get("criticised", ""),
        get_locale(),
        current_user.role,
        current_user.unit_id,
        sorted(overdue.items()),
    )
    etag = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        rows = round_ranking(rnd)
        response = render(
            "rankings/show.html",
            part,
            trigger="ranking-changed" if part == "ranking_table" else None,
            round=rnd,
            rows=rows,
            visible=visible,
            min_sheets=round_rules(rnd).min_sheets,
            live=status == RoundStatus.OPEN,
            overdue=overdue,
            may_raise=may_open("rectifications.new") and (not rnd.anonymous or status != RoundStatus.OPEN),
            evidence_for=_evidence_for(rnd),
            now=clock.now(),
            criticised=_criticised(rnd) if visible and request.args.get("criticised") else set(),
            charts=None
            if part == "ranking_table" or not visible
            else _charts(((r.post.unit.name, r.score) for r in rows if r.rank), [rnd]),
        )
    response.set_etag(etag)
    response.cache_control.private = True  # kept by this browser only, and asked again every poll (304)
    response.cache_control.no_cache = True
    response.vary.add("HX-Request")
    response.cache_control.private = True
    response.cache_control.no_cache = True  # always ask; the answer is usually a 304
    return response
