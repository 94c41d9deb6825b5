"""End-to-end listener throughput: a preloaded topic → all workers → scored, stored, aggregated.

Each run preloads ``N`` realistic records (:mod:`benchmarks.data`: about 20% repeated texts,
heavy-tailed followers) into a fresh topic, then starts a :class:`~tweetpulse.pipeline.listener.Listener`
with ``os.cpu_count()`` workers, a fresh SQLite store and an :class:`~tweetpulse.live.aggregates.Aggregator`,
and follows the aggregator's stored count from ``start()`` until it reaches ``N``. Three figures,
medians over the runs:

* ``e2e_steady_tweets_per_s``: the rate between the folds that took the stored count past 10% and
  past 90% of ``N`` (tweets stored in between / seconds in between): the listener at work, without
  its start-up or the last partitions' tail. The throughput target applies to this one.
* ``e2e_start_s``: ``start()`` → the first tweet stored (the first delta folded with a stored tweet):
  process spawn, imports, the scorer's tables, the store, the group join and the first batch.
* ``e2e_tweets_per_s``: ``N / (start() → every tweet stored)``, the start-up included.

Beside each run, one core of plain ``TextBlob(text).sentiment`` is timed on the run's own texts
(:func:`textblob_rate`, just before and just after the run, in this process): the reference of the
run's ratio. These machines change speed from minute to minute; a reference timed minutes earlier
(the ``scorer`` part) moved a ratio by up to 20% between runs of one session.

Also here: helpers the latency and memory benchmarks share (preloading, waiting for the store), and
a profile of one worker (``python -m benchmarks.bench_e2e --profile [N]``): a
:class:`tweetpulse.pipeline.worker.Worker` run in this process under cProfile on ``N`` preloaded tweets.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager as ContextManager
from contextlib import closing, nullcontext
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from benchmarks import data  # noqa: E402
from tests.support.broker import Broker, fresh_topic, private_broker  # noqa: E402
from tweetpulse.kafka.config import KafkaConfig  # noqa: E402
from tweetpulse.kafka.producer import TweetProducer  # noqa: E402
from tweetpulse.live.aggregates import Aggregator  # noqa: E402
from tweetpulse.live.delta import Delta  # noqa: E402
from tweetpulse.pipeline.listener import Listener, ListenerSettings  # noqa: E402
from tweetpulse.stores import read_frame  # noqa: E402

Figure = dict[str, Any]
Records = Sequence[tuple[bytes, bytes]]

N_FULL, N_QUICK = 200_000, 50_000
REFERENCE_TEXTS = 2_000  # texts of the run's stream each TextBlob reference times (about 0.4 s)
# 6 partitions split evenly over 1, 2, 3 or 6 workers (3 partitions leave one of 2 workers with twice the work)
PARTITIONS = 6


def stored_count(db: Path) -> int:
    try:
        with closing(sqlite3.connect(db, timeout=1)) as conn:
            return int(conn.execute("SELECT count(*) FROM scored_tweets").fetchone()[0])
    except sqlite3.Error:  # not made yet
        return 0


def preload(config: KafkaConfig, records: Records, **overrides: Any) -> float:
    """Produce ``records`` to ``config.topic`` and wait until every one is acknowledged; seconds taken."""
    started = time.perf_counter()
    with TweetProducer(config, **overrides) as producer:
        for key, value in records:
            producer.produce(key, value)
    stats = producer.stats
    if stats.delivered != len(records) or stats.failed:
        raise RuntimeError(
            f"preload: {stats.delivered} of {len(records)} delivered, {stats.failed} failed ({stats.last_error})"
        )
    return time.perf_counter() - started


def wait_stored(
    aggregator: Aggregator, n: int, timeout: float, listener: Listener | None = None, step: float = 0.02
) -> float:
    """Block until ``aggregator`` counts ``n`` stored tweets; returns the monotonic time it did."""
    deadline = time.monotonic() + timeout
    while aggregator.counters.get("stored", 0) < n:
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"only {aggregator.counters.get('stored', 0)} of {n} tweets stored after {timeout:.0f}s")
        if listener is not None and listener.alive() < listener.n_workers:
            listener.check_workers()
        time.sleep(step)
    return time.monotonic()


class Progress(NamedTuple):
    """The aggregator's stored count at one moment (``time.monotonic()``)."""

    at: float
    stored: int


def steady_rate(low: Progress, high: Progress) -> float:
    """Tweets stored per second between two moments of a run."""
    if high.at <= low.at or high.stored < low.stored:
        raise ValueError(f"steady_rate: {high} does not come after {low}")
    return (high.stored - low.stored) / (high.at - low.at)


STEADY_FROM, STEADY_TO = 0.1, 0.9  # the steady rate runs from 10% to 90% of the tweets stored


