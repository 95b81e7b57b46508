"""Error pages: every failure speaks the user's language and keeps its 4xx status; JSON for API callers."""

from __future__ import annotations

from typing import NoReturn

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.wrappers import Response


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You do not have permission to open this page."),
        404: _("This page does not exist. Check the code on the signboard."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with what is already recorded."),
        410: _("This is no longer available."),
        413: _("The upload is too large."),
        422: _("Some entries need correcting."),
        429: _("Too many requests. Please wait a minute and try again."),
    }


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(
    status: int, message: str | None = None, code: str | None = None
) -> tuple[Response | str, int]:
    message = message or _messages().get(status) or _("Something went wrong.")
    if wants_json():
        return jsonify(error=code or str(status), message=message), status
    answered = _answered(status)
    steps = next_steps(code, status)
    page = render_template(
        "error.html", status=status, message=message, code=code, answered=answered, steps=steps
    )
    return page, status


#: refusals after which the inspector goes on to the next post
_NEXT_POST = frozenset({"card_already_scored", "already_scored", "board_replaced", "post_not_in_round"})
#: refusals about a round that no longer takes sheets
_ROUND_OVER = frozenset({"round_sealed", "round_not_open", "round_closed"})


def next_steps(code: str | None, status: int) -> list[tuple[str, str]]:
    """Where to go after a refusal, most useful first: (url, words)."""
    from flask import url_for
    from flask_login import current_user

    home = (url_for("public.home"), _("Back to the start page"))
    if code in _NEXT_POST:
        return [(url_for("offline.scan"), _("Scan the next post")), (url_for("offline.outbox"), _("Outbox"))]
    if code in _ROUND_OVER:
        return [(url_for("offline.index"), _("Rounds open now")), home]
    if code == "csrf" or status == 400:
        steps = [home]
        if request.method == "POST":
            steps.insert(0, (request.path, _("Open the form again")))
        return steps
    if status in (401, 403) and current_user.is_authenticated:
        return [(url_for("desk.index"), _("My desk")), home]
    if status == 404:
        return [home, (url_for("offline.scan"), _("Scan"))]
    return [home]


def _answered(status: int) -> str | None:
    """The sheet a form POST was refused for for good (the phone's outbox then drops or marks it); none for
    answers that may change on retry (429, 5xx), and the body is not read after a 413."""
    if request.method != "POST" or status in (408, 413, 429) or status >= 500:
        return None
    return request.form.get("submission_id")


def refuse(status: int, message: str) -> NoReturn:
    """Stop the request with ``status`` and a message for the user (already translated)."""
    error = default_exceptions[status]()
    error.user_message = message  # type: ignore[attr-defined]
    raise error


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError) -> tuple[Response | str, int]:
        return error_response(
            400, _("The form expired or was sent from elsewhere. Reload it and try again."), "csrf"
        )

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> tuple[Response | str, int] | HTTPException:
        if e.code is None or e.code < 400:
            return e
        return error_response(e.code, getattr(e, "user_message", None), e.name.lower().replace(" ", "_"))
