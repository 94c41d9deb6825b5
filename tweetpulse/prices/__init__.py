"""Crypto prices beside the sentiment: the tick record and per-minute bars (this package, at the records
layer), and the rest where the layout puts each job (docs/prices.md, docs/architecture.md):

- feeds: :mod:`tweetpulse.sources.prices` (Coinbase Exchange, Kraken v2, OHLC CSV replay, a synthetic walk);
- the topic: :mod:`tweetpulse.pipeline.price_feed` (a feed into Kafka), :mod:`~tweetpulse.pipeline.price_follow`
  (the listener's consumer into the store and the board), :mod:`~tweetpulse.pipeline.price_side` (both beside a run);
- the store: :mod:`tweetpulse.stores.prices` (SQLite) and :mod:`~tweetpulse.stores.prices_pg` (PostgreSQL);
- the page: :mod:`tweetpulse.live.prices` (the bounded board), :mod:`tweetpulse.dashboard.prices` (the panel),
  :mod:`~tweetpulse.dashboard.store_prices` (the store's bars onto a standalone page);
- the workbook: :mod:`tweetpulse.workbook.correlate` (the lead/lag test), :mod:`~tweetpulse.workbook.price_series`,
  :mod:`~tweetpulse.workbook.prices` (``notebooks/price.ipynb``); the CLI: :mod:`tweetpulse.cli.prices`.
"""

from __future__ import annotations

DEFAULT_PRICES_TOPIC = "prices"
DEFAULT_PRODUCTS = ("BTC-USD", "ETH-USD", "DOGE-USD")
# an exchange's base currency → the keyword group (tweetpulse.keywords.DEFAULT_GROUPS) it belongs to
COINS = {"BTC": "bitcoin", "XBT": "bitcoin", "ETH": "ethereum", "DOGE": "dogecoin", "XDG": "dogecoin"}
