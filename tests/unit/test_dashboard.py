"""The page's callbacks as plain functions: what a tick sends for a given cursor, and the classify box."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from dash import Dash, Patch, no_update

from tests.support.tick_client import FakeClock, TickClient
from tweetpulse.cli import build_parser
from tweetpulse.cli import main as cli_main
from tweetpulse.dashboard.app import build_app, stop_app
from tweetpulse.dashboard.callbacks import PageModel, on_classify, tick, tick_outputs
from tweetpulse.dashboard.figures import labels_bar_figure, pie_figure, rate_figure, trend_figure
from tweetpulse.dashboard.health import HealthSampler
from tweetpulse.dashboard.panels import classify, fixed, latest_row
from tweetpulse.live import DEFAULT_REFRESH_MS
from tweetpulse.live.aggregates import COUNT, NEG, NEU, POS, SCORE, Aggregator
from tweetpulse.live.delta import DeltaBuilder
from tweetpulse.scorers.scoring import TextBlobScorer, make_scorer

GROUPS = ["overall", "bitcoin", "ethereum", "dogecoin"]
T0 = 1_700_000_000


# -- helpers ------------------------------------------------------------------------------------
def tweet(i: int, second: int, label: str = "positive") -> dict[str, Any]:
    return {
        "id": f"t{i}",
        "text": f"tweet number {i}",
        "author": f"user{i % 5}",
        "followers": i,
        "polarity": 0.5,
        "score": 1.0,
        "label": label,
        "scored_at": second + 0.5,
    }


def fold_second(
    agg: Aggregator, second: int, spec: list[tuple[list[str], float, str]], start_id: int = 0, author: str | None = None
) -> None:
    """Fold one worker delta: ``spec`` is (groups, score, label) per tweet."""
    b = DeltaBuilder(worker=0)
    for k, (groups, score, label) in enumerate(spec):
        polarity = 0.5 if label == "positive" else -0.5 if label == "negative" else 0.0
        b.add(second, groups, score, polarity, label)
        b.add_author(author or f"user{(start_id + k) % 5}", 100 * (k + 1), score)
        b.add_recent(tweet(start_id + k, second, label))
        b.add_latency(0.05)
    b.count(consumed=len(spec), stored=len(spec))
    agg.fold(b.take() or {})


def model_for(agg: Aggregator, clock: FakeClock, **kw: Any) -> PageModel:
    return PageModel(aggregator=agg, groups=GROUPS, clock=clock, **kw)


def page_model(app: Dash) -> PageModel:
    """The state :func:`build_app` gave ``app``, to drive its callbacks directly."""
    model = getattr(app, "tweetpulse_model", None)
    assert isinstance(model, PageModel), "this Dash app was not made by build_app"
    return model


def apply_ops(value: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply Dash Patch operations the way dash-renderer does (the ones the page uses)."""
    value = copy.deepcopy(value)
    for op in ops:
        *path, last = op["location"] if op["location"] else [None]
        target = value
        for key in path:
            target = target[key]
        name = op["operation"]
        if name == "Assign":
            target[last] = op["params"]["value"]
        elif name == "Prepend":
            seq = target[last] if last is not None else target
            seq.insert(0, op["params"]["value"])
        elif name == "Delete":
            del target[last]
        else:  # pragma: no cover - the page uses no other operation
            raise AssertionError(name)
    return value


def patched(value: Any, patch: Any) -> Any:
    assert isinstance(patch, Patch)
    return apply_ops(value, patch.to_plotly_json()["operations"])


def series_of(figure: dict[str, Any]) -> list[tuple[list[int], list[float | None]]]:
    return [(t["x"], t["y"]) for t in figure["data"]]


