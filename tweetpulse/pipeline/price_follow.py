"""The listener's side of the prices: a thread that follows the ``prices`` topic, keeps per-minute bars
in the store and feeds the page's :class:`~tweetpulse.live.prices.PriceBoard`.

Same rules as the tweets: its own consumer group (``<group>.prices``), offsets stored only after the
batch's bars are in the store, a message that is not a tick goes to ``prices.dlq`` with the reason (the
offsets wait for its acknowledgement), a store or broker that goes away is waited for with backoff and
said once in the log (the page's price-feed health shows the ticks stopping), never a crash. The feed's
connection state, published on ``prices.status`` wherever the feed runs, goes onto the board too.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from confluent_kafka import Message

from tweetpulse.errors import InvalidRecord, TweetpulseError
from tweetpulse.kafka.admin import ensure_topics
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.consumer import TweetConsumer
from tweetpulse.kafka.status import StatusFollower
from tweetpulse.live.prices import PriceBoard
from tweetpulse.pipeline.deadletter import DeadLetterTopic
from tweetpulse.prices.bars import fold_bars
from tweetpulse.prices.records import PriceTick, parse_tick
from tweetpulse.sources.live import Backoff, SeenIds
from tweetpulse.stores.prices import PriceStore, open_price_store

log = logging.getLogger(__name__)
BATCH = 1000


class PriceFollower:
    """Follows ``kafka.topic`` (the prices topic) into ``store`` and ``board`` until :meth:`stop`."""

    def __init__(
        self,
        kafka: KafkaConfig,
        group: str,
        store: str | Path | None,
        board: PriceBoard,
        *,
        start_from: str = "earliest",
        wait: float = 0.5,
    ) -> None:
        self.kafka = kafka
        self.group = f"{group}.prices"
        self.location = store
        self.board = board
        self.start_from = start_from
        self.wait = wait
        self.stored = 0  # ticks whose bars are in the store
        self.failed: str | None = None  # the last trouble, for messages
        self._seen = SeenIds(50_000)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> PriceFollower:
        self._thread = threading.Thread(target=self._run, name="tweetpulse-prices", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = Backoff(1.0, 30.0)
        while not self._stop.is_set():
            try:
                ensure_topics(self.kafka, partitions=1)
                store = open_price_store(self.location) if self.location is not None else None
                self._follow(store)
                return
            except TweetpulseError as exc:  # broker or store gone: wait, say so once per outage
                wait = backoff.next()
                if self.failed != str(exc):
                    log.warning("prices: %s; retrying every %.0fs at most", exc, 30.0)
                self.failed = str(exc)
                self._stop.wait(wait)

    def _status(self, follower: StatusFollower) -> None:
        """The feed's state from the status topic onto the board (the page's business: never fatal)."""
        try:
            self.board.set_status(follower.line())
        except Exception:
            log.debug("the price feed's status could not be read", exc_info=True)

    def _follow(self, store: PriceStore | None) -> None:
        letters = DeadLetterTopic(self.kafka)
        status = StatusFollower(self.kafka)
        try:
            with TweetConsumer(self.kafka, self.group, self.start_from) as consumer:
                while not self._stop.is_set():
                    self._status(status)
                    messages = [m for m in consumer.consume(BATCH, self.wait) if m.error() is None]
                    if not messages:
                        continue
                    ticks = self._take(messages, letters)
                    if store is not None and ticks:
                        store.upsert(fold_bars(ticks))  # a StoreError: nothing committed, redelivered later
                    if letters.flush():
                        raise InvalidRecord("dead-letter", f"{letters.topic} did not take a dead letter")
                    consumer.store_offsets(messages)
                    self.stored += len(ticks)
                    self.failed = None
        finally:
            letters.close()
            status.close()
            if store is not None:
                store.close()

    def _take(self, messages: list[Message], letters: DeadLetterTopic) -> list[PriceTick]:
        """The ticks of a batch, for the store (a batch delivered again after a store failure is stored
        again: the upsert keeps its prices right); new ones go on the board at once; the rest is
        dead-lettered."""
        ticks = []
        now = int(time.time())
        for msg in messages:
            try:
                tick = parse_tick(msg.value())
            except InvalidRecord as err:
                letters(msg, err)
                self.board.dead_letter()
                continue
            ticks.append(tick)
            if self._seen.add(tick.id):
                self.board.add(tick, now)
        return ticks
