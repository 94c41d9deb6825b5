"""Crypto prices beside the sentiment: live and historical price ticks into Kafka, per-minute OHLC
bars in the store, the price line on the page, and an honest lead/lag test (``tweetpulse correlate``).

- :mod:`~tweetpulse.prices.records`: the tick record on the ``prices`` topic (key = product) and its checks;
- feeds (an iterable of ticks with ``close()``, ``counts`` and ``skipped``), one module each, named in
  :data:`FEEDS`: :mod:`~tweetpulse.prices.coinbase` (Coinbase Exchange websocket, the default),
  :mod:`~tweetpulse.prices.kraken` (Kraken websocket v2), :mod:`~tweetpulse.prices.replay` (OHLC CSVs)
  and :mod:`~tweetpulse.prices.synthetic` (a seeded random walk for the offline demo);
- :mod:`~tweetpulse.prices.produce`: a feed into the topic with the producer's guarantees;
- :mod:`~tweetpulse.prices.bars` and :mod:`~tweetpulse.prices.store`: per-minute OHLC per product in the
  SQLite / PostgreSQL store; :mod:`~tweetpulse.prices.follow`: the listener's consumer of the topic;
- :mod:`~tweetpulse.prices.correlate`: cross-correlation, best lag and Granger tests, with warnings.
"""

from __future__ import annotations

DEFAULT_PRICES_TOPIC = "prices"
DEFAULT_PRODUCTS = ("BTC-USD", "ETH-USD", "DOGE-USD")
# an exchange's base currency → the keyword group (tweetpulse.keywords.DEFAULT_GROUPS) it belongs to
COINS = {"BTC": "bitcoin", "XBT": "bitcoin", "ETH": "ethereum", "DOGE": "dogecoin", "XDG": "dogecoin"}

# --source NAME → "module:opener"; an opener takes a FeedRequest and returns a feed
FEEDS: dict[str, str] = {
    "coinbase": "tweetpulse.prices.coinbase:open_coinbase",
    "kraken": "tweetpulse.prices.kraken:open_kraken",
    "replay": "tweetpulse.prices.replay:open_replay",
    "synthetic": "tweetpulse.prices.synthetic:open_synthetic",
}
