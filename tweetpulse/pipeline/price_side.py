"""The prices beside a running listener or demo: :class:`PriceSide` follows the prices topic into the
store and the page's board, and for the demo also runs a feed into it."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path

from tweetpulse.errors import TweetpulseError
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.live.prices import PriceBoard
from tweetpulse.pipeline.price_feed import stream_prices
from tweetpulse.pipeline.price_follow import PriceFollower
from tweetpulse.sources.prices.base import PriceFeed

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

    @staticmethod
    def start_beside(side: PriceSide | None) -> str:
        """Start ``side`` (if any); what the page's subtitle adds about it (" · prices: coinbase")."""
        if side is None:
            return ""
        side.start()
        return f" · {side.label}" if side.label else ""

    @staticmethod
    def stop_beside(side: PriceSide | None) -> None:
        if side is not None:
            side.stop()

    def stop(self) -> None:
        if self.feed is not None:
            self.feed.close()
        if self._thread is not None:
            self._thread.join(30)
        self.follower.stop()
