"""The phone form an inspector fills at the workface, and where a stored sheet is confirmed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from flask import Blueprint, abort, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from inspect_app.domain.ballots import Signer, self_check_unit
from inspect_app.domain.enums import Role
from inspect_app.domain.rectification import Recheck
from inspect_app.domain.scoring import ItemEntry, Problem
from inspect_app.errors import error_response, wants_json
from inspect_app.htmx import render
from inspect_app.models import RoundPost
from inspect_app.queries import retired_code
from inspect_app.rectifications.services import Recheckers, awaiting_recheck
from inspect_app.security import roles_required

from .forms import parse_rechecks, parse_sheet, parse_submission_id, read_photos
from .services import (
    SubmitRefused,
    check_signer,
    existing_sheet_id,
    load_round_post,
    sheet_for,
    submit_signed_sheet,
    with_checklist_problems,
)
from .sheet_form import problems_json, sheet_context

bp = Blueprint("field", __name__, url_prefix="/field")


def refusal_message(code: str) -> str:
    return {
        "no_round": _("This inspection round does not exist."),
        "round_not_open": _("This inspection round has not started yet."),
        "round_closed": _("This inspection round is closed; sheets are no longer accepted."),
        "post_not_in_round": _("This post is not part of this inspection round."),
        "board_replaced": _("This signboard was replaced. Scan the QR code on the new board at the post."),
        "already_scored": _("You have already scored this post in this round."),
        "submission_reused": _("This form was already submitted by someone else. Reload it and try again."),
        "bad_submission": _("The form is damaged. Reload it and try again."),
        "invalid_sheet": _("Some entries need correcting."),
        "round_anonymous": _("This round is scored anonymously with ballot cards, not signed."),
        "round_signed": _("This round is signed by the assessors; ballot cards do not apply."),
        "not_own_unit": _("A unit's self-check (自查) is signed only by that unit's own people."),
        "not_assigned": _(
            "In this mutual check (互查) this post's unit is checked by the units assigned to it; your unit "
            "is not one of them."
        ),
        "not_assessor": _(
            "In a signed round only the assessor named in the post's five clarities, or the branch secretary "
            "of its unit, may score it."
        ),
    }.get(code, _("The sheet could not be stored."))


def form_page(
    entry: RoundPost, problems: Sequence[Problem] = (), status: int = 200, shared_items: str | None = None
) -> Response:
    """The form; ``shared_items`` names where a phone keeps the checklist (a round download) instead of it."""
    return render(
        "field/form.html",
        entry=entry,
        shared_items=shared_items,
        rechecks=awaiting_recheck(
            entry.post_id, Recheckers(signer(), self_check_unit(entry.round.mode, entry.round.unit_id))
        ),
        **sheet_context(entry, problems),
        status=status,
    )


def _refused(refusal: SubmitRefused, code: str) -> tuple[Response | str, int]:
    if refusal.code == "post_not_in_round" and retired_code(code) is not None:
        refusal = SubmitRefused(410, "board_replaced")
    return error_response(refusal.status, refusal_message(refusal.code), refusal.code)


#: who may sign sheets; each post then checks ``may_sign`` (its five clarities name the assessor or unit)
SIGNERS = (Role.INSPECTOR, Role.HR, Role.BRANCH_SECRETARY, Role.COMMITTEE)


def signer() -> Signer:
    user = current_user._get_current_object()  # one lookup behind the proxy, not four
    return Signer(Role(user.role), user.home_unit_id, user.display_name, user_id=user.id)


@bp.get("/<int:round_id>/<code>")
@roles_required(*SIGNERS)
def form(round_id: int, code: str) -> Response | tuple[Response | str, int]:
    try:
        entry = load_round_post(round_id, code, signer=signer())
    except SubmitRefused as refusal:
        return _refused(refusal, code)
    earlier = existing_sheet_id(round_id, entry.post_id, current_user.id)
    if earlier is not None:
        return redirect(url_for("field.done", sheet_id=earlier, again=1), 303)
    return form_page(entry)


@bp.post("/<int:round_id>/<code>")
@roles_required(*SIGNERS)
def submit(round_id: int, code: str) -> Response | tuple[Response | str, int]:
    try:
        submission_id, entries, rechecks = _read_sheet(round_id, code)
        photos = read_photos(request.files, current_app.config["MAX_PHOTOS_PER_SHEET"])
        sheet_id = submit_signed_sheet(
            round_id, code, signer(), current_user.id, submission_id, entries, photos, rechecks
        )
    except SubmitRefused as refusal:
        return _refusal_page(round_id, code, refusal)
    if wants_json():  # the phone's outbox replaying a sheet kept offline
        return jsonify(
            result="stored", sheet_id=sheet_id, url=url_for("field.done", sheet_id=sheet_id),
            message=_("Sheet stored"),
        )  # fmt: skip
    return redirect(url_for("field.done", sheet_id=sheet_id), 303)


def _read_sheet(round_id: int, code: str) -> tuple[uuid.UUID, list[ItemEntry], list[Recheck]]:
    """The posted sheet's fields. Who may sign comes before what was sent: a refusal of the fields, and any
    sheet with photos (costly to read), first checks the signer on a short read; a sheet that reads well
    is checked once, inside its write."""
    if request.files:
        check_signer(round_id, code, signer())
    submission_id = parse_submission_id(request.form.get("submission_id"))
    entries, problems = parse_sheet(request.form)
    rechecks, recheck_problems = parse_rechecks(request.form)
    if submission_id is not None and not problems and not recheck_problems:
        return submission_id, entries, rechecks
    check_signer(round_id, code, signer())
    if submission_id is None:
        raise SubmitRefused(400, "bad_submission")
    problems = with_checklist_problems(round_id, code, entries, problems)
    raise SubmitRefused(422, "invalid_sheet", [*problems, *recheck_problems])


def _refusal_page(round_id: int, code: str, refusal: SubmitRefused) -> Response | tuple[Response | str, int]:
    """Input problems re-render the form, each message next to its item; anything else is an error page."""
    if refusal.code == "invalid_sheet" and wants_json():
        try:
            entry = load_round_post(round_id, code, signer=signer())
        except SubmitRefused:
            entry = None
        return problems_json(entry, refusal.problems, refusal.status)
    if refusal.code == "invalid_sheet":
        try:
            return form_page(load_round_post(round_id, code, signer=signer()), refusal.problems, 422)
        except SubmitRefused as closed:  # the round closed or the post left it meanwhile
            refusal = closed
    return _refused(refusal, code)


@bp.get("/sheets/<int:sheet_id>")
@roles_required(*SIGNERS)
def done(sheet_id: int) -> Response:
    sheet = sheet_for(sheet_id, current_user.id)
    if sheet is None:
        abort(404)
    return render("field/done.html", sheet=sheet, again=bool(request.args.get("again")))