# -- charts ---------------------------------------------------------------------------------------
def test_a_fresh_page_gets_the_window_then_only_new_seconds() -> None:
    agg = Aggregator()
    for s in range(T0, T0 + 10):
        fold_second(agg, s, [(["bitcoin"], 1.0, "positive"), ([], -0.5, "negative")])
    clock = FakeClock(T0 + 12.5)  # settled up to T0 + 10
    model = model_for(agg, clock)
    first = tick(model, "cumulative", None)
    assert first["trend.extendData"] is no_update and first["rate.extendData"] is no_update
    trend = series_of(patched(trend_figure(GROUPS), first["trend.figure"]))
    xs = [s * 1000 for s in range(T0, T0 + 11)]
    assert [x for x, _ in trend] == [xs] * 4
    overall, bitcoin, ethereum, _doge = (y for _, y in trend)
    assert overall[:3] == [0.5, 1.0, 1.5] and overall[-1] == 5.0  # the last second has no data: flat
    assert bitcoin[:2] == [1.0, 2.0] and ethereum == [0.0] * 11
    rate = series_of(patched(rate_figure(GROUPS), first["rate.figure"]))
    assert rate[0][1] == [2] * 10 + [0] and rate[1][1] == [1] * 10 + [0]
    cursor = first["cursor.data"]
    assert cursor["t"] == T0 + 10 and cursor["mode"] == "cumulative"

    fold_second(agg, T0 + 11, [(["ethereum"], 2.0, "positive")])
    clock.advance(2)
    second = tick(model, "cumulative", cursor)
    assert second["trend.figure"] is no_update and second["rate.figure"] is no_update
    data, traces, max_points = second["trend.extendData"]
    assert traces == [0, 1, 2, 3] and max_points == model.max_points
    assert data["x"] == [[(T0 + 11) * 1000, (T0 + 12) * 1000]] * 4
    assert data["y"][0] == [7.0, 7.0] and data["y"][2] == [2.0, 2.0]
    rate_data = second["rate.extendData"][0]
    assert rate_data["y"][0] == [1, 0] and rate_data["y"][1] == [0, 0]
    assert second["cursor.data"]["t"] == T0 + 12

    # the same second again: nothing to draw
    third = tick(model, "cumulative", second["cursor.data"])
    assert third["trend.extendData"] is no_update and third["rate.extendData"] is no_update


def test_the_window_is_bounded_by_max_points() -> None:
    agg = Aggregator()
    for s in range(T0, T0 + 50):
        fold_second(agg, s, [([], 1.0, "positive")])
    model = model_for(agg, FakeClock(T0 + 51.5), max_points=5)
    trend = series_of(patched(trend_figure(GROUPS), tick(model, "cumulative", None)["trend.figure"]))
    assert trend[0][0] == [s * 1000 for s in range(T0 + 45, T0 + 50)]
    assert trend[0][1] == [46.0, 47.0, 48.0, 49.0, 50.0]  # cumulative over all history, not the window


def test_switching_to_a_rolling_mean_redraws_the_trend_only() -> None:
    agg = Aggregator()
    for s in range(T0, T0 + 30):
        fold_second(agg, s, [(["bitcoin"], float(s - T0), "positive")])
    clock = FakeClock(T0 + 31.5)
    model = model_for(agg, clock)
    cursor = tick(model, "cumulative", None)["cursor.data"]
    clock.advance(1)
    switched = tick(model, "mean10", cursor)
    assert switched["trend.extendData"] is no_update
    assert switched["rate.figure"] is no_update and switched["rate.extendData"] is not no_update
    figure = patched(trend_figure(GROUPS), switched["trend.figure"])
    assert "10 s" in figure["layout"]["yaxis"]["title"]["text"]
    xs, ys = figure["data"][1]["x"], figure["data"][1]["y"]
    at = dict(zip(xs, ys, strict=True))
    # mean score per tweet over the 10 s ending at second 29: (20 + ... + 29) / 10
    assert at[(T0 + 29) * 1000] == pytest.approx(24.5)
    assert at[(T0 + 3) * 1000] == pytest.approx(1.5)  # only 4 seconds of data so far
    assert at[(T0 + 30) * 1000] == pytest.approx(25.0)  # seconds 21..29 in the window (30 has none)
    assert figure["data"][2]["y"][0] is None  # ethereum has no tweet: a gap, not a zero
    assert switched["cursor.data"]["mode"] == "mean10"


# -- tables, distribution ---------------------------------------------------------------------------
def test_the_table_gets_new_rows_on_top_and_keeps_its_size() -> None:
    agg = Aggregator()
    clock = FakeClock(T0 + 3.5)
    model = model_for(agg, clock, table_rows=5)
    fold_second(agg, T0, [([], 1.0, "positive")] * 3, start_id=0)
    result = tick(model, "cumulative", None)
    table = result["latest.data"]
    assert [r["text"] for r in table] == ["tweet number 2", "tweet number 1", "tweet number 0"]
    cursor = result["cursor.data"]
    ids = 3
    for batch in (1, 2, 0, 4, 9, 3):
        if batch:
            fold_second(agg, T0 + 1, [([], -1.0, "negative")] * batch, start_id=ids)
            ids += batch
        clock.advance(1)
        result = tick(model, "cumulative", cursor)
        update = result["latest.data"]
        if batch == 0:
            assert update is no_update
        elif batch >= 5:
            assert isinstance(update, list)  # at least a full table of new rows: sent whole
            table = update
        else:
            table = patched(table, update)
        cursor = result["cursor.data"]
        expected = [f"tweet number {i}" for i in range(ids - 1, max(-1, ids - 6), -1)]
        assert [r["text"] for r in table] == expected
        assert cursor["rows"] == len(table)
    row = table[0]
    assert set(row) == {"time", "author", "followers", "text", "polarity", "score", "label"}
    assert row["label"] == "negative" and row["author"].startswith("@")


