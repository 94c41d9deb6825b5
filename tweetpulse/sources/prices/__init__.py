"""Price feeds: an iterable of :class:`~tweetpulse.prices.records.PriceTick` with ``close()``, ``skipped``
(and ``counts``, ``live`` for the websocket ones), one module each, named in :data:`FEEDS`.

Adding one is one module with an opener ``(FeedRequest) -> feed`` plus its line here; a websocket
exchange subclasses :class:`~tweetpulse.sources.prices.feed.WebsocketFeed` with its subscribe messages
and ``handle(event)``.
"""

from __future__ import annotations

# --source NAME → "module:opener"; an opener takes a FeedRequest (tweetpulse.pipeline.price_feed)
FEEDS: dict[str, str] = {
    "coinbase": "tweetpulse.sources.prices.coinbase:open_coinbase",
    "kraken": "tweetpulse.sources.prices.kraken:open_kraken",
    "replay": "tweetpulse.sources.prices.ohlc:open_replay",
    "synthetic": "tweetpulse.sources.prices.synthetic:open_synthetic",
}
