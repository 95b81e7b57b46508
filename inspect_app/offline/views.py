"""The phone as an app that works underground: service worker, manifest, 下载本轮, outbox and scanner pages.

A round is downloaded in one request (a *bundle*): every page the inspector may need below ground, rendered
here exactly as the live routes render them, with the headers they would carry. The phone's script puts each
page into the Cache Storage under its own URL, where the service worker finds it when there is no signal.
One request instead of two per post keeps a phone far below the public rate limit and compresses well.

Anonymous rounds are bundled under ``/b/`` (no session: the download is not tied to a login either).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from inspect_app import clock
from inspect_app.ballot import views as ballot_views
from inspect_app.domain.ballots import Signer
from inspect_app.errors import refuse
from inspect_app.field import views as field_views
from inspect_app.field.services import SubmitRefused, load_round_post
from inspect_app.field.sheet_form import items_fragment
from inspect_app.htmx import render
from inspect_app.models import RoundPost
from inspect_app.public.views import public_post, render_post_page
from inspect_app.security import CSP, public, rate_limited, roles_required

from . import shell
from .services import OfflineRound, another_units_self_check, offline_round, offline_rounds

bp = Blueprint("offline", __name__)
rate_limited(lambda: current_app.config["RATELIMIT_PUBLIC"])(bp)

THEME_COOKIE = "theme"
THEMES = ("default", "contrast")
#: headers a cached page is served with offline: the ones the live route would send
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@bp.app_context_processor
def _theme() -> dict[str, str]:
    chosen = request.cookies.get(THEME_COOKIE, "")
    # page_path: the URL a page rendered into a round download will be cached under (see _bundle)
    return {"theme": chosen if chosen in THEMES else "default", "page_path": g.get("page_path")}


def _no_store(response: Response) -> Response:
    response.cache_control.no_store = True
    return response


@bp.get("/sw.js")
@public
def service_worker() -> Response:
    body = render(
        "offline/sw.js", version=shell.version(), shell_urls=shell.urls(), offline_url=url_for(".unavailable")
    )
    body.mimetype = "text/javascript"
    body.headers["Service-Worker-Allowed"] = "/"
    body.cache_control.no_cache = True
    body.cache_control.max_age = 0
    return body


@bp.get("/manifest.webmanifest")
@public
def manifest() -> Response:
    icons = [
        {"src": url_for("static", filename=f"icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png",
         "purpose": "any maskable"}
        for n in (192, 512)
    ]  # fmt: skip
    data = {
        "name": _("Party-member model posts"),
        "short_name": _("Model posts"),
        "start_url": url_for("offline.index"),
        "scope": request.script_root + "/",  # a group's mine: its own pages only
        "display": "standalone",
        "background_color": "#101214",
        "theme_color": "#101214",
        "lang": "zh-CN",
        "icons": icons,
    }
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.cache_control.max_age = 3600
    return response


def _signer_or_none() -> Signer | None:
    if current_user.is_authenticated and current_user.role in field_views.SIGNERS:
        return field_views.signer()
    return None


@bp.get("/offline/")
@public
def index() -> Response:
    """下载本轮: the open rounds this phone may score, each with a download button (needs the script)."""
    signer = _signer_or_none()
    rounds = offline_rounds(signer, current_user.id if signer else None)
    return _no_store(render("offline/index.html", rounds=rounds))


@bp.get("/offline/session.json")
@public
def session_state() -> Response:
    """Who is logged in here, and a fresh CSRF token: the outbox asks before replaying a signed sheet."""
    user = current_user.id if current_user.is_authenticated else None
    return _no_store(jsonify(user=user, csrf_token=generate_csrf() if user else None))


@bp.get("/outbox")
@public
def outbox() -> Response:
    """待发送: drawn by static/js/outbox.js from the phone's own storage; the server never sees the list."""
    return render("offline/outbox.html")


@bp.get("/scan")
@public
def scan() -> Response:
    return render("offline/scan.html")


@bp.get("/offline/queued")
@public
def queued() -> Response:
    """What the service worker shows when a sheet could not be sent: it waits in the outbox."""
    return render("offline/queued.html")


@bp.get("/offline/unavailable")
@public
def unavailable() -> Response:
    """What the service worker shows for a page that was not downloaded, with no signal."""
    return render("offline/unavailable.html")


@bp.get("/theme")
@public
def theme() -> Response:
    """Switch the high-contrast theme without script (the script flips the same cookie in place)."""
    chosen = request.args.get("set", "")
    if chosen not in THEMES:
        refuse(400, _("Unknown theme."))
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or parts.scheme
        or parts.netloc
    ):
        target = url_for("public.home")
    response = redirect(target, 303)
    response.set_cookie(THEME_COOKIE, chosen, max_age=365 * 86400, samesite="Lax", httponly=False)
    return response


