"""The page on its own, reading the store: ``tweetpulse dashboard --store PATH``.

:class:`StoreFollower` fills an :class:`~tweetpulse.live.aggregates.Aggregator` from the store the
listener writes (any :class:`~tweetpulse.stores.TweetStore`), so the page survives a listener
restart and shows history at once:

* at start it **backfills** from :meth:`~tweetpulse.stores.TweetStore.history`, a few aggregate
  queries bounded by the window: all-time totals per keyword group and label, per-second totals
  of the window, the latest tweets, recent latencies, and the window's most influential authors;
* then it **tails** the tweets stored since, in commit order
  (:meth:`~tweetpulse.stores.TweetStore.follow`), in a thread, folding them into the aggregator
  as deltas with :func:`~tweetpulse.live.aggregates.fold`, exactly as the listener's workers do.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from tweetpulse.errors import StoreError
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.live import DEFAULT_REFRESH_MS
from tweetpulse.live.aggregates import OVERALL, Aggregator, Bucket, add_counts, empty_bucket
from tweetpulse.live.delta import Delta, DeltaBuilder, fold_all, recent_row
from tweetpulse.records import ScoredTweet
from tweetpulse.scorers.scoring import Scorer
from tweetpulse.stores import TweetStore, open_store

log = logging.getLogger(__name__)


class StoreFollower:
    """Backfill ``aggregator`` from the store at ``location`` (a path or store URL), then follow new
    tweets every ``poll`` seconds."""

    def __init__(
        self,
        location: str | Path,
        aggregator: Aggregator,
        poll: float = 0.5,
        batch: int = 50_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store: TweetStore = open_store(location, create=False)
        self.location = self.store.location
        self.aggregator = aggregator
        self.poll = poll
        self.batch = batch
        self.clock = clock
        self.rows_read = 0
        self.notice: str | None = None  # what holds the page back, for its status line (None: nothing)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> StoreFollower:
        self.backfill()
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- backfill -------------------------------------------------------------------------------
    def backfill(self) -> int:
        """Load history: totals of everything, buckets of the window; returns the tweets accounted for."""
        agg = self.aggregator
        cutoff = int(self.clock()) - agg.window + 1
        author_cutoff = max(cutoff, int(self.clock()) - agg.authors.window + 1)
        history = self.store.history(cutoff, author_cutoff, agg.recent.maxlen or 0, agg.latencies.maxlen or 0)

        stored = 0
        seeds: dict[str, Bucket] = {}
        for totals in history.before:
            stored += totals.tweets
            for group in (OVERALL, *totals.keywords):
                bucket = seeds.setdefault(group, empty_bucket())
                add_counts(bucket, totals.label, totals.tweets, totals.score, totals.polarity)
        for group, bucket in seeds.items():
            agg.seed(group, bucket)
        buckets: dict[tuple[int, str], Bucket] = {}
        for second in history.window:
            stored += second.tweets
            for group in (OVERALL, *second.keywords):
                bucket = buckets.setdefault((second.second, group), empty_bucket())
                add_counts(bucket, second.label, second.tweets, second.score, second.polarity)
        by_minute: dict[int, list[tuple[str, float, float, int, int]]] = {}
        for author in history.authors:
            by_minute.setdefault(author.minute, []).append(
                (author.author, author.abs_sum, author.net, author.tweets, author.followers)
            )
        agg.fold(
            {
                "buckets": [(s, g, b) for (s, g), b in sorted(buckets.items())],
                "recent": [recent_row(tweet) for tweet in history.recent],
                "latencies": history.latencies,
                "counters": {"consumed": stored, "stored": stored},
            }
        )
        for minute in sorted(by_minute):
            agg.fold({"authors": (minute, by_minute[minute])})
        self.rows_read = stored
        log.info("dashboard: backfilled %d stored tweets from %s", stored, self.location)
        return stored

    # -- tail -----------------------------------------------------------------------------------
    def poll_once(self) -> int:
        """Fold the tweets stored since the last call; returns how many."""
        tweets = self.store.follow(self.batch)
        if tweets:
            self.aggregator.fold(self._delta(tweets))
            self.rows_read += len(tweets)
        return len(tweets)

    def _delta(self, tweets: Sequence[ScoredTweet]) -> Delta:
        agg = self.aggregator
        builder = DeltaBuilder(-1, recent_max=agg.recent.maxlen or 20, latency_max=agg.latencies.maxlen or 200)
        fold_all(builder, tweets)
        builder.count(consumed=len(tweets), stored=len(tweets))
        return builder.take() or {}

    def check_held_back(self) -> str | None:
        """Ask the store whether stored tweets wait behind something (logged once when it starts)."""
        notice = self.store.held_back()
        if notice and not self.notice:
            log.warning("dashboard: %s", notice)
        self.notice = notice
        return notice

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                got = self.poll_once()
                if not got:
                    self.check_held_back()
                else:
                    self.notice = None
            except StoreError as exc:  # the store is busy or being replaced: try again shortly
                log.warning("dashboard: reading %s failed (%s); retrying", self.location, exc)
                self.notice = f"reading the store failed ({exc}); retrying"
                got = 0
            if got < self.batch and self._stop.wait(self.poll):
                return

    def start(self) -> StoreFollower:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="tweetpulse-store-follower", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self.store.close()


def store_groups(aggregator: Aggregator, preferred: Iterable[str] = ("bitcoin", "ethereum", "dogecoin")) -> list[str]:
    """The keyword groups to draw: the known coins first, then any other group the store holds."""
    seen = [g for g in aggregator.groups() if g != OVERALL]
    first = [g for g in preferred if g in seen] or list(preferred)
    return [OVERALL, *first, *(g for g in seen if g not in first)]


def run_dashboard(
    store: str | Path,
    host: str = "127.0.0.1",
    port: int = 8050,
    window: int = 3600,
    kafka: KafkaConfig | None = None,
    group: str | None = None,
    duration: float | None = None,
    interval_ms: int = DEFAULT_REFRESH_MS,
    classify: Scorer | None = None,
    prices: bool = True,
) -> int:
    """Serve the page for the store at ``store`` until Ctrl-C (or ``duration`` seconds); returns
    the rows it read. With ``group`` (and ``kafka``), the health panel shows that group's lag.
    ``classify``: the scorer of the classify box (default ``textblob``). ``prices``: draw the store's
    prices table beside the sentiment."""
    from tweetpulse.dashboard.app import build_app
    from tweetpulse.dashboard.health import lag_probe
    from tweetpulse.dashboard.server import DashboardServer, check_port
    from tweetpulse.dashboard.store_prices import StorePrices
    from tweetpulse.live.prices import PriceBoard

    check_port(host, port)  # before the store is read
    aggregator = Aggregator(window_seconds=window)
    follower = StoreFollower(store, aggregator)
    health = lag_probe(kafka or KafkaConfig(), group) if group else None
    board = PriceBoard(window) if prices else None
    with follower, StorePrices(store, board):
        subtitle = f"store {follower.location}" + (
            f" · group {group} on {(kafka or KafkaConfig()).bootstrap_servers}" if group else ""
        )
        app = build_app(
            aggregator,
            store_groups(aggregator),
            subtitle=subtitle,
            interval_ms=interval_ms,
            max_points=window,
            health=health,
            show_workers=False,
            settle=3,
            classify=classify,
            notice=lambda: follower.notice,
            prices=board,
        )
        with DashboardServer(app, host, port) as server:
            print(
                f"tweetpulse dashboard: {follower.rows_read:,} stored tweets loaded; live page at {server.url} "
                "(Ctrl-C to stop)",
                flush=True,
            )
            deadline = time.monotonic() + duration if duration is not None else None
            try:
                while deadline is None or time.monotonic() < deadline:
                    time.sleep(0.2)
            except KeyboardInterrupt:
                print("tweetpulse dashboard: stopping", flush=True)
        return follower.rows_read
