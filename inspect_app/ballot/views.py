"""Anonymous scoring with a ballot card (无记名打分): the card page, the form and the submit route.

Every route here runs without a session: ``security.CardSessionInterface`` hands these paths an empty,
unwritable session whatever cookie the phone sends, so no login, remember cookie or CSRF token can tie a
sheet to a person. The card is the credential; it travels in the POST body only (never in a URL, so never in
an access log), and forms are guarded against other sites by checking the request's origin instead of a
session-bound CSRF token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from inspect_app.domain.ballots import normalise_card
from inspect_app.domain.codes import ALPHABET
from inspect_app.domain.scoring import Problem
from inspect_app.errors import error_response, refuse, wants_json
from inspect_app.extensions import csrf
from inspect_app.field.forms import parse_sheet, parse_submission_id, read_photos
from inspect_app.field.services import SubmitRefused, load_round_post, with_checklist_problems
from inspect_app.field.sheet_form import problems_json, sheet_context
from inspect_app.field.views import refusal_message
from inspect_app.htmx import render
from inspect_app.models import RoundPost
from inspect_app.queries import retired_code
from inspect_app.security import public, rate_limited

from .services import Stored, check_round_open, live_round_ids, names_of, submit_anonymous_sheet

bp = Blueprint("ballot", __name__, url_prefix="/b")
rate_limited(lambda: current_app.config["RATELIMIT_PUBLIC"])(bp)


def ballot_key() -> bytes:
    return str(current_app.config["BALLOT_KEY"]).encode()


def _same_origin() -> None:
    """Refuse a form posted from another site (the stand-in for CSRF tokens on these session-less routes)."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        refuse(403, _("This form was sent from another site."))
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        refuse(403, _("This form was sent from another site."))


@bp.get("/card")
@public
def card() -> Response:
    """Where a card's QR lands: the script keeps the card (from the link's #fragment) on this phone."""
    return render("ballot/card.html")


@bp.get("/rounds/live.json")
@public
def live_rounds() -> Response:
    """The anonymous rounds still taking sheets, the same for every phone: a phone that keeps a card or sheets
    of any other round forgets them (static/js/memory.js). The phone sends nothing but this request."""
    response = jsonify(live=live_round_ids())
    response.cache_control.no_store = True
    return response


def entry_of(round_id: int, code: str) -> RoundPost:
    try:
        entry = load_round_post(round_id, code, anonymous=True)
    except SubmitRefused as refusal:
        _refuse(refusal, code)
    return entry


def _entry_or_none(round_id: int, code: str) -> RoundPost | None:
    try:
        return load_round_post(round_id, code, anonymous=True)
    except SubmitRefused:
        return None


def _refuse(refusal: SubmitRefused, code: str) -> NoReturn:
    if refusal.code == "post_not_in_round" and retired_code(code) is not None:
        refusal = SubmitRefused(410, "board_replaced")
    refuse(refusal.status, refusal_message(refusal.code))


def form_page(
    entry: RoundPost,
    problems: Sequence[Problem] = (),
    card_error: str | None = None,
    status: int = 200,
    shared_items: str | None = None,
) -> Response:
    """The form; ``shared_items`` names where a phone keeps the checklist (a round download) instead of it."""
    return render(
        "ballot/form.html",
        entry=entry,
        card_error=card_error,
        card_alphabet=ALPHABET,
        shared_items=shared_items,
        **sheet_context(entry, problems),
        status=status,
    )


@bp.get("/<int:round_id>/<code>")
@public
def form(round_id: int, code: str) -> Response:
    return form_page(entry_of(round_id, code))


@bp.post("/<int:round_id>/<code>")
@public
@csrf.exempt
@rate_limited(
    lambda: current_app.config["RATELIMIT_CARD_GUESSES"], deduct_when=lambda r: r.status_code >= 400
)
def submit(round_id: int, code: str) -> Response | tuple[Response | str, int]:
    """Every refusal counts towards the guess limit; once sealed, one answer for all (see services)."""
    _same_origin()
    card = normalise_card(request.form.get("card", ""))
    try:
        check_round_open(round_id)
        submission_id = parse_submission_id(request.form.get("submission_id"))
        if submission_id is None or submission_id.version != 4:
            raise SubmitRefused(400, "bad_submission")
        entries, problems = parse_sheet(request.form)
        if problems or card is None:
            raise SubmitRefused(
                422, "invalid_sheet", with_checklist_problems(round_id, code, entries, problems, True)
            )
        photos = read_photos(request.files, current_app.config["MAX_PHOTOS_PER_SHEET"])
        stored = submit_anonymous_sheet(
            round_id, code, card, entries, ballot_key(), str(submission_id), photos
        )
    except SubmitRefused as refusal:
        return _refusal(round_id, code, refusal, card is None)
    return _stored(stored, round_id, code, str(submission_id))


def _stored(stored: Stored, round_id: int, code: str, submission_id: str) -> Response:
    """A "stored" answer and nothing about the sheet: every answer of a kind has the same size, whatever the
    sheet said (an access log records sizes)."""
    message = _("This sheet had already arrived; it is stored once.") if stored.replay else _("Sheet stored")
    if wants_json():
        return jsonify(result="stored", replay=stored.replay, message=message)
    round_title, post_name = names_of(round_id, code)
    return render(
        "ballot/done.html", round_title=round_title, post_name=post_name, message=message,
        received=submission_id,
    )  # fmt: skip


def card_message(code: str) -> str:
    return {
        "card_unknown": _("This ballot card is not valid for this round. Check the number on the card."),
        "card_voided": _("This ballot card has been voided. Ask the organiser for another card."),
        "card_already_scored": _("This card has already scored this post; a card scores each post once."),
        "card_format": _("The card number is wrong: check it against the card (18 letters and digits)."),
        "round_sealed": _(
            "This round is sealed (封箱) and takes no more sheets. Every sheet that arrived before sealing "
            "is counted."
        ),
    }.get(code, "")


def _refusal(round_id: int, code: str, refusal: SubmitRefused, bad_card: bool) -> tuple[Response | str, int]:
    """Input problems re-render the form with each message in place; anything else is an error answer."""
    message = card_message(refusal.code) or refusal_message(refusal.code)
    if not wants_json() and (
        refusal.code == "invalid_sheet" or refusal.code in ("card_unknown", "card_voided")
    ):
        card_error = card_message("card_format") if bad_card else card_message(refusal.code) or None
        status = refusal.status
        return form_page(entry_of(round_id, code), refusal.problems, card_error, status), status
    if refusal.status == 422 and bad_card:
        return error_response(422, card_message("card_format"), "card_format")
    if refusal.code == "invalid_sheet" and refusal.problems:
        return problems_json(_entry_or_none(round_id, code), refusal.problems, refusal.status)
    if refusal.code == "post_not_in_round" and retired_code(code) is not None:
        return error_response(410, refusal_message("board_replaced"), "board_replaced")
    return error_response(refusal.status, message, refusal.code)