@bp.get("/b/rounds/<int:round_id>/bundle.json")
@public
def ballot_bundle(round_id: int) -> Response:
    """Every page of an anonymous round, for the phone to keep (no session on this path)."""
    rnd = offline_round(round_id, None, None)
    if rnd is None or not rnd.anonymous:
        refuse(404, _("This round cannot be downloaded: it is not open, or it has no posts to score."))
    return _bundle(
        rnd,
        lambda code: ballot_views.entry_of(rnd.id, code),
        lambda entry, part: ballot_views.form_page(entry, shared_items=part),
    )


@bp.get("/offline/rounds/<int:round_id>/bundle.json")
@roles_required(*field_views.SIGNERS)
def signed_bundle(round_id: int) -> Response:
    """Every page of a signed round this user may score (posts already signed are left out)."""
    signer = field_views.signer()
    if another_units_self_check(round_id, signer):
        refuse(403, _("A unit's self-check (自查) is signed only by that unit's own people."))
    rnd = offline_round(round_id, signer, current_user.id)
    if rnd is None or rnd.anonymous:
        refuse(404, _("This round cannot be downloaded: it is not open, or it has no posts to score."))

    return _bundle(
        rnd,
        lambda code: load_round_post(rnd.id, code, signer=signer),
        lambda entry, part: field_views.form_page(entry, shared_items=part),
        skip_scored=True,
    )


def _bundle(
    rnd: OfflineRound,
    load: Callable[[str], RoundPost],
    render_form: Callable[[RoundPost, str], Response],
    skip_scored: bool = False,
) -> Response:
    """Each post's public page and form; a form's checklist is kept once per standard (``parts``): the
    service worker puts it back into the form when it serves it offline (templates/offline/sw.js)."""
    pages: dict[str, str] = {}
    posts = []
    for post in rnd.posts:
        page_url = url_for("public.post", code=post.code)
        try:
            found, shown = public_post(post.code)
        except HTTPException:
            continue  # not shown to the public (any more)
        g.page_path = page_url
        pages[page_url] = _compact(render_post_page(found, shown))
        form_url = _form_url(rnd, post.code)
        if not (skip_scored and post.scored):
            g.page_path = form_url
            try:
                entry = load(post.code)
            except (SubmitRefused, HTTPException):
                continue  # left the round meanwhile
            part_url = PART_URL.format(round_id=rnd.id, version_id=entry.standard_version_id)
            if part_url not in pages:
                pages[part_url] = _compact_text(items_fragment(entry))
            pages[form_url] = _compact(render_form(entry, part_url))
        posts.append({"code": post.code, "name": post.name, "unit": post.unit, "page": page_url,
                      "form": form_url, "scored": post.scored})  # fmt: skip
    data = {
        "round": {"id": rnd.id, "title": rnd.title, "anonymous": rnd.anonymous},
        "made": clock.now().strftime("%Y-%m-%dT%H:%MZ"),
        "posts": posts,
        "headers": PAGE_HEADERS,
        "pages": pages,
    }
    return _json_gzipped(data)


#: where a round's checklist of one standard is kept on the phone (a cache key, never a route); the forms
#: downloaded with it name it in a ``<!--inspect-items:…-->`` comment where the checklist goes
PART_URL = "/offline/parts/{round_id}/{version_id}.html"


#: blanks between tags, and indentation: a newline renders the same (ASCII blanks only: CJK text keeps its
#: U+3000 indents; newlines stay, for ``white-space: pre-line`` text; forms are rendered empty here)
_BETWEEN_TAGS = re.compile(r">[ \t\r\n]+<")
_INDENT = re.compile(r"\n[ \t]+")


def _compact(page: Response) -> str:
    """A page as the phone keeps it: a round of 60 posts must stay within 1 MB of storage."""
    return _compact_text(page.get_data(as_text=True))


def _compact_text(html: str) -> str:
    return _INDENT.sub("\n", _BETWEEN_TAGS.sub(">\n<", html))


def _form_url(rnd: OfflineRound, code: str) -> str:
    if rnd.anonymous:
        return url_for("ballot.form", round_id=rnd.id, code=code)
    return url_for("field.form", round_id=rnd.id, code=code)


def _json_gzipped(data: dict[str, Any]) -> Response:
    """The bundle repeats the same markup per post: gzip takes it to a fraction (most servers here have no
    compressing proxy in front, so the app does it for this one large answer)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    response = current_app.response_class(body, mimetype="application/json")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(gzip.compress(body, 6))
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return _no_store(response)
