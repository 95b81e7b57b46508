"""htmx glue, two libraries each doing its own part.

* **htmx-flask** reads the request (``request.htmx``: typed HX-* request headers) and writes HX-* response
  headers (``make_response(..., trigger=…, redirect=…, push_url=…)``).
* **jinja2-fragments** renders one named block of a page template: an htmx request gets the block it swaps,
  any other request gets the whole page from the same template.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, render_template
from htmx_flask import Htmx, make_response, request
from jinja2_fragments.flask import render_block

__all__ = ["htmx_target", "init_app", "is_htmx", "make_response", "render"]


def init_app(app: Flask) -> None:
    Htmx(app)  # the request class gains ``request.htmx``


def is_htmx() -> bool:
    """An htmx request, but not a history restore (that one needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def htmx_target() -> str | None:
    """The id of the element an htmx request will swap (HX-Target), to answer with that part only."""
    return request.htmx.target if request.htmx else None


def render(
    template: str,
    block: str | None = None,
    status: int = 200,
    trigger: str | None = None,
    push_url: str | None = None,
    **context: Any,
) -> Response:
    """Render ``block`` of ``template`` for htmx requests, the whole template otherwise. For htmx only:
    ``trigger`` names a client event (HX-Trigger) fired once the answer is swapped in; ``push_url`` is the
    address the browser's history gets for it (HX-Push-Url), so back and reload return to what is shown."""
    if block and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    htmx = is_htmx()
    response: Response = make_response(
        body, status, trigger=trigger if htmx else None, push_url=push_url if htmx else None
    )
    response.vary.add("HX-Request")
    return response
