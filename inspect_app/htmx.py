"""htmx glue: a request from htmx gets the named block of the page template, any other gets the page."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """An htmx request, but not a history restore (that one needs the whole page)."""
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def render(template: str, block: str | None = None, status: int = 200, **context: Any) -> Response:
    """Render ``block`` of ``template`` for htmx requests, the whole template otherwise."""
    if block and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
