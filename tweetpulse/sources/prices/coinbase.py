"""Coinbase Exchange's public market-data websocket (no account, no key): the default price feed.

Protocol (``wss://ws-feed.exchange.coinbase.com``): within 5 s of connecting the client sends
``{"type": "subscribe", "product_ids": [...], "channels": ["ticker", "heartbeat"]}``; the feed answers
``{"type": "subscriptions", "channels": [...]}``, then ``ticker`` messages (``product_id``, ``price``,
``time``, ``sequence``, ``trade_id``, ``best_bid``, ``best_ask``, ``volume_24h`` …, decimals as
strings) on every trade, a ``heartbeat`` per product every second, and ``{"type": "error", "message",
"reason"}`` for a bad request (an unknown product), after which it closes the connection. On a new
subscription it sends each product's latest ticker again: those repeats (same product and sequence)
are dropped here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tweetpulse.prices.records import PriceTick, coin_of, decimal_text, epoch_of
from tweetpulse.sources.prices.feed import Malformed, WebsocketFeed

if TYPE_CHECKING:
    from tweetpulse.sources.prices.base import FeedRequest

DEFAULT_COINBASE = "wss://ws-feed.exchange.coinbase.com"


def _int(event: dict[str, Any], name: str) -> int | None:
    value = event.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise Malformed(f"ticker {name} is not a non-negative integer")
    return value


def ticker_tick(event: dict[str, Any], products: tuple[str, ...]) -> PriceTick:
    """The tick of a ``ticker`` message (:class:`Malformed` when a field breaks the protocol)."""
    product = event.get("product_id")
    if not isinstance(product, str) or product not in products:
        raise Malformed(f"ticker for a product not subscribed to ({str(product)[:20]!r})")
    price = decimal_text(event.get("price"))
    if price is None or not isinstance(event.get("price"), str):
        raise Malformed("ticker price is not a decimal string")
    time = event.get("time")
    try:
        epoch_of(time) if isinstance(time, str) and len(time) <= 40 else epoch_of("")
    except ValueError:
        raise Malformed("ticker time is not an ISO-8601 time") from None
    return PriceTick(
        product=product,
        coin=coin_of(product),
        price=price,
        time=str(time),
        source="coinbase",
        sequence=_int(event, "sequence"),
        trade_id=_int(event, "trade_id"),
        bid=decimal_text(event.get("best_bid"), positive=False),
        ask=decimal_text(event.get("best_ask"), positive=False),
        volume_24h=decimal_text(event.get("volume_24h"), positive=False),
    )


class CoinbaseFeed(WebsocketFeed):
    """Ticks of ``products`` from Coinbase Exchange (see the module docs)."""

    name = "coinbase"
    default_url = DEFAULT_COINBASE
    url_option = "--coinbase-url"

    def subscribe_messages(self) -> list[dict[str, Any]]:
        return [{"type": "subscribe", "product_ids": list(self.products), "channels": ["ticker", "heartbeat"]}]

    def handle(self, event: Any) -> list[PriceTick]:
        if not isinstance(event, dict):
            raise Malformed("not a JSON object")
        kind = event.get("type")
        if kind == "ticker":
            return [ticker_tick(event, self.products)]
        if kind == "heartbeat":
            self.counts.heartbeats += 1
        elif kind == "subscriptions":
            self.counts.subscriptions += 1
            self.acknowledged = True
        elif kind == "error":
            reason = event.get("reason")
            self.exchange_error(f"{str(event.get('message'))[:200]}" + (f" ({str(reason)[:200]})" if reason else ""))
        elif not isinstance(kind, str):
            raise Malformed("a message without a type")
        return []


def open_coinbase(request: FeedRequest) -> CoinbaseFeed:
    """The registry's opener (:data:`tweetpulse.sources.prices.FEEDS`)."""
    return CoinbaseFeed(request.products, request.url, duration=request.duration, **request.options)
