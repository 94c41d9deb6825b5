"""The price panel's parts: synthetic prices labelled, bounded lines, the panel and its health metrics
on the page only when there is a price board."""

from __future__ import annotations

import json

from tweetpulse.aggregates import Aggregator
from tweetpulse.dashboard.app import build_app
from tweetpulse.dashboard.prices import MAX_POINTS, SYNTHETIC_NOTE, _thin, health_text, price_figure
from tweetpulse.prices.board import PriceBoard
from tweetpulse.prices.synthetic import SyntheticWalk

COINS = ["bitcoin", "ethereum", "dogecoin"]


def test_synthetic_prices_are_labelled_in_the_panel_and_every_trace() -> None:
    board = PriceBoard(clock=lambda: 1_800_000_000.0)
    walk = SyntheticWalk(("BTC-USD", "ETH-USD", "DOGE-USD"), seed=1)
    for tick in walk.ticks(1_800_000_000.0):
        board.add(tick)
    age, rate, note = health_text(board)
    assert note == SYNTHETIC_NOTE and age == "synthetic: 0 s ago" and float(rate) > 0
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
