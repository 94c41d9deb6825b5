"""Kraken's public websocket v2 (no account, no key): the second live price feed.

Protocol (``wss://ws.kraken.com/v2``): the server greets with ``{"channel": "status", ...}``; the client
sends ``{"method": "subscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD", ...]}, "req_id":
N}``; each symbol is acknowledged by ``{"method": "subscribe", "success": true, "result": {"channel":
"ticker", "symbol": ...}}`` (or ``"success": false, "error": ...``); then ``{"channel": "ticker",
"type": "snapshot" | "update", "data": [{"symbol", "bid", "ask", "last", "volume", …, "timestamp"}]}``
(numbers as JSON numbers) and ``{"channel": "heartbeat"}`` about once a second. Symbols map to the
same products as Coinbase (``BTC/USD`` ↔ ``BTC-USD``). Kraken's ticker carries no sequence: a tick is
told from a re-sent copy (the snapshot after a reconnect) by product, time and price.
"""

from __future__ import annotations

import time as clock
from typing import TYPE_CHECKING, Any

from tweetpulse.prices.records import PriceTick, coin_of, decimal_text, epoch_of, iso_of
from tweetpulse.sources.prices.feed import Malformed, WebsocketFeed

if TYPE_CHECKING:
    from tweetpulse.sources.prices.base import FeedRequest

DEFAULT_KRAKEN = "wss://ws.kraken.com/v2"
MAX_DATA = 100  # entries per ticker message


def symbol_of(product: str) -> str:
    return product.replace("-", "/")


def _time(item: dict[str, Any]) -> str:
    stamp = item.get("timestamp")
    if stamp is None:
        return iso_of(clock.time())  # older v2 servers send no trade time: when it arrived
    try:
        epoch_of(stamp) if isinstance(stamp, str) and len(stamp) <= 40 else epoch_of("")
    except ValueError:
        raise Malformed("ticker timestamp is not an RFC 3339 time") from None
    return str(stamp)


class KrakenFeed(WebsocketFeed):
    """Ticks of ``products`` from Kraken v2 (see the module docs)."""

    name = "kraken"
    default_url = DEFAULT_KRAKEN
    url_option = "--kraken-url"

    def subscribe_messages(self) -> list[dict[str, Any]]:
        symbols = [symbol_of(p) for p in self.products]
        return [{"method": "subscribe", "params": {"channel": "ticker", "symbol": symbols}, "req_id": 1}]

    def handle(self, event: Any) -> list[PriceTick]:
        if not isinstance(event, dict):
            raise Malformed("not a JSON object")
        channel, method = event.get("channel"), event.get("method")
        if channel == "ticker":
            return self._ticker(event)
        if channel == "heartbeat":
            self.counts.heartbeats += 1
        elif method == "subscribe":
            if event.get("success") is True:
                self.counts.subscriptions += 1
                self.acknowledged = True
            else:
                self.exchange_error(str(event.get("error"))[:200])
        elif channel is None and method is None:
            raise Malformed("a message with neither channel nor method")
        return []

    def _ticker(self, event: dict[str, Any]) -> list[PriceTick]:
        data = event.get("data")
        if not isinstance(data, list) or len(data) > MAX_DATA:
            raise Malformed("ticker data is not a list (of at most 100 entries)")
        by_symbol = {symbol_of(p): p for p in self.products}
        ticks = []
        for item in data:
            if not isinstance(item, dict):
                raise Malformed("ticker data entry is not an object")
            symbol = item.get("symbol")
            product = by_symbol.get(symbol) if isinstance(symbol, str) else None
            price = decimal_text(item.get("last"))
            if product is None or price is None:
                raise Malformed("ticker entry without a subscribed symbol and a positive last price")
            ticks.append(
                PriceTick(
                    product=product,
                    coin=coin_of(product),
                    price=price,
                    time=_time(item),
                    source="kraken",
                    bid=decimal_text(item.get("bid"), positive=False),
                    ask=decimal_text(item.get("ask"), positive=False),
                    volume_24h=decimal_text(item.get("volume"), positive=False),
                )
            )
        return ticks


def open_kraken(request: FeedRequest) -> KrakenFeed:
    """The registry's opener (:data:`tweetpulse.sources.prices.FEEDS`)."""
    return KrakenFeed(request.products, request.url, duration=request.duration, **request.options)
