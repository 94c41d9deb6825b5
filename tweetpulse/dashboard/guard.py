"""What the page's server takes from a browser: bounded requests, callback envelopes checked.

Dash answers a malformed callback request (not JSON, nested past Python's recursion limit, no
``output``, an unknown callback, inputs that aren't a list) with an HTTP 500 and a traceback in the
log, and Flask reads a request body of any size. :func:`guard_server` caps request bodies at
``max_body`` bytes (413 beyond) and checks every callback request's envelope before Dash sees it:
a bad one gets a 400 with a one-line JSON reason and one warning line in the log. The values
inside are the callbacks' to check (:mod:`tweetpulse.dashboard.callbacks`). A request for a
script or style sheet the page never offered (``/_dash-component-suites/...``) gets a short 404.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, request

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a tick's request is about 5 KB, a classify one at most a few KB
MAX_DEPTH = 8  # a callback request nests 4 deep (body, state list, item, the cursor's dict)
UPDATE_PATH = "/_dash-update-component"
SUITES_PATH = "_dash-component-suites/"


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` (parsed JSON) nests lists and objects more than ``limit`` deep (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _outputs_problem(outputs: Any, key: str) -> str | None:
    wanted = key.strip(".").count("...") + 1 if key.startswith("..") else 1
    items = outputs if isinstance(outputs, list) else [outputs]
    if (wanted > 1) != isinstance(outputs, list) or len(items) != wanted:
        return "the request's outputs are not those of its callback"
    if not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) and isinstance(i.get("property"), str) for i in items
    ):
        return "the request's outputs are not a list of component properties"
    return None


def envelope_problem(body: Any, callbacks: dict[str, Any]) -> str | None:
    """Why ``body`` is not a callback request for one of ``callbacks``, or None when it is one."""
    if too_deep(body):
        return f"the request nests more than {MAX_DEPTH} levels deep"
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
    if "outputs" not in body:
        return "the request has no outputs"
    problem = _outputs_problem(body["outputs"], output)
    if problem is not None:
        return problem
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "the request's changedPropIds are not a list of component properties"
    if len(changed) > len(callbacks[output]["inputs"]):
        return "the request's changedPropIds name more properties than its callback has inputs"
    return None


def _refuse(problem: str, status: int = 400) -> Response:
    log.warning("refused a page request from %s: %s", request.remote_addr, problem)
    return Response(json.dumps({"error": problem}), status=status, mimetype="application/json")


def _read_body() -> tuple[Any, str | None]:
    try:
        return request.get_json(silent=True), None  # raises 413 past MAX_CONTENT_LENGTH
    except RecursionError:
        return None, "the request nests too deep to read"


def _guard_suites(app: Dash) -> None:
    """Answer a bad ``/_dash-component-suites/`` path with a short 404 (Dash raises: a 500 and a traceback)."""
    server = app.server
    for rule in server.url_map.iter_rules():
        if SUITES_PATH in rule.rule:
            serve: Callable[..., Any] = server.view_functions[rule.endpoint]

            def checked(*args: Any, _serve: Callable[..., Any] = serve, **kwargs: Any) -> Any:
                try:
                    return _serve(*args, **kwargs)
                except (DependencyException, OSError, LookupError, ValueError):  # a path the page never offered
                    log.info("no such page resource: %s", request.path[:200])
                    return Response("no such resource\n", status=404, mimetype="text/plain")

            server.view_functions[rule.endpoint] = checked


def guard_server(app: Dash, max_body: int = MAX_BODY) -> None:
    """Cap ``app``'s request bodies and refuse malformed callback requests (see the module docs)."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = max_body
    _guard_suites(app)

    def check_callback_request() -> Response | None:
        if request.method != "POST" or not request.path.endswith(UPDATE_PATH):
            return None
        body, problem = _read_body()
        problem = problem or envelope_problem(body, app.callback_map)
        return None if problem is None else _refuse(problem)

    server.before_request(check_callback_request)