def test_pie_and_bars_add_up_to_what_was_stored() -> None:
    agg = Aggregator()
    fold_second(
        agg,
        T0,
        [
            (["bitcoin"], 1.0, "positive"),
            (["bitcoin"], -1.0, "negative"),
            (["ethereum"], 0.0, "neutral"),
            ([], 2.0, "positive"),
        ],
    )
    model = model_for(agg, FakeClock(T0 + 3.5))
    result = tick(model, "cumulative", None)
    pie = patched(pie_figure(), result["pie.figure"])
    assert pie["data"][0]["values"] == [2, 1, 1] and sum(pie["data"][0]["values"]) == agg.counters["stored"]
    assert "4" in pie["layout"]["annotations"][0]["text"]
    bars = patched(labels_bar_figure(GROUPS), result["labels-bar.figure"])
    positive, negative, neutral = bars["data"]
    assert positive["x"][0] == 50.0 and negative["x"][1] == 50.0 and neutral["x"][2] == 100.0
    assert positive["customdata"] == [2, 1, 0, 0] and positive["text"][0] == "50%"
    assert result["share-positive-pct.children"] == "50.0%" and result["share-neutral-count.children"] == "neutral · 1"
    # cards: the cumulative weighted sentiment, count and shares per group
    assert result["card-0-value.children"] == "+2.0" and "up" in result["card-0-value.className"]
    assert result["card-1-value.children"] == "0" and result["card-1-count.children"].startswith("2 tweets")
    assert result["card-3-count.children"].startswith("0 tweets")
    assert result["card-1-minute.children"] == "0" and result["card-0-minute.className"] == "up"


def test_numbers_never_show_minus_zero() -> None:
    assert fixed(-0.0, 2) == "0.00" and fixed(-0.001, 2) == "0.00" and fixed(0.004, 3) == "+0.004"
    assert fixed(-1.3, 2) == "-1.30"
    row = latest_row(
        {
            "text": "x" * 400,
            "polarity": -0.0,
            "score": -0.0001,
            "followers": None,
            "author": None,
            "label": "neutral",
            "scored_at": T0,
        }
    )
    assert row["polarity"] == "0.000" and row["score"] == "0.00" and row["followers"] == "—"
    assert row["author"] == "—" and len(row["text"]) == 180 and row["text"].endswith("…")


def test_a_quiet_tick_sends_almost_nothing() -> None:
    agg = Aggregator()
    fold_second(agg, T0, [([], 1.0, "positive")])
    clock = FakeClock(T0 + 5.5)
    model = model_for(agg, clock)
    cursor = tick(model, "cumulative", None)["cursor.data"]
    quiet = tick(model, "cumulative", cursor)
    for key in (
        "trend.figure",
        "trend.extendData",
        "rate.figure",
        "rate.extendData",
        "pie.figure",
        "labels-bar.figure",
        "latest.data",
        "influencers.data",
    ):
        assert quiet[key] is no_update, key


def test_a_page_from_an_earlier_server_starts_over() -> None:
    agg = Aggregator()
    fold_second(agg, T0, [([], 1.0, "positive")] * 2)
    model = model_for(agg, FakeClock(T0 + 3.5))
    stale = {"epoch": "another", "t": T0 + 1, "mode": "cumulative", "seq": 999, "rows": 12, "v": 5}
    result = tick(model, "cumulative", stale)
    assert isinstance(result["trend.figure"], Patch) and isinstance(result["rate.figure"], Patch)
    assert isinstance(result["latest.data"], list) and len(result["latest.data"]) == 2
    assert result["cursor.data"]["epoch"] == model.epoch and result["cursor.data"]["seq"] == 2


