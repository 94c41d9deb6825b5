"""The prices beside a running page: :class:`PriceSide` for the listener and the demo (follow the
topic, and for the demo also run a feed into it), :class:`StorePrices` for ``tweetpulse dashboard``
(the store's per-minute bars, read again every few seconds)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from pathlib import Path

from tweetpulse.config import KafkaConfig
from tweetpulse.errors import TweetpulseError
from tweetpulse.prices.board import PriceBoard
from tweetpulse.prices.follow import PriceFollower
from tweetpulse.prices.produce import PriceFeed, stream_prices
from tweetpulse.prices.store import open_price_store

log = logging.getLogger(__name__)


class PriceSide:
    """The listener's prices: a :class:`PriceFollower` of ``topic`` into the store and ``board``, and
    (the demo) ``feed`` streamed into the topic in a thread."""

    def __init__(
        self,
        kafka: KafkaConfig,
        topic: str,
        group: str,
        store: str | Path | None,
        feed: PriceFeed | None = None,
        window: int = 3600,
    ) -> None:
        self.kafka = replace(kafka, topic=topic)
        self.board = PriceBoard(window)
        self.follower = PriceFollower(self.kafka, group, store, self.board)
        self.feed = feed
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @property
    def label(self) -> str:
        name = getattr(self.feed, "name", "")
        if name == "synthetic":
            return "prices: SYNTHETIC random walk (not a market)"
        return f"prices: {name}" if name else ""

    def start(self) -> PriceSide:
        self.follower.start()
        if self.feed is not None:
            self._thread = threading.Thread(target=self._produce, name="tweetpulse-price-feed", daemon=True)
            self._thread.start()
        return self

    def _produce(self) -> None:
        assert self.feed is not None
        try:
            summary = stream_prices(self.feed, self.kafka)
            log.info("price feed ended: %s", summary.line())
        except TweetpulseError as exc:  # a refusal, a broker gone: shown on the page (ticks stop) and logged
            self.error = exc
            log.error("the price feed stopped: %s", exc)

    def stop(self) -> None:
        if self.feed is not None:
            self.feed.close()
        if self._thread is not None:
            self._thread.join(30)
        self.follower.stop()


class StorePrices:
    """The store's prices table onto ``board``, every ``every`` seconds (for a page from the store)."""

    def __init__(self, store: str | Path, board: PriceBoard, every: float = 5.0) -> None:
        self.location = store
        self.board = board
        self.every = every
        self._seen: dict[tuple[str, int], float] = {}  # (product, minute) → close already on the board
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> StorePrices:
        self._thread = threading.Thread(target=self._run, name="tweetpulse-store-prices", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def read_once(self) -> int:
        """Put the bars of the board's window that are new or changed on it; how many."""
        since = time.time() - self.board.window
        with open_price_store(self.location) as store:
            bars = store.bars(since)
        changed = 0
        for bar in bars:
            key = (bar.product, bar.minute)
            if self._seen.get(key) == bar.close:
                continue
            self._seen[key] = bar.close
            self.board.add_point(bar.product, bar.coin, bar.minute, bar.close, bar.last_at)
            self.board.set_source(bar.source, bar.synthetic)
            changed += 1
        if len(self._seen) > 100_000:
            self._seen = {k: v for k, v in self._seen.items() if k[1] >= since}
        return changed

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.read_once()
            except TweetpulseError as exc:
                log.warning("prices from the store: %s", exc)
            self._stop.wait(self.every)