class TimedAggregator(Aggregator):
    """An aggregator that notes when the first tweet was stored and when the stored count first
    reached each of ``marks`` (fractions of ``n``), at the fold that took it there."""

    def __init__(self, n: int, marks: Sequence[float] = (STEADY_FROM, STEADY_TO)) -> None:
        super().__init__()
        self.first_stored: float | None = None
        self._pending = sorted(max(1, math.ceil(n * mark)) for mark in marks)
        self.reached: list[Progress] = []

    def fold(self, delta: Delta) -> None:
        super().fold(delta)
        now = time.monotonic()
        stored = self.counters.get("stored", 0)  # only the listener's drainer thread folds
        if stored and self.first_stored is None:
            self.first_stored = now
        while self._pending and stored >= self._pending[0]:
            self._pending.pop(0)
            self.reached.append(Progress(now, stored))


def steady_by_scored_at(store: str | Path, n: int) -> float:
    """The steady rate again, from the store: rows between the 10%- and 90%-th ``scored_at`` (a
    batch's start on its worker's clock) over the seconds between them. A cross-check of the
    aggregator's figure, on the workers' clocks instead of the parent's."""
    low, high = int(n * STEADY_FROM), int(n * STEADY_TO)
    if "://" in str(store):  # a store URL (PostgreSQL): through the store's own reader
        times = sorted(read_frame(store)["scored_at"].map(lambda t: t.timestamp()))
        t_low, t_high = times[low], times[high]
    else:
        with closing(sqlite3.connect(store)) as conn:
            query = "SELECT scored_at FROM scored_tweets ORDER BY scored_at LIMIT 1 OFFSET ?"
            t_low, t_high = (conn.execute(query, (i,)).fetchone()[0] for i in (low, high))
    return (high - low) / (t_high - t_low) if t_high > t_low else float("nan")


def one_run(
    broker: Broker, records: Records, workers: int, batch_size: int, partitions: int, store: str, scorer: str = ""
) -> dict[str, float]:
    """One timed run into the fresh store at ``store`` (a path or store URL), scored by ``scorer``
    (a ``--scorer`` spec; empty: the default)."""
    n = len(records)
    with fresh_topic(broker, partitions, prefix="e2e") as kafka:
        preload_s = preload(kafka, records)
        settings = ListenerSettings(
            kafka=kafka,
            group=f"bench-{uuid.uuid4().hex[:8]}",
            store_path=store,
            batch_size=batch_size,
            scorer=scorer or ListenerSettings.scorer,
        )
        aggregator = TimedAggregator(n)
        listener = Listener(settings, workers=workers, aggregator=aggregator)
        started = time.monotonic()
        listener.start(ensure=False)
        try:
            done = wait_stored(aggregator, n, timeout=max(120.0, n / 1000), listener=listener)
        finally:
            summary = listener.stop()
    if summary.stored != n or summary.dead:
        raise RuntimeError(f"e2e: stored {summary.stored} of {n}, {summary.dead} dead-lettered")
    assert aggregator.first_stored is not None and len(aggregator.reached) == 2
    low, high = aggregator.reached
    return {
        "tweets_per_s": n / (done - started),
        "steady_tweets_per_s": steady_rate(low, high),
        "steady_by_scored_at_tweets_per_s": steady_by_scored_at(store, n),
        "start_s": aggregator.first_stored - started,
        "elapsed_s": done - started,
        "steady_window_s": high.at - low.at,
        "preload_s": preload_s,
    }


def textblob_rate(texts: Sequence[str]) -> float:
    """Texts per second of one core of plain ``TextBlob(text).sentiment`` over ``texts``."""
    from tweetpulse.scorers.scoring import textblob_sentiment

    started = time.perf_counter()
    for text in texts:
        textblob_sentiment(text)
    return len(texts) / (time.perf_counter() - started)


def reference_texts(records: Records, n: int = REFERENCE_TEXTS) -> list[str]:
    """The first ``n`` texts of the stream (repeats included, as the listener sees them)."""
    return [orjson.loads(value)["text"] for _, value in records[:n]]


