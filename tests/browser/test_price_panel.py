"""The price panel in real headless Chromium: tweets and price ticks flow through the real broker (the
listener's workers score the tweets; the PriceSide follows a prices topic fed by a price feed speaking
Coinbase's protocol from a local stand-in), and for every coin the page draws both the price line and
the sentiment line, labels the feed in the health panel, and the store gets per-minute bars."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

from tests.browser.test_dashboard_page import produce_slowly, wait_for
from tests.conftest import free_port
from tests.support.exchange_servers import FakeCoinbase, coinbase_ticker
from tweetpulse.dashboard import DashboardServer, build_app, listener_health
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.keywords import DEFAULT_GROUPS
from tweetpulse.pipeline.listener import Listener
from tweetpulse.pipeline.price_side import PriceSide
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.sources.prices.coinbase import CoinbaseFeed
from tweetpulse.stores.prices import read_prices

from .conftest import full_page_png

# per trace of the price graph: its name, and how many points it has that are drawn (not null)
TRACES = (
    "const g = document.querySelector('#prices .js-plotly-plot'); "
    "return g && g.data ? Array.from(g.data, t => [t.name, t.y.filter(v => v !== null).length]) : [];"
)
LAST_PRICES = (
    "const g = document.querySelector('#prices .js-plotly-plot');"
    "return Array.from(g.data.filter(t => t.name.includes(' price ')), t => [t.name, t.y[t.y.length - 1]]);"
)
PRICES = {"BTC-USD": 61_000.0, "ETH-USD": 3_000.0, "DOGE-USD": 0.12}


def coinbase_ticks(n: int) -> list[object]:
    frames: list[object] = []
    for i in range(n):
        for j, (product, base) in enumerate(PRICES.items()):
            price = f"{base * (1 + 0.001 * (i % 7)):.6f}"
            frames.append(coinbase_ticker(product, price, i % 60, 3 * i + j + 1, 3 * i + j + 1))
    return frames


def test_price_and_sentiment_both_drawn_per_coin(
    kafka: KafkaConfig, tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    store = tmp_path / "tweets.db"
    group = f"browser-{uuid.uuid4().hex[:6]}"
    settings = ListenerSettings(kafka=kafka, group=group, store_path=str(store), batch_size=100)
    done = threading.Event()
    errors: list[BaseException] = []
    # ticks a few a second, with heartbeats, for as long as the test runs
    with FakeCoinbase(frames=coinbase_ticks(400), heartbeat_every=0.5) as exchange:
        feed = CoinbaseFeed(tuple(PRICES), exchange.url)
        prices = PriceSide(kafka, f"prices-{uuid.uuid4().hex[:8]}", group, str(store), feed)
        with Listener(settings, workers=2) as listener:
            prices.start()
            try:
                app = build_app(
                    listener.aggregator,
                    DEFAULT_GROUPS,
                    subtitle="source: bundled sample · prices: coinbase stand-in",
                    health=listener_health(listener),
                    prices=prices.board,
                )
                with DashboardServer(app, "127.0.0.1", free_port()) as server:
                    browser.set_window_size(1440, 1000)
                    browser.get(server.url)
                    wait_for(
                        "the page", lambda: browser.execute_script("return !!document.getElementById('prices');"), bool
                    )
                    producer = threading.Thread(target=produce_slowly, args=(kafka, done, errors), daemon=True)
                    producer.start()

                    def drawn(traces: list[list[Any]]) -> bool:
                        return len(traces) == 6 and all(n >= 2 for _name, n in traces)

                    traces = wait_for(
                        "price and sentiment drawn per coin", lambda: browser.execute_script(TRACES), drawn, timeout=45
                    )
                    names = [name for name, _n in traces]
                    # the lines grow from the browser's cursor (extendData), tick after tick
                    first = traces[0][1]
                    wait_for(
                        "the price line to grow", lambda: browser.execute_script(TRACES)[0][1], lambda n: n > first + 2
                    )
                    for coin, product in (("Bitcoin", "BTC-USD"), ("Ethereum", "ETH-USD"), ("Dogecoin", "DOGE-USD")):
                        assert f"{coin} price · {product}" in names
                        assert f"{coin} sentiment" in names
                    # each coin's price line is that coin's price, not another's
                    prices_drawn = browser.execute_script(LAST_PRICES)
                    for name, last in prices_drawn:
                        product = name.rsplit(" ", 1)[-1]
                        assert abs(last / PRICES[product] - 1) < 0.01, (name, last)
                    age = wait_for(
                        "the price feed's health",
                        lambda: browser.execute_script(
                            "return document.getElementById('health-price-age').textContent;"
                        ),
                        lambda t: t.startswith("coinbase: ") and t.endswith("s ago"),
                        timeout=15,
                    )
                    assert float(age.split(": ")[1].split(" ")[0]) < 10
                    rate = browser.execute_script("return document.getElementById('health-price-rate').textContent;")
                    assert float(rate.split(" ")[0]) > 0
                    note = browser.execute_script("return document.getElementById('prices-note').textContent;")
                    assert note == ""  # real (stand-in) prices: no synthetic label

                    browser.execute_script("document.getElementById('prices-panel').scrollIntoView();")
                    time.sleep(1.0)
                    (artifacts / "price-panel-browser-test.png").write_bytes(full_page_png(browser))
                    severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
                    assert not severe, severe
                    done.wait(60)
                    assert not errors, errors
            finally:
                prices.stop()
    # the follower kept per-minute bars of every product in the store
    bars = read_prices(store)
    assert set(bars["product"]) == set(PRICES)
    assert (bars["ticks"] > 0).all() and (bars["low"] <= bars["close"]).all() and (bars["close"] <= bars["high"]).all()
