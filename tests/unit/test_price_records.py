"""The tick record and its checks, the exchanges' frames read into ticks, per-minute bars and their
SQLite table, the page's bounded price board."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest

from tweetpulse.errors import ConfigError, InvalidRecord, SourceError
from tweetpulse.live.prices import MAX_PRODUCTS, PriceBoard
from tweetpulse.prices.bars import fold_bars
from tweetpulse.prices.records import PriceTick, coin_of, parse_products, parse_tick
from tweetpulse.sources.prices.coinbase import CoinbaseFeed
from tweetpulse.sources.prices.feed import Malformed
from tweetpulse.sources.prices.kraken import KrakenFeed
from tweetpulse.stores.prices import open_price_store, read_prices

PRODUCTS = ("BTC-USD", "ETH-USD", "DOGE-USD")


def tick(price: str, time: str, product: str = "BTC-USD", sequence: int | None = 1) -> PriceTick:
    return PriceTick(product, coin_of(product), price, time, "coinbase", sequence)


def test_a_tick_round_trips_and_its_price_stays_exact() -> None:
    original = PriceTick("BTC-USD", "bitcoin", "61234.56789012", "2026-12-06T01:00:01.5Z", "coinbase", 7, 9, "1", "2")
    assert parse_tick(original.to_json()) == original
    assert original.id == "BTC-USD#7"
    assert tick("1.0", "2026-12-06T01:00:01Z", sequence=None).id == "BTC-USD@2026-12-06T01:00:01Z=1.0"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"not json", "not-json"),
        (b"[]", "not-object"),
        (b"x" * 5000, "bad-size"),
        (orjson.dumps({"product": "btc", "price": "1", "time": "2026-01-01T00:00:00Z", "source": "s"}), "bad-field"),
        (
            orjson.dumps({"product": "BTC-USD", "price": "-1", "time": "2026-01-01T00:00:00Z", "source": "s"}),
            "bad-field",
        ),
        (
            orjson.dumps({"product": "BTC-USD", "price": "NaN", "time": "2026-01-01T00:00:00Z", "source": "s"}),
            "bad-field",
        ),
        (
            orjson.dumps({"product": "BTC-USD", "price": "1", "time": "1999-01-01T00:00:00Z", "source": "s"}),
            "bad-field",
        ),
        (orjson.dumps({"product": "BTC-USD", "price": "1", "time": "soon", "source": "s"}), "bad-field"),
        (
            orjson.dumps(
                {"product": "BTC-USD", "price": "1", "time": "2026-01-01T00:00:00Z", "source": "s", "sequence": -1}
            ),
            "bad-field",
        ),
    ],
)
def test_a_message_that_is_not_a_tick_is_refused_with_a_reason(value: bytes, reason: str) -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_tick(value)
    assert caught.value.reason == reason


def test_products_are_checked_and_mapped_to_keyword_groups() -> None:
    assert parse_products(None) == PRODUCTS
    assert parse_products(" btc-usd, ETH-USD,btc-usd ") == ("BTC-USD", "ETH-USD")
    with pytest.raises(ConfigError, match="BASE-QUOTE"):
        parse_products("BTCUSD")
    assert [coin_of(p) for p in ("BTC-USD", "ETH-EUR", "DOGE-USD", "SOL-USD")] == [
        "bitcoin",
        "ethereum",
        "dogecoin",
        "sol",
    ]


def test_coinbase_frames() -> None:
    feed = CoinbaseFeed(PRODUCTS, "ws://127.0.0.1:1/")
    assert feed.handle({"type": "subscriptions", "channels": []}) == [] and feed.acknowledged
    assert feed.handle({"type": "heartbeat", "product_id": "BTC-USD", "sequence": 1}) == []
    ticker = {
        "type": "ticker",
        "product_id": "ETH-USD",
        "price": "3000.10",
        "time": "2026-12-06T01:00:00.1Z",
        "sequence": 5,
    }
    assert feed.handle(ticker)[0].price == "3000.10"
    for bad in ({**ticker, "price": 3000.1}, {**ticker, "product_id": "SOL-USD"}, {**ticker, "time": "x"}, [1], {}):
        with pytest.raises(Malformed):
            feed.handle(bad)
    assert (feed.counts.heartbeats, feed.counts.subscriptions) == (1, 1)
    fresh = CoinbaseFeed(PRODUCTS, "ws://127.0.0.1:1/")
    with pytest.raises(SourceError, match="refused the subscription: Failed to subscribe"):
        fresh.handle({"type": "error", "message": "Failed to subscribe", "reason": "bad product"})


def test_kraken_frames() -> None:
    feed = KrakenFeed(PRODUCTS, "ws://127.0.0.1:1/v2")
    assert feed.handle({"channel": "status", "type": "update", "data": [{"system": "online"}]}) == []
    feed.handle({"method": "subscribe", "success": True, "result": {"channel": "ticker", "symbol": "BTC/USD"}})
    item = {
        "symbol": "DOGE/USD",
        "last": 0.1234,
        "bid": 0.1233,
        "ask": 0.1235,
        "volume": 10,
        "timestamp": "2026-12-06T01:00:00Z",
    }
    (got,) = feed.handle({"channel": "ticker", "type": "update", "data": [item]})
    assert (got.product, got.coin, got.price, got.sequence) == ("DOGE-USD", "dogecoin", "0.1234", None)
    for bad in ({"channel": "ticker", "data": "x"}, {"channel": "ticker", "data": [{**item, "symbol": ["x"]}]}, {}):
        with pytest.raises(Malformed):
            feed.handle(bad)


def test_bars_fold_ticks_in_any_order() -> None:
    ticks = [
        tick("100", "2026-12-06T01:00:10Z"),
        tick("105", "2026-12-06T01:00:50Z"),
        tick("90", "2026-12-06T01:00:05Z"),  # late: the minute's open
        tick("101", "2026-12-06T01:01:00Z"),  # the next minute
    ]
    first, second = fold_bars(ticks)
    assert (first.open, first.high, first.low, first.close, first.ticks) == (90.0, 105.0, 90.0, 105.0, 3)
    assert (second.minute - first.minute, second.open, second.close) == (60, 101.0, 101.0)


def test_the_sqlite_prices_table_merges_bars_written_in_pieces(tmp_path: Path) -> None:
    store = tmp_path / "tweets.db"
    ticks = [tick(str(100 + i), f"2026-12-06T01:00:{10 + i:02d}Z") for i in range(10)]
    with open_price_store(store) as prices:
        prices.upsert(fold_bars(ticks[5:]))  # the later half first
        prices.upsert(fold_bars(ticks[:5]))
        prices.upsert(fold_bars(ticks[5:6]))  # a redelivered piece: prices unchanged
    frame = read_prices(store)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["open"], row["high"], row["low"], row["close"]) == (100.0, 109.0, 100.0, 109.0)
    assert str(row["time"]) == "2026-12-06 01:00:00+00:00" and row["coin"] == "bitcoin" and not row["synthetic"]
    with pytest.raises(ConfigError, match="SQLite, PostgreSQL or MongoDB"):
        open_price_store("redis://x/y")


def test_the_board_is_bounded() -> None:
    now = [1_800_000_000.0]
    board = PriceBoard(window=60, clock=lambda: now[0])
    for i in range(300):
        now[0] += 1
        board.add(tick(str(100 + i), "2026-12-06T01:00:00Z", sequence=i))
    xs, ys = board.series("BTC-USD", 0)
    assert len(xs) == 60 and ys[-1] == 399.0
    for i in range(MAX_PRODUCTS + 10):
        board.add(tick("1", "2026-12-06T01:00:00Z", product=f"C{i}-USD"))
    assert len(board.products_by_coin()) <= MAX_PRODUCTS
    health = board.health()
    assert health.sources == ["coinbase"] and health.last_age == 0.0 and health.ticks_per_s > 0


def test_reading_prices_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert read_prices(missing).empty and not missing.exists()
    with open_price_store(missing) as prices:
        assert not prices.exists()
    assert not missing.exists()
    tweets_only = tmp_path / "tweets.db"
    sqlite3.connect(tweets_only).execute("CREATE TABLE scored_tweets (id TEXT)").connection.close()
    assert read_prices(tweets_only).empty
    with open_price_store(tweets_only) as prices:
        assert not prices.exists()
        prices.upsert(fold_bars([tick("1", "2026-12-06T01:00:00Z")]))
        assert prices.exists()
