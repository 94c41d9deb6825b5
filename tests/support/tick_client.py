"""The page's tick callback called through Dash's real HTTP dispatch (Flask's test client), keeping the
cursor like a browser, and a clock moved by hand: for the page's tests and the tick benchmark."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from dash import Dash


class FakeClock:
    """A clock the benchmark (and tests) move by hand."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


@dataclass
class TickCall:
    outputs: dict[str, Any]
    payload_bytes: int
    seconds: float


class TickClient:
    """Calls an app's tick callback through Dash's HTTP dispatch, keeping the cursor like a browser."""

    def __init__(self, app: Dash, mode: str = "cumulative") -> None:
        self.app = app
        self.client = app.server.test_client()
        self.key = next(k for k in app.callback_map if "cursor.data" in k)
        entry = app.callback_map[self.key]
        self.outputs = [{"id": o.component_id, "property": o.component_property} for o in entry["output"]]
        self.mode = mode
        self.cursor: Any = None
        self.n = 0

    def body(self) -> dict[str, Any]:
        return {
            "output": self.key,
            "outputs": self.outputs,
            "inputs": [
                {"id": "tick", "property": "n_intervals", "value": self.n},
                {"id": "trend-mode", "property": "value", "value": self.mode},
            ],
            "state": [{"id": "cursor", "property": "data", "value": self.cursor}],
            "changedPropIds": ["tick.n_intervals"],
        }

    def tick(self) -> TickCall:
        body = json.dumps(self.body())
        start = time.perf_counter()
        response = self.client.post("/_dash-update-component", data=body, content_type="application/json")
        data = response.get_data()
        elapsed = time.perf_counter() - start
        self.n += 1
        if response.status_code == 204:  # every output unchanged
            return TickCall({}, 0, elapsed)
        if response.status_code != 200:
            raise RuntimeError(f"tick failed with HTTP {response.status_code}: {data[:500]!r}")
        outputs = json.loads(data)["response"]
        cursor = outputs.get("cursor", {}).get("data")
        if cursor is not None:
            self.cursor = cursor
        return TickCall(outputs, len(data), elapsed)
