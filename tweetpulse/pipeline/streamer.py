"""The streamer: any tweet source → paced → the reliable producer → the tweets topic."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from tweetpulse.kafka.admin import ensure_topics
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer, UndeliveredFile
from tweetpulse.kafka.status import StatusPublisher
from tweetpulse.pipeline.pacing import Pacer
from tweetpulse.records import Tweet
from tweetpulse.sources.base import TweetSource
from tweetpulse.sources.live import LiveState, LiveStatus

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1024


@dataclass
class StreamSummary:
    read: int = 0
    produced: int = 0
    delivered: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    skipped_report: str = ""
    undelivered_file: str = ""  # where the tweets never acknowledged were written
    undelivered_ids: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        head = "interrupted: " if self.interrupted else ""
        return (
            f"{head}read {self.read}, produced {self.produced}, delivered {self.delivered}, "
            f"failed {self.failed}, skipped rows {self.skipped} in {self.seconds:.1f}s "
            f"({self.rate:,.0f} tweets/s)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": self.rate}

    def undelivered_report(self) -> str:
        """What to do about the tweets the cluster never acknowledged ("" when there were none)."""
        if not self.undelivered_ids:
            return ""
        ids = self.undelivered_ids
        named = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        return (
            f"{len(ids)} tweet(s) were not delivered (ids {named}); they are in {self.undelivered_file}: "
            f"re-send them with tweetpulse stream --source replay --dataset {self.undelivered_file}"
        )


class InterruptGuard:
    """Ctrl-C / SIGTERM (or a kernel interrupt) that arrive while a tweet is being handed to the
    producer wait until it is counted, so the summary's counts match what reached Kafka exactly;
    anywhere else (a source waiting for tweets, the pacer sleeping) they interrupt at once."""

    def __init__(self) -> None:
        self.inside = False  # plain attributes, not a context manager: this runs per tweet
        self.pending = False
        self._previous: dict[int, Any] = {}

    def _handler(self, signum: int, _frame: object) -> None:
        if self.inside:
            self.pending = True
        else:
            raise KeyboardInterrupt

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():  # signals reach the main thread only
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()


class _NoStatus:
    def close(self) -> None:
        return None


def publish_status(source: object, kafka: KafkaConfig) -> StatusPublisher | _NoStatus:
    """A live source's state changes go to the status topic too (for a page in another process),
    besides any ``on_status`` callback it already had; other sources have no state to tell."""
    live = getattr(source, "live", None)
    if not isinstance(live, LiveState):
        return _NoStatus()
    publisher = StatusPublisher(kafka)
    before = live.on_status

    def both(status: LiveStatus) -> None:
        publisher.publish(status)
        if before is not None:
            before(status)

    live.on_status = both
    return publisher


def stream(
    source: TweetSource | Iterable[Tweet],
    kafka: KafkaConfig,
    pacer: Pacer | None = None,
    progress: bool = True,
    on_progress: Callable[[StreamSummary], None] | None = None,
    create_topics: bool = True,
    undelivered: str | Path | None = None,
    **producer_overrides: Any,
) -> StreamSummary:
    """Produce every tweet of ``source`` to ``kafka.topic``; return what happened.

    Stops at the source's end, at the pacer's limit or duration, or on Ctrl-C / a kernel
    interrupt; in every case what was produced is flushed before returning. Tweets the cluster
    never acknowledged are counted as failed and, with ``undelivered``, written to that file.
    """
    if create_topics:
        ensure_topics(kafka)
    summary = StreamSummary()
    pacer = pacer or Pacer()
    bar = tqdm(desc="streaming", unit=" tweets", disable=not progress, mininterval=0.5, smoothing=0.1)
    started = time.monotonic()
    sink = UndeliveredFile(undelivered) if undelivered is not None else None
    producer = TweetProducer(kafka, undelivered=sink, **producer_overrides)

    def refresh() -> None:
        stats = producer.stats
        summary.produced, summary.delivered, summary.failed = stats.produced, stats.delivered, stats.failed
        summary.seconds = time.monotonic() - started

    guard = InterruptGuard()
    every = getattr(source, "progress_every", PROGRESS_EVERY)  # live sources: every post, not every 1024
    status = publish_status(source, kafka)
    try:
        with producer, guard:
            pending = 0
            for tweet in pacer.pace(source):
                guard.inside = True  # an interrupt now waits until the tweet is counted
                producer.send(tweet)
                summary.read += 1
                guard.inside = False
                if guard.pending:
                    raise KeyboardInterrupt
                pending += 1
                if pending >= every:
                    bar.update(pending)
                    pending = 0
                    if on_progress is not None:
                        refresh()
                        on_progress(summary)
            bar.update(pending)
    except KeyboardInterrupt:
        summary.interrupted = True  # the with-block above already flushed what was queued
    finally:
        bar.close()
        if isinstance(source, TweetSource):
            source.close()
        status.close()  # after the source's last word ("disconnected") went out
    refresh()
    return _finish(summary, source, sink, on_progress)


def _finish(
    summary: StreamSummary,
    source: TweetSource | Iterable[Tweet],
    sink: UndeliveredFile | None,
    on_progress: Callable[[StreamSummary], None] | None,
) -> StreamSummary:
    """The summary's last words: the file of undelivered tweets, the rows the source skipped."""
    if sink is not None and sink.ids:
        summary.undelivered_file, summary.undelivered_ids = str(sink.path), sink.ids
    if isinstance(source, TweetSource):
        summary.skipped = source.skipped.count
        summary.skipped_report = source.skipped.report(source.name)
    if on_progress is not None:
        on_progress(summary)
    return summary