def sqlite_stores() -> Iterator[ContextManager[str]]:
    """A fresh SQLite file per run (in a folder removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        while True:
            yield nullcontext(str(Path(tmp) / f"e2e-{uuid.uuid4().hex[:8]}.db"))


def run(
    broker: Broker,
    n: int = N_FULL,
    runs: int = 3,
    workers: int | None = None,
    batch_size: int | None = None,
    partitions: int = PARTITIONS,
    stores: Iterator[ContextManager[str]] | None = None,
    store_name: str = "SQLite (WAL), fresh file per run",
    prefix: str = "e2e",
    scorer: str = "",
) -> dict[str, Figure]:
    """The steady rate, the start time and the rate from start (medians over ``runs``), each run into
    a fresh store from ``stores`` (default SQLite); ``prefix`` names the figures (``e2e_pg`` for PostgreSQL)."""
    workers = workers or os.cpu_count() or 1
    batch_size = batch_size or ListenerSettings().batch_size
    records = data.records(n, id_prefix="e2e")
    texts = reference_texts(records)
    textblob_rate(texts[:200])  # TextBlob's imports and lazy tables, before anything is timed
    results = []
    stores = stores if stores is not None else sqlite_stores()
    try:
        for _ in range(runs):
            before = textblob_rate(texts)
            with next(stores) as store:
                result = one_run(broker, records, workers, batch_size, partitions, store, scorer)
            result["textblob_tweets_per_s"] = (before + textblob_rate(texts)) / 2
            result["vs_textblob"] = result["steady_tweets_per_s"] / result["textblob_tweets_per_s"]
            results.append(result)
    finally:
        close = getattr(stores, "close", None)
        if close is not None:
            close()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    common = {
        "tweets": n,
        "runs": runs,
        "workers": workers,
        "batch_size": batch_size,
        "partitions": partitions,
        "store": store_name,
        "scorer": scorer or ListenerSettings().scorer,
        "aggregates": True,
        "preload": "TweetProducer defaults (idempotent, acks=all, lz4)",
        "data": data.describe(records),
    }
    steady = {
        **common,
        "timed": f"between the aggregator folds that took the stored count past {STEADY_FROM:.0%} and past "
        f"{STEADY_TO:.0%} of the tweets: tweets stored in between / seconds in between",
        "per_run_tweets_per_s": [round(r["steady_tweets_per_s"]) for r in results],
        "median_window_s": round(med("steady_window_s"), 2),
        "median_by_scored_at_tweets_per_s": round(med("steady_by_scored_at_tweets_per_s")),
        "by_scored_at": f"the same from the store: rows between the {STEADY_FROM:.0%}- and {STEADY_TO:.0%}-th "
        "scored_at (a batch's start, on the workers' clocks) over the seconds between them",
    }
    start = {
        **common,
        "timed": "from Listener.start() (store check, process spawn, imports, scorer tables, group join, first "
        "batch) until the aggregator folds the first delta with a stored tweet",
        "per_run_s": [round(r["start_s"], 3) for r in results],
    }
    from_start = {
        **common,
        "timed": "from Listener.start() (spawn, imports, group join included) until the aggregator counts every "
        "tweet stored",
        "per_run_tweets_per_s": [round(r["tweets_per_s"]) for r in results],
        "median_elapsed_s": round(med("elapsed_s"), 2),
    }
    paired = {
        **common,
        "timed": "each run's steady rate over one core of plain TextBlob(text).sentiment, timed on "
        f"the first {len(texts):,} texts of the run's stream just before and just after the run "
        "(their mean); the median of the runs' ratios",
        "per_run_x": [round(r["vs_textblob"], 2) for r in results],
        "per_run_textblob_tweets_per_s": [round(r["textblob_tweets_per_s"]) for r in results],
    }
    return {
        f"{prefix}_steady_tweets_per_s": {
            "value": round(med("steady_tweets_per_s")),
            "unit": "tweets/s",
            "settings": steady,
        },
        f"{prefix}_paired_vs_textblob": {"value": round(med("vs_textblob"), 2), "unit": "x", "settings": paired},
        f"{prefix}_start_s": {"value": round(med("start_s"), 3), "unit": "s", "settings": start},
        f"{prefix}_tweets_per_s": {"value": round(med("tweets_per_s")), "unit": "tweets/s", "settings": from_start},
    }


# ------------------------------------------------------------------------------------------ profile
def profile_worker(broker: Broker, n: int = 50_000, batch_size: int | None = None, top: int = 15) -> str:
    """cProfile of one :class:`~tweetpulse.pipeline.worker.Worker` consuming ``n`` preloaded tweets in-process."""
    from tweetpulse.pipeline.worker import Budget, Worker

    records = data.records(n, id_prefix="prof")
    with fresh_topic(broker, PARTITIONS, prefix="prof") as kafka, tempfile.TemporaryDirectory() as tmp:
        preload(kafka, records)
        settings = ListenerSettings(
            kafka=kafka,
            group=f"prof-{uuid.uuid4().hex[:8]}",
            store_path=str(Path(tmp) / "prof.db"),
            batch_size=batch_size or ListenerSettings().batch_size,
        )
        stored = [0]

        def emit(delta: Delta) -> None:
            stored[0] += delta.get("counters", {}).get("stored", 0)

        should_stop: Callable[[], bool] = lambda: stored[0] >= n  # noqa: E731
        worker = Worker(0, settings, emit, Budget(None), should_stop)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        worker.run()
        profiler.disable()
        elapsed = time.perf_counter() - started
    out = io.StringIO()
    out.write(
        f"one worker, {n} tweets, batch {settings.batch_size}: {elapsed:.2f}s under cProfile "
        f"({n / elapsed:,.0f} tweets/s with profiling overhead)\n"
    )
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=50_000,
        metavar="N",
        help="profile one worker in-process on N preloaded tweets (default 50000)",
    )
    parser.add_argument("-n", type=int, default=N_QUICK)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--partitions", type=int, default=PARTITIONS)
    parser.add_argument("--workers", type=int)
    args = parser.parse_args(argv)
    with private_broker() as broker:
        if args.profile:
            print(profile_worker(broker, args.profile, args.batch_size))
        else:
            import json

            print(json.dumps(run(broker, args.n, args.runs, args.workers, args.batch_size, args.partitions), indent=2))


if __name__ == "__main__":
    main()
