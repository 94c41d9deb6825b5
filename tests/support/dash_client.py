"""Calling a live Dash page's callbacks over real HTTP, as the browser's renderer does.

:func:`callback_body` builds the JSON the renderer posts to ``/_dash-update-component`` for one
callback of an app (its outputs, inputs and state, by the ids in ``app.callback_map``), with the
values given; :func:`post_callback` sends it to a running server with ``requests``.
"""

from __future__ import annotations

from typing import Any

import requests
from dash import Dash

UPDATE_PATH = "_dash-update-component"


def _split_outputs(key: str) -> list[dict[str, str]]:
    """``"..a.x...b.y.."`` (several outputs) or ``"a.x"`` → ``[{"id": "a", "property": "x"}, ...]``."""
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def callback_key(app: Dash, output_prefix: str) -> str:
    """The ``callback_map`` key of the callback whose outputs start with ``output_prefix``."""
    keys = [k for k in app.callback_map if k.lstrip(".").startswith(output_prefix)]
    assert len(keys) == 1, f"{output_prefix!r} names {len(keys)} callbacks"
    return keys[0]


def callback_body(app: Dash, output_prefix: str, inputs: list[Any], state: list[Any]) -> dict[str, Any]:
    """The renderer's request body for that callback, with these input and state values."""
    return callback_body_for(app, callback_key(app, output_prefix), inputs, state)


def callback_body_for(app: Dash, key: str, inputs: list[Any], state: list[Any]) -> dict[str, Any]:
    """The renderer's request body for the callback ``key`` of ``app.callback_map``, with these values."""
    spec = app.callback_map[key]
    outputs = _split_outputs(key)
    ins = [{**item, "value": value} for item, value in zip(spec["inputs"], inputs, strict=True)]
    states = [{**item, "value": value} for item, value in zip(spec["state"], state, strict=True)]
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": ins,
        "state": states,
        "changedPropIds": [f"{ins[0]['id']}.{ins[0]['property']}"],
    }


def post_callback(url: str, body: dict[str, Any] | bytes, timeout: float = 10.0) -> requests.Response:
    """POST ``body`` (a dict as JSON, or raw bytes) to the page at ``url``'s callback endpoint."""
    target = url.rstrip("/") + "/" + UPDATE_PATH
    if isinstance(body, bytes):
        return requests.post(target, data=body, headers={"Content-Type": "application/json"}, timeout=timeout)
    return requests.post(target, json=body, timeout=timeout)
