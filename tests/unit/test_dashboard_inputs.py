"""Every value a page callback takes from a browser (inputs and state) is hostile until bounded.

The regression tests drive :func:`tick` directly; the fuzz tests replay every callback registered on
both pages (the listener's, with workers and lag, and the standalone store page) through Dash's own
request handling (Flask's test client) with hostile inputs, state and envelopes, and check that no
answer is an error other than a clean 400, and that no answer is bigger than a fresh page's: the
work a request makes is bounded by the page's windows, never by what the browser says.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dash import Dash, Patch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.tick import FakeClock
from tests.support.dash_client import callback_body_for
from tests.support.stores import scored_tweet
from tweetpulse.dashboard.app import build_app, stop_app
from tweetpulse.dashboard.callbacks import PageModel, clean_cursor, tick
from tweetpulse.dashboard.guard import MAX_DEPTH
from tweetpulse.dashboard.standalone import StoreFollower, store_groups
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.live.delta import DeltaBuilder
from tweetpulse.stores.sqlite import SqliteStore as Store

GROUPS = ["overall", "bitcoin", "ethereum", "dogecoin"]
T0 = 1_700_000_000
JS_INT_MAX = 2**53 - 1


def filled_aggregator(until: float, tweets: int = 40) -> Aggregator:
    agg = Aggregator()
    for i in range(tweets):
        b = DeltaBuilder(worker=0)
        second = int(until) - 30 + i % 20
        b.add(second, ["bitcoin"], 1.0, 0.5, "positive")
        b.add_recent({"id": f"t{i}", "text": f"tweet {i}", "author": "a", "followers": i, "scored_at": second})
        b.add_author(f"a{i % 7}", 10 * i, 1.0)
        b.count(consumed=1, stored=1)
        agg.fold(b.take() or {})
    return agg


def operations(patch: Any) -> int:
    return len(patch.to_plotly_json()["operations"]) if isinstance(patch, Patch) else 0


# -- the cursor: regression tests -----------------------------------------------------------------
def test_a_huge_row_count_in_the_cursor_costs_no_more_than_a_real_one() -> None:
    """``rows`` made ``_table_update`` delete ``rows - 12`` times: 2**53-1 filled the server's memory."""
    clock = FakeClock(T0)
    agg = filled_aggregator(T0)
    model = PageModel(aggregator=agg, groups=GROUPS, clock=clock)
    cursor = tick(model, "cumulative", None)["cursor.data"]
    agg.fold({"recent": [{"id": "new", "text": "one more", "scored_at": T0}]})
    honest = tick(model, "cumulative", dict(cursor))["latest.data"]
    hostile = tick(model, "cumulative", {**cursor, "rows": 10**6})["latest.data"]
    assert operations(honest) == 2  # one row on top, the oldest out
    assert operations(hostile) <= 2 * model.table_rows  # was 10**6 - 11


@pytest.mark.parametrize(
    ("field", "value"),
    [("rows", 13), ("rows", JS_INT_MAX), ("seq", JS_INT_MAX), ("t", T0 + 10**6), ("mode", "x" * 5000), ("epoch", "e")],
)
def test_cursor_values_the_server_never_sent_are_dropped(field: str, value: Any) -> None:
    model = PageModel(aggregator=filled_aggregator(T0), groups=GROUPS, clock=FakeClock(T0))
    cursor = tick(model, "cumulative", None)["cursor.data"]
    assert clean_cursor(cursor, model, T0) == cursor
    assert field not in clean_cursor({**cursor, field: value}, model, T0)


def test_a_cursor_from_the_future_redraws_the_window_instead_of_freezing_it() -> None:
    clock = FakeClock(T0)
    model = PageModel(aggregator=filled_aggregator(T0), groups=GROUPS, clock=clock)
    cursor = tick(model, "cumulative", None)["cursor.data"]
    result = tick(model, "cumulative", {**cursor, "t": T0 + 10**6})
    assert isinstance(result["trend.figure"], Patch)
    assert result["cursor.data"]["t"] == T0 - model.settle