def test_influencers_are_ranked_by_total_absolute_score() -> None:
    agg = Aggregator()
    fold_second(agg, T0, [([], 5.0, "positive")], author="whale")
    fold_second(agg, T0, [([], -7.0, "negative")], author="bear")
    fold_second(agg, T0 + 1, [([], 1.0, "positive")] * 3, author="minnow")
    fold_second(agg, T0 + 1, [([], 4.0, "positive")], author="whale")
    rows = tick(model_for(agg, FakeClock(T0 + 4.5)), "cumulative", None)["influencers.data"]
    assert [r["author"] for r in rows] == ["@whale", "@bear", "@minnow"]
    assert rows[0]["influence"] == "9.0" and rows[0]["tweets"] == 2 and rows[0]["net"] == "+9.0"
    assert rows[1]["net"] == "\u22127.0" and rows[1]["net_value"] < 0


def test_health_comes_from_the_probe_never_from_the_tick() -> None:
    agg = Aggregator()
    fold_second(agg, T0, [([], 1.0, "positive")] * 4)
    calls: list[int] = []

    def probe() -> dict[str, Any]:
        calls.append(1)
        return {"workers_alive": 1, "workers": 2, "lag": {0: 5, 1: 0, 2: 7}}

    sampler = HealthSampler(probe, interval=60)
    sampler.sample_now()
    model = model_for(agg, FakeClock(T0 + 3.5), health=sampler)
    try:
        result = tick(model, "cumulative", None)
    finally:
        sampler.stop()
    assert result["health-workers.children"] == "1 / 2" and result["health-workers.className"] == "down"
    assert result["health-lag.children"] == "12"
    assert result["health-stored.children"] == "4" and result["health-latency.children"].endswith("ms")
    assert any("p2 7" in str(part) for part in result["health-lag-detail.children"])

    alone = model_for(agg, FakeClock(T0 + 3.5), show_workers=False)
    result = tick(alone, "cumulative", None)
    assert "health-workers.children" not in result
    assert result["health-lag.children"] == "—" and "--group" in result["health-lag-detail.children"][0]


def test_status_says_whether_tweets_are_flowing() -> None:
    agg = Aggregator()
    clock = FakeClock(T0 + 0.5)
    model = model_for(agg, clock)
    assert tick(model, None, None)["status-text.children"].startswith("waiting for tweets")
    fold_second(agg, T0, [([], 1.0, "positive")])
    clock.advance(2)
    result = tick(model, None, None)
    assert result["status.className"].endswith("live")
    clock.advance(120)
    assert tick(model, None, None)["status-text.children"].startswith("no new tweets for 2 min")


# -- classify -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Bitcoin is looking great today!",
        "ETH is not good, terrible fees :(",
        "doge to the moon",
        "I really love this very bad idea!!",
    ],
)
def test_classify_gives_what_tweetpulse_score_gives(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["score", "--json", "--followers", "120", text]) == 0
    expected = json.loads(capsys.readouterr().out)
    got = classify(TextBlobScorer(), text, 120, 1000)
    assert got["ok"] and got["label"] == expected["label"]
    assert got["polarity"] == expected["polarity"] and got["subjectivity"] == expected["subjectivity"]
    assert got["weight"] == expected["weight"] == math.log(121) and got["score"] == expected["score"]


def test_classify_is_friendly_with_empty_long_or_odd_input() -> None:
    scorer = TextBlobScorer()
    assert "Type something" in classify(scorer, "   ", None, 100)["message"]
    assert "up to 100" in classify(scorer, "x" * 101, None, 100)["message"]
    assert "whole number" in classify(scorer, "good", -3, 100)["message"]
    assert "whole number" in classify(scorer, "good", "many", 100)["message"]
    unknown = classify(scorer, "good", None, 100)
    assert unknown["ok"] and unknown["weight"] == 1.0 and unknown["followers"] is None
    banded = classify(TextBlobScorer(neutral_band=0.9), "good", None, 100)
    assert banded["label"] == "neutral"  # the listener's own neutral band


def test_the_classify_callback_renders_the_result() -> None:
    model = model_for(Aggregator(), FakeClock(T0))
    assert on_classify(model, 0, "good", None) is no_update
    view = json.dumps(on_classify(model, 1, "What a great day", "10").to_plotly_json(), default=str)
    assert "classify-label" in view and "positive" in view
    message = on_classify(model, 2, "", None)
    assert message.id == "classify-message"


def test_the_classify_box_uses_the_analyzer_the_page_was_given() -> None:
    analyzer = make_scorer("textblob", neutral_band=0.9)
    app = build_app(Aggregator(), classify=analyzer)
    model = page_model(app)
    assert model.scorer is analyzer
    view = json.dumps(on_classify(model, 1, "good", None).to_plotly_json(), default=str)
    assert "tp-badge neutral" in view and "scorer: textblob" in view  # the listener's band, and its name
    assert classify(analyzer, "good", None, 100)["scorer"] == "textblob"
    assert page_model(build_app(Aggregator())).scorer.name == "textblob"  # no analyzer given: the default


