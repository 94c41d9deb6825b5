"""The page takes nothing on trust: callback inputs of any type, malformed requests, huge bodies.

A real DashboardServer on a free port, called over HTTP exactly as the browser's renderer calls it
(tests/support/dash_client.py). No request may make it answer 500 or put a traceback in the log;
the page binds 127.0.0.1 unless told otherwise, and another address warns.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from dash import Dash

from tests.support.dash_client import callback_body, post_callback
from tweetpulse.dashboard import DashboardServer, build_app
from tweetpulse.dashboard.guard import MAX_BODY
from tweetpulse.live.aggregates import Aggregator


@pytest.fixture
def page(caplog: pytest.LogCaptureFixture) -> Iterator[tuple[Dash, str]]:
    app = build_app(Aggregator())
    with caplog.at_level(logging.INFO), DashboardServer(app, "127.0.0.1", 0) as server:
        yield app, server.url
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, f"a request put a traceback in the log: {tracebacks[0].getMessage()}"


def classify(app: Dash, url: str, text: Any, followers: Any = "") -> requests.Response:
    return post_callback(url, callback_body(app, "classify-result", [1], [text, followers]))


def hint(response: requests.Response) -> str:
    assert response.status_code == 200, response.text[:300]
    found: str = json.loads(response.text)["response"]["classify-result"]["children"]["props"]["children"]
    return found


@pytest.mark.parametrize("text", [{"a": 1}, ["bitcoin"], 42, True, 1.5])
def test_a_classify_text_that_is_not_a_string_gets_a_hint(page: tuple[Dash, str], text: Any) -> None:
    app, url = page
    assert hint(classify(app, url, text)) == "The text must be a string of characters."


@pytest.mark.parametrize("followers", [{"a": 1}, [3], 10**400, "9" * 5000, "-1", "nan"])
def test_a_follower_count_of_any_form_gets_an_answer(page: tuple[Dash, str], followers: Any) -> None:
    app, url = page
    assert hint(classify(app, url, "bitcoin is great", followers)).startswith("Followers must be a whole number")


def test_a_good_classify_request_still_scores(page: tuple[Dash, str]) -> None:
    app, url = page
    response = classify(app, url, "bitcoin is great", "10")
    assert response.status_code == 200
    assert '"classify-label"' in response.text and "positive" in response.text


@pytest.mark.parametrize(
    ("mode", "cursor"),
    [
        (["x"], None),
        ({"m": 1}, [1, 2]),
        ("cumulative", "not a dict"),
        (7, {"t": "x", "seq": {"a": 1}, "rows": -3}),
        ("cumulative", {"epoch": None, "t": 10**30, "mode": ["x"], "v": "1"}),
    ],
)
def test_tick_inputs_of_any_type_get_a_full_answer(page: tuple[Dash, str], mode: Any, cursor: Any) -> None:
    app, url = page
    if isinstance(cursor, dict) and "t" in cursor:
        cursor["epoch"] = app.tweetpulse_model.epoch  # the browser's own page
    response = post_callback(url, callback_body(app, "trend", [1, mode], [cursor]))
    assert response.status_code == 200, response.text[:300]
    assert "cursor" in json.loads(response.text)["response"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "the request is not a JSON object"),
        (b"[1, 2]", "the request is not a JSON object"),
        (b"{}", "the request names no callback of this page"),
        (json.dumps({"output": "nope.children", "inputs": []}).encode(), "the request names no callback of this page"),
        (
            json.dumps({"output": "classify-result.children", "inputs": "x"}).encode(),
            "the request's inputs are not a list of component properties",
        ),
        (
            json.dumps({"output": "classify-result.children", "inputs": [], "state": []}).encode(),
            "the request has 0 inputs for a callback that takes 1",
        ),
    ],
)
def test_malformed_callback_requests_get_a_400_with_one_line(
    page: tuple[Dash, str], body: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    _app, url = page
    response = post_callback(url, body)
    assert response.status_code == 400
    assert response.json() == {"error": reason}
    assert [r.getMessage() for r in caplog.records if r.name == "tweetpulse.dashboard.guard"] == [
        f"refused a page request from 127.0.0.1: {reason}"
    ]


def test_request_bodies_are_capped(page: tuple[Dash, str]) -> None:
    app, url = page
    body = callback_body(app, "classify-result", [1], ["x" * MAX_BODY, ""])
    response = post_callback(url, json.dumps(body).encode())
    assert response.status_code == 413
    assert classify(app, url, "still serving").status_code == 200


def test_the_page_binds_loopback_unless_told(caplog: pytest.LogCaptureFixture) -> None:
    app = build_app(Aggregator())
    with caplog.at_level(logging.WARNING), DashboardServer(app, port=0) as server:
        assert server.host == "127.0.0.1"
        with socket.create_connection(("127.0.0.1", server.port), timeout=5):
            pass
    assert not [r for r in caplog.records if r.name == "tweetpulse.dashboard.server"]

    with caplog.at_level(logging.WARNING), DashboardServer(build_app(Aggregator()), "0.0.0.0", 0):
        pass
    warnings = [r.getMessage() for r in caplog.records if r.name == "tweetpulse.dashboard.server"]
    assert len(warnings) == 1 and "served on 0.0.0.0, beyond this machine" in warnings[0]


def test_deeply_nested_json_gets_a_400_and_one_line(page: tuple[Dash, str], caplog: pytest.LogCaptureFixture) -> None:
    """60 KB of nested JSON raised RecursionError in Flask's JSON reader: a 500 and a traceback."""
    _app, url = page
    response = post_callback(url, b"[" * 30_000 + b"]" * 30_000)
    assert response.status_code == 400
    assert response.json() == {"error": "the request nests too deep to read"}
    assert len([r for r in caplog.records if r.name == "tweetpulse.dashboard.guard"]) == 1


@pytest.mark.parametrize("path", ["nope/x.js", "dash/nope.v1m1.js", "dash/dash-renderer/build/nope.js", "os/path.py"])
def test_a_bad_component_suites_path_is_a_short_404(page: tuple[Dash, str], path: str) -> None:
    """Dash raised for a script the page never offered: a 500 and a 2.9 KB traceback per request."""
    _app, url = page
    response = requests.get(f"{url.rstrip('/')}/_dash-component-suites/{path}", timeout=10)
    assert response.status_code == 404
    assert len(response.content) < 100


def test_a_forged_row_count_costs_no_more_than_a_real_one(page: tuple[Dash, str]) -> None:
    """rows=2**53-1 in the cursor made each tick delete that many table rows: gigabytes in seconds."""
    app, url = page
    model = app.tweetpulse_model
    first = post_callback(url, callback_body(app, "trend", [1, "cumulative"], [None]))
    cursor = json.loads(first.text)["response"]["cursor"]["data"]
    model.aggregator.fold({"recent": [{"id": "n1", "text": "one more", "scored_at": 1.0}]})
    forged = post_callback(url, callback_body(app, "trend", [2, "cumulative"], [{**cursor, "rows": 2**53 - 1}]))
    assert forged.status_code == 200
    table = json.loads(forged.text)["response"]["latest"]["data"]
    assert len(json.dumps(table)) < 5_000
