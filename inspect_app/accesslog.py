"""Gunicorn's access log, minus what could tie an anonymous sheet or a miner's note to a person or a moment.

For requests to the ballot routes (``/b/…``) and miners' notes (``/p/<code>/feedback``) every atom is dropped
but the request line, the status and the worker, and the time is the day only: no address, agent, referrer,
header, response size or duration, whatever the configured format asks for (a missing atom prints ``-``).
Other requests are logged as configured. Use it with
``gunicorn --logger-class inspect_app.accesslog.AnonymousAwareLogger`` (README, *Deploying*).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from .security import SESSIONLESS_PREFIX

#: paths whose requests are anonymous by promise (ballot routes, miners' notes)
ANONYMOUS_PATH = re.compile(rf"^(/m/[^/]+)?({re.escape(SESSIONLESS_PREFIX)}|/p/[^/]+/feedback$)")
KEPT = ("r", "s", "m", "U", "q", "H", "l", "p")


class AnonymousAwareLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        # a group's mine: PATH_INFO lost its /m/<code> to SCRIPT_NAME (tenancy.MinePaths); both are checked
        path = (environ.get("SCRIPT_NAME") or "") + (environ.get("PATH_INFO") or "")
        if not ANONYMOUS_PATH.match(path) and not ANONYMOUS_PATH.match(environ.get("PATH_INFO") or ""):
            return atoms
        kept = {name: atoms[name] for name in KEPT}
        kept["u"] = "-"
        kept["t"] = time.strftime("[%d/%b/%Y]")  # the day, in the server's zone like gunicorn's other lines
        return kept