# -- empty charts: a window around now, not the year 2000 ------------------------------------------
def xaxis_ops(patch: Any) -> dict[str, Any]:
    ops = patch.to_plotly_json()["operations"]
    return {op["location"][-1]: op["params"]["value"] for op in ops if op["location"][:2] == ["layout", "xaxis"]}


def test_empty_charts_show_an_empty_window_around_now() -> None:
    clock = FakeClock(T0)
    agg = Aggregator()
    model = PageModel(aggregator=agg, groups=GROUPS, clock=clock, max_points=600)
    first = tick(model, "cumulative", None)
    until = T0 - model.settle
    for chart in ("trend.figure", "rate.figure"):
        axis = xaxis_ops(first[chart])
        assert axis == {"range": [(until - 600) * 1000, until * 1000], "autorange": False}, chart

    # still empty a minute later: the window moves with now
    clock.advance(60)
    later = tick(model, "cumulative", first["cursor.data"])
    assert xaxis_ops(later["trend.figure"])["range"] == [(until + 60 - 600) * 1000, (until + 60) * 1000]

    # the first tweets: the charts are redrawn once with their points, then only extended
    b = DeltaBuilder(worker=0)
    b.add(until + 59, ["bitcoin"], 1.0, 0.5, "positive")
    agg.fold(b.take() or {})
    clock.advance(1)
    drawn = tick(model, "cumulative", later["cursor.data"])
    assert xaxis_ops(drawn["trend.figure"]) == {"autorange": True}
    assert xaxis_ops(drawn["rate.figure"]) == {"autorange": True}
    clock.advance(1)
    extended = tick(model, "cumulative", drawn["cursor.data"])
    assert not isinstance(extended["trend.figure"], Patch) and extended["trend.extendData"][0]["x"]


def test_the_status_line_says_what_holds_the_data_back() -> None:
    clock = FakeClock(T0)
    notice: list[str | None] = ["new tweets wait for transaction of pid 42 to end"]
    model = PageModel(aggregator=filled_aggregator(T0), groups=GROUPS, clock=clock, notice=lambda: notice[0])
    result = tick(model, "cumulative", None)
    assert result["status.className"] == "tp-status stale"
    assert result["status-text.children"].startswith("new tweets wait for transaction of pid 42 to end · ")
    notice[0] = None
    assert tick(model, "cumulative", result["cursor.data"])["status-text.children"].startswith("no new tweets for ")


# -- fuzz: every callback of both pages, over Dash's own request handling ---------------------------
@pytest.fixture(scope="module")
def listener_page() -> Iterator[Dash]:
    now = time.time()
    probe = {"workers_alive": 2, "workers": 2, "lag": {0: 3, 1: 0}}
    app = build_app(filled_aggregator(now), health=lambda: probe, show_workers=True)
    yield app
    stop_app(app)


@pytest.fixture(scope="module")
def store_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dash]:
    path = tmp_path_factory.mktemp("page") / "t.db"
    now = time.time()
    with Store(path) as store:
        store.insert([scored_tweet(i, now - i, ["bitcoin"] if i % 2 else ["ethereum"]) for i in range(60)])
    follower = StoreFollower(path, Aggregator(window_seconds=600))
    follower.backfill()
    app = build_app(
        follower.aggregator,
        store_groups(follower.aggregator),
        max_points=600,
        show_workers=False,
        settle=3,
        notice=lambda: follower.notice,
    )
    yield app
    follower.stop()


def post(app: Dash, body: bytes) -> tuple[int, bytes]:
    response = app.server.test_client().post(
        "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}
    )
    return response.status_code, response.data


