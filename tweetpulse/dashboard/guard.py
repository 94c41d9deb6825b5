"""What the page's server takes from a browser: bounded requests, callback envelopes checked.

Dash answers a malformed callback request (not JSON, no ``output``, an unknown callback, inputs
that aren't a list) with an HTTP 500 and a traceback in the log, and Flask reads a request body of
any size. :func:`guard_server` caps request bodies at ``max_body`` bytes (413 beyond) and checks
every callback request's envelope before Dash sees it: a bad one gets a 400 with a one-line JSON
reason and one warning line in the log. The values inside are the callbacks' to check
(:mod:`tweetpulse.dashboard.callbacks`).
"""

from __future__ import annotations

import logging
from typing import Any

from dash import Dash
from flask import Response, request

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a tick's request is about 5 KB, a classify one at most a few KB
UPDATE_PATH = "/_dash-update-component"


def envelope_problem(body: Any, callbacks: dict[str, Any]) -> str | None:
    """Why ``body`` is not a callback request for one of ``callbacks``, or None when it is one."""
    if not isinstance(body, dict):
        return "the request is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return "the request names no callback of this page"
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i and "property" in i for i in items):
            return f"the request's {part} are not a list of component properties"
        if len(items) != len(callbacks[output].get(part, ())):
            return f"the request has {len(items)} {part} for a callback that takes {len(callbacks[output][part])}"
    if not isinstance(body.get("changedPropIds", []), list):
        return "the request's changedPropIds are not a list"
    return None


def guard_server(app: Dash, max_body: int = MAX_BODY) -> None:
    """Cap ``app``'s request bodies and refuse malformed callback requests (see the module docs)."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = max_body

    def check_callback_request() -> Response | None:
        if request.method != "POST" or not request.path.endswith(UPDATE_PATH):
            return None
        body = request.get_json(silent=True)  # raises 413 past MAX_CONTENT_LENGTH
        problem = envelope_problem(body, app.callback_map)
        if problem is None:
            return None
        log.warning("refused a page request from %s: %s", request.remote_addr, problem)
        return Response(f'{{"error": "{problem}"}}', status=400, mimetype="application/json")

    server.before_request(check_callback_request)
