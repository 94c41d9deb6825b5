"""A price feed into the ``prices`` topic (key = product), with the tweets producer's guarantees:
idempotent, ``acks=all``, every tick counted as delivered or failed, flushed on exit and on Ctrl-C. A
live feed's connection state (connecting, connected, reconnecting …) goes to ``prices.status`` as the
tweet sources' does (:mod:`tweetpulse.kafka.status`), so a page in another process can show it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from tweetpulse.kafka.admin import ensure_topics
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer
from tweetpulse.pipeline.streamer import InterruptGuard, publish_status
from tweetpulse.prices.records import PriceTick
from tweetpulse.sources.prices.base import PriceFeed

log = logging.getLogger(__name__)


@dataclass
class PriceSummary:
    """What a ``tweetpulse prices`` run did."""

    source: str = ""
    read: int = 0
    produced: int = 0
    delivered: int = 0
    failed: int = 0
    skipped: int = 0
    duplicates: int = 0
    malformed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    skipped_report: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        head = "interrupted: " if self.interrupted else ""
        return (
            f"{head}{self.source}: read {self.read} ticks, produced {self.produced}, delivered {self.delivered}, "
            f"failed {self.failed}, skipped {self.skipped}, duplicates dropped {self.duplicates}, "
            f"malformed frames {self.malformed} in {self.seconds:.1f}s"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def paced(
    ticks: Iterable[PriceTick], rate: float | None, limit: int | None, duration: float | None
) -> Iterator[PriceTick]:
    """``ticks`` at most ``rate`` a second, at most ``limit`` of them, for at most ``duration`` seconds."""
    start = time.monotonic()
    for n, tick in enumerate(ticks, 1):
        if duration is not None and time.monotonic() - start >= duration:
            return
        if rate is not None:
            wait = start + (n - 1) / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait if duration is None else min(wait, max(0.0, start + duration - time.monotonic())))
        yield tick
        if limit is not None and n >= limit:
            return


def stream_prices(
    feed: PriceFeed,
    kafka: KafkaConfig,
    *,
    rate: float | None = None,
    limit: int | None = None,
    duration: float | None = None,
    create_topics: bool = True,
    on_tick: Callable[[PriceTick], None] | None = None,
) -> PriceSummary:
    """Produce ``feed``'s ticks to ``kafka.topic`` (the prices topic) until its end, ``limit``,
    ``duration`` or Ctrl-C; flush; return what happened."""
    if create_topics:
        ensure_topics(kafka)
    summary = PriceSummary(source=feed.name)
    started = time.monotonic()
    producer = TweetProducer(kafka)
    guard = InterruptGuard()
    status = publish_status(feed, kafka)  # a live feed's state on <topic>.status, for the page
    try:
        with producer, guard:
            for tick in paced(feed, rate, limit, duration):
                guard.inside = True  # an interrupt now waits until the tick is counted
                producer.produce(tick.product, tick.to_json())
                summary.read += 1
                guard.inside = False
                if on_tick is not None:
                    on_tick(tick)
                if guard.pending:
                    raise KeyboardInterrupt
    except KeyboardInterrupt:
        summary.interrupted = True  # the with-block already flushed what was queued
    finally:
        feed.close()
        status.close()  # after the feed's last word ("disconnected") went out
    stats = producer.stats
    summary.produced, summary.delivered, summary.failed = stats.produced, stats.delivered, stats.failed
    summary.seconds = time.monotonic() - started
    summary.skipped = feed.skipped.count
    summary.skipped_report = feed.skipped.report(feed.name)
    counts = getattr(feed, "counts", None)
    if counts is not None:
        summary.counts = asdict(counts)
        summary.duplicates, summary.malformed = counts.duplicates, counts.malformed
    return summary
