"""The websocket feeds against the local exchange stand-ins, without a broker: a silent connection is
made again, a client that does not subscribe is dropped by the stand-in as by Coinbase, an exchange
out of reach is given up on after the retries allowed, a feed stops at its duration."""

from __future__ import annotations

import time

import pytest
from websockets.sync.client import connect

from tests.support.exchange_servers import FakeCoinbase, FakeKraken, Plan, coinbase_ticker, kraken_ticker
from tweetpulse.errors import SourceError
from tweetpulse.sources.prices.coinbase import CoinbaseFeed
from tweetpulse.sources.prices.kraken import KrakenFeed

PRODUCTS = ("BTC-USD", "ETH-USD", "DOGE-USD")


def test_a_silent_connection_is_made_again() -> None:
    frames = [coinbase_ticker("BTC-USD", f"{100 + i}.00", i, i + 1, i + 1) for i in range(4)]
    with FakeCoinbase(frames=frames, plan=[Plan(0, 2, "mute"), Plan(2, None, "hold")]) as exchange:
        feed = CoinbaseFeed(PRODUCTS, exchange.url, idle_timeout=1.0, backoff_scale=0.01, duration=20)
        got = []
        for tick in feed:
            got.append(tick.sequence)
            if len(got) == 4:
                feed.close()
    assert got == [1, 2, 3, 4]
    assert feed.counts.connections == 2 and feed.live.retries == 1
    assert "sent nothing for 1s" in (feed.live.last_error or "")


def test_the_stand_in_drops_a_client_that_does_not_subscribe() -> None:
    with FakeCoinbase(subscribe_within=0.5) as exchange, connect(exchange.url) as ws:
        started = time.monotonic()
        with pytest.raises(Exception, match="1008"):
            ws.recv(timeout=5)
        assert time.monotonic() - started < 3
    assert exchange.dropped_for_silence == 1


def test_an_unreachable_exchange_gives_up_after_its_retries() -> None:
    closed = KrakenFeed(PRODUCTS, "ws://127.0.0.1:9/v2", max_retries=1, backoff_scale=0.01)
    with pytest.raises(SourceError, match="gave up after 1 retries"):
        list(closed)
    assert closed.live.retries == 2 and "cannot reach kraken" in (closed.live.last_error or "")


def test_a_feed_stops_at_its_duration() -> None:
    frames = [kraken_ticker("BTC/USD", 100.0 + i, i) for i in range(3)]
    with FakeKraken(frames=frames) as exchange:
        started = time.monotonic()
        ticks = list(KrakenFeed(PRODUCTS, exchange.url, duration=1.5))
    assert len(ticks) == 3 and 1.4 < time.monotonic() - started < 5
