"""The price panel's parts: synthetic prices labelled, bounded lines, the panel and its health metrics
on the page only when there is a price board."""

from __future__ import annotations

import json

from dash import no_update

from tweetpulse.dashboard.app import build_app
from tweetpulse.dashboard.prices import MAX_POINTS, SYNTHETIC_NOTE, PanelData, _thin, health_text, price_figure
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.live.prices import PriceBoard
from tweetpulse.sources.prices.synthetic import SyntheticWalk

COINS = ["bitcoin", "ethereum", "dogecoin"]


def test_synthetic_prices_are_labelled_in_the_panel_and_every_trace() -> None:
    board = PriceBoard(clock=lambda: 1_800_000_000.0)
    walk = SyntheticWalk(("BTC-USD", "ETH-USD", "DOGE-USD"), seed=1)
    for tick in walk.ticks(1_800_000_000.0):
        board.add(tick)
    age, rate, note, synthetic = health_text(board)
    assert note == SYNTHETIC_NOTE and synthetic and age == "synthetic: 0 s ago" and float(rate) > 0
    board.set_status("synthetic: connected")
    assert health_text(board)[2] == SYNTHETIC_NOTE  # connected: nothing to say
    board.set_status("coinbase: reconnecting (attempt 2, next try in 4 s): closed")
    assert health_text(board)[2] == f"{SYNTHETIC_NOTE} · coinbase: reconnecting (attempt 2, next try in 4 s): closed"
    figure = price_figure(COINS, {"bitcoin": {"product": "BTC-USD"}}, synthetic=True)
    prices = [t["name"] for t in figure["data"] if " price " in t["name"]]
    assert prices == [
        "Bitcoin price · BTC-USD (synthetic)",
        "Ethereum price · no price yet (synthetic)",
        "Dogecoin price · no price yet (synthetic)",
    ]
    assert len(figure["data"]) == 6 and {t["yaxis"] for t in figure["data"]} == {f"y{i}" for i in ("", 2, 3, 4, 5, 6)}


def test_lines_are_bounded_and_keep_the_newest_point() -> None:
    xs, ys = _thin(list(range(10_000)), list(range(10_000)))
    assert len(xs) == MAX_POINTS and xs[-1] == 9_999 and ys == xs


def test_the_panel_is_there_only_with_prices() -> None:
    plain = build_app(Aggregator(), COINS)
    assert "prices-panel" not in json.dumps(plain.layout.to_plotly_json(), default=str)
    app = build_app(Aggregator(), COINS, prices=PriceBoard())
    page = json.dumps(app.layout.to_plotly_json(), default=str)
    assert "prices-panel" in page and "health-price-age" in page and "health-price-rate" in page
    assert any("prices.figure" in key for key in app.callback_map)


def panel_with_ticks(now: list[float]) -> PanelData:
    board = PriceBoard(clock=lambda: now[0])
    walk = SyntheticWalk(("BTC-USD", "ETH-USD", "DOGE-USD"), seed=2)
    for _ in range(30):
        now[0] += 1
        for tick in walk.ticks(now[0]):
            board.add(tick)
    return PanelData(Aggregator(), board, COINS, window=600)


def test_a_new_browser_gets_the_figure_then_only_new_seconds() -> None:
    now = [1_800_000_000.0]
    panel = panel_with_ticks(now)
    until = int(now[0]) - 2
    figure, extend, cursor = panel.update(None, until, True)
    assert extend is no_update and len(figure["data"][0]["x"]) == 28  # seconds up to until
    assert cursor == {"until": until, "products": ["BTC-USD", "ETH-USD", "DOGE-USD"], "synthetic": True}
    same, nothing, _ = panel.update(cursor, until, True)
    assert same is no_update and nothing is no_update  # nothing new
    for tick in SyntheticWalk(("BTC-USD", "ETH-USD", "DOGE-USD"), seed=3).ticks(now[0] + 1):
        panel.board.add(tick, until + 1)
    figure, (data, traces, keep), cursor = panel.update(cursor, until + 1, True)
    assert figure is no_update and traces == list(range(6)) and keep == 600
    assert [len(xs) for xs in data["x"]] == [1, 0, 1, 0, 1, 0] and data["x"][0] == [(until + 1) * 1000]
    assert cursor["until"] == until + 1


def test_a_forged_cursor_gets_the_whole_figure_again() -> None:
    now = [1_800_000_000.0]
    panel = panel_with_ticks(now)
    until = int(now[0]) - 2
    good = panel.cursor(until - 5, True)
    assert panel.fresh(good, until, True) == until - 5
    for forged in (
        "x",
        [1],
        {**good, "until": "5"},
        {**good, "until": True},
        {**good, "until": until - 10_000},  # older than the window
        {**good, "until": until + 5},  # in the future
        {**good, "products": ["SOL-USD"] * 10_000},
        {**good, "synthetic": False},
        {**good, "extra": 1},
    ):
        assert panel.fresh(forged, until, True) is None
        figure, extend, _ = panel.update(forged, until, True)
        assert isinstance(figure, dict) and extend is no_update