# -- through Dash ---------------------------------------------------------------------------------------
def layout_ids(node: Any) -> set[str]:
    ids: set[str] = set()
    if hasattr(node, "to_plotly_json"):
        ident = getattr(node, "id", None)
        if ident:
            ids.add(ident)
        ids |= layout_ids(getattr(node, "children", None))
    elif isinstance(node, list | tuple):
        for child in node:
            ids |= layout_ids(child)
    return ids


def test_every_output_exists_in_the_layout() -> None:
    agg = Aggregator()
    for show in (True, False):
        app = build_app(agg, show_workers=show)
        model = page_model(app)
        missing = {key.split(".")[0] for key in tick_outputs(model)} - layout_ids(app.layout)
        assert not missing


def test_ticks_through_dash_dispatch_stay_small() -> None:
    agg = Aggregator()
    for s in range(T0 - 600, T0):
        fold_second(agg, s, [(["bitcoin"], 1.0, "positive"), (["dogecoin"], -1.0, "negative")] * 10, start_id=s)
    clock = FakeClock(T0 + 2.5)
    app = build_app(agg, clock=clock, health=lambda: {"workers_alive": 2, "workers": 2, "lag": {0: 1}})
    client = TickClient(app)
    load = client.tick()
    assert "trend" in load.outputs and "latest" in load.outputs
    for i in range(3):
        fold_second(agg, T0 + i, [(["ethereum"], 0.5, "positive")] * 30, start_id=10_000 + 30 * i)
        clock.advance(1)
        call = client.tick()
        assert call.outputs["trend"]["extendData"][0]["x"][0] == [(T0 + i + 1) * 1000]
        assert call.payload_bytes < 20_000
    stop_app(app)


def test_totals_helpers_agree() -> None:
    agg = Aggregator()
    fold_second(agg, T0, [(["bitcoin"], 1.0, "positive"), ([], -1.0, "negative"), ([], 0.0, "neutral")])
    totals = agg.totals(GROUPS)
    assert totals["overall"][COUNT] == 3 and totals["overall"][SCORE] == 0.0
    assert (totals["overall"][POS], totals["overall"][NEG], totals["overall"][NEU]) == (1, 1, 1)
    assert totals["dogecoin"] == [0, 0.0, 0.0, 0, 0, 0]


def test_the_three_rates_agree_from_the_first_seconds() -> None:
    """A steady 200 tweets/s from T0: the card, the chart and the health panel all say ~200/s at once
    (the card used to divide the first seconds' tweets by ten: 100/s at five seconds in)."""
    agg = Aggregator()
    clock = FakeClock(T0 + 0.5)
    model = model_for(agg, clock)
    result = tick(model, "cumulative", None)
    cursor = result["cursor.data"]
    for second in range(T0, T0 + 7):
        fold_second(agg, second, [(["bitcoin"], 1.0, "positive")] * 200, start_id=second * 1000)
        clock.now = second + 1.5
        result = tick(model, "cumulative", cursor)
        cursor = result["cursor.data"]
    card = float(result["card-0-rate.children"].split("/s")[0])
    chart = patched(rate_figure(GROUPS), tick(model, "cumulative", None)["rate.figure"])["data"][0]["y"]
    health = float(result["health-consumed.children"].split(" /s")[0].replace(",", ""))
    assert card == pytest.approx(200, rel=0.01)
    assert chart[-1] == 200
    assert health == pytest.approx(200, rel=0.05)
    assert "last 10 s" in result["card-0-rate.children"]


def test_the_rate_chart_has_its_own_legend() -> None:
    figure = rate_figure(GROUPS)
    assert figure["layout"].get("showlegend", True) is not False and "legend" in figure["layout"]
    assert [t["name"] for t in figure["data"]] == ["All tweets", "Bitcoin", "Ethereum", "Dogecoin"]


def test_every_page_refreshes_at_the_default() -> None:
    """The page's refresh is one default everywhere (what make bench's visible latency is measured at;
    the target itself is checked there, never by a timed test)."""
    for command in ("listen", "demo", "dashboard"):
        assert build_parser().parse_args([command]).refresh_ms == DEFAULT_REFRESH_MS
    app = build_app(Aggregator())
    try:
        interval = next(c for c in app.layout._traverse() if getattr(c, "id", None) == "tick")
        assert interval.interval == DEFAULT_REFRESH_MS
    finally:
        stop_app(app)