HOSTILE_INTS = st.sampled_from([JS_INT_MAX, 2**53, 2**63, 2**64 + 1, -1, -(2**63), 10**300, 0, 1, 12, 13])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HOSTILE_INTS
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["cumulative", "mean10", "mean300", "x" * 3000, "9" * 4000, "nan", "-1"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


def cursors(app: Dash) -> st.SearchStrategy[Any]:
    """Cursors as a browser could forge them: its own page's epoch, hostile numbers, junk fields."""
    epoch = app.tweetpulse_model.epoch
    field = st.sampled_from(["epoch", "t", "mode", "seq", "rows", "v", "blank", "junk"])
    value = HOSTILE_INTS | SCALARS | st.just(epoch) | st.integers(0, 2 * int(time.time()))
    forged = st.dictionaries(field, value, max_size=8).map(lambda d: {"epoch": epoch, **d})
    return forged | JSON


def fresh_size(app: Dash, key: str) -> int:
    """What a fresh page's request for callback ``key`` costs: the most any request may cost."""
    n = len(app.callback_map[key]["inputs"])
    status, data = post(
        app, json.dumps(callback_body_for(app, key, [1] * n, [None] * len(app.callback_map[key]["state"]))).encode()
    )
    assert status == 200
    return len(data)


def check_answer(app: Dash, key: str, status: int, data: bytes) -> None:
    assert status in (200, 204, 400), (status, data[:300])
    if status == 400:
        assert data.count(b"\n") <= 1 and len(data) < 300 and b"Traceback" not in data
    assert len(data) <= 2 * fresh_size(app, key) + 4096, f"{key}: {len(data)} bytes"


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("page", ["listener_page", "store_page"])
def test_every_callback_takes_hostile_inputs_and_state(page: str, request: pytest.FixtureRequest) -> None:
    app: Dash = request.getfixturevalue(page)
    assert len(app.callback_map) >= 2  # the tick and the classify box

    @FUZZ
    @given(data=st.data())
    def replay(data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(app.callback_map)))
        spec = app.callback_map[key]
        inputs = [data.draw(JSON | HOSTILE_INTS) for _ in spec["inputs"]]
        state = [data.draw(cursors(app) if s["id"] == "cursor" else JSON) for s in spec["state"]]
        status, body = post(app, json.dumps(callback_body_for(app, key, inputs, state)).encode())
        check_answer(app, key, status, body)

    replay()


@pytest.mark.parametrize("page", ["listener_page", "store_page"])
def test_hostile_envelopes_get_a_400_never_a_500(page: str, request: pytest.FixtureRequest) -> None:
    app: Dash = request.getfixturevalue(page)
    keys = sorted(app.callback_map)

    @FUZZ
    @given(
        key=st.sampled_from(keys), part=st.sampled_from(["outputs", "inputs", "state", "changedPropIds"]), value=JSON
    )
    def replay(key: str, part: str, value: Any) -> None:
        spec = app.callback_map[key]
        body = callback_body_for(app, key, [1] * len(spec["inputs"]), [None] * len(spec["state"]))
        body[part] = value
        status, data = post(app, json.dumps(body).encode())
        check_answer(app, key, status, data)

    replay()


def test_deeply_nested_json_gets_a_400_and_one_line(listener_page: Dash, caplog: pytest.LogCaptureFixture) -> None:
    """60 KB of nesting raised RecursionError inside Flask's JSON reader: a 500 and a traceback."""
    for depth in (30_000, MAX_DEPTH + 2):
        status, data = post(listener_page, b"[" * depth + b"]" * depth)
        assert status == 400, data[:200]
        assert len(data) < 200 and b"nest" in data
    cursor = {"epoch": "x", "t": 1}
    for _ in range(MAX_DEPTH):
        cursor = {"t": cursor}
    key = next(k for k in listener_page.callback_map if "cursor.data" in k)
    status, data = post(
        listener_page, json.dumps(callback_body_for(listener_page, key, [1, "cumulative"], [cursor])).encode()
    )
    assert status == 400 and json.loads(data) == {"error": f"the request nests more than {MAX_DEPTH} levels deep"}


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/nope/x.js",
        "/_dash-component-suites/dash/nope.v1m1.js",
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/os/path.py",
    ],
)
def test_a_bad_component_suites_path_is_a_short_404(listener_page: Dash, path: str) -> None:
    response = listener_page.server.test_client().get(path)
    assert response.status_code == 404
    assert len(response.data) < 100 and b"Traceback" not in response.data


def test_the_page_still_serves_its_own_scripts(listener_page: Dash) -> None:
    client = listener_page.server.test_client()
    index = client.get("/").get_data(as_text=True)
    scripts = [part.split('"')[0] for part in index.split('src="')[1:] if "_dash-component-suites" in part]
    assert scripts
    assert all(client.get(src).status_code == 200 for src in scripts)
