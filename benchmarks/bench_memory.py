"""Listener memory over a long run: RSS growth from after warm-up to the end.

The listener (``os.cpu_count()`` workers, store, aggregator) runs in a host process of its own, so
the benchmark's own data does not count; its resident memory is the host's plus its workers'
(psutil), sampled every half second. A separate producer process streams realistic records
(:mod:`benchmarks.data`, a ``jsonl`` file replayed in a loop, so ids stay unique) with no pacing
but at most ``MAX_BACKLOG`` tweets ahead of the listener, so the listener works flat out for the
whole run without the topic piling up gigabytes.

``rss_growth_pct = (end - warm) / warm * 100``, where ``warm`` is the RSS when the listener had
consumed the first 20% of the tweets it consumed in the whole run (start-up and imports done, the
consumers' fetch queues full) and ``end`` the RSS at the end. One long run (the run's length is
what the figure is about): the full run streams :data:`TWEETS_FULL` tweets (issue 23: memory flat over
5M tweets), however long that takes (at most :data:`DURATION_FULL` seconds), and waits for the listener
to consume them. The scorers' result caches (65,536 texts per worker) keep filling for a while after
the warm sample, so a short run (``--quick``, 20 s) overstates the growth.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks import data
from benchmarks.bench_e2e import PARTITIONS
from tests.support.broker import Broker, fresh_topic
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.listener import ListenerSettings

Figure = dict[str, Any]
DURATION_FULL, DURATION_QUICK = 900.0, 20.0  # the full run's cap; the quick run's length
TWEETS_FULL = 5_100_000  # over 5M, so that 5M are consumed even if the cap cut the stream short
WARM_FRACTION = 0.2  # of the tweets consumed in the run
MAX_BACKLOG = 50_000
FILE_TWEETS = 200_000
SAMPLE_EVERY = 0.5


def listener_host(settings: ListenerSettings, workers: int, counts: Any, stop: Any, out: Any) -> None:
    """Entry point of the listener's host process: run the listener until ``stop``, publishing counts."""
    from tweetpulse.live.aggregates import Aggregator
    from tweetpulse.pipeline.listener import Listener

    aggregator = Aggregator()
    listener = Listener(settings, workers=workers, aggregator=aggregator)
    try:
        listener.start(ensure=False)
        out.put({"worker_pids": [p.pid for p in listener.processes]})
        while not stop.is_set():
            counts[0] = aggregator.counters.get("consumed", 0)
            counts[1] = aggregator.counters.get("stored", 0)
            listener.check_workers()
            time.sleep(0.1)
        summary = listener.stop()
        out.put({"summary": summary.as_dict(), "restarts": listener.restarts})
    except BaseException as exc:
        listener.stop()
        out.put({"error": f"{type(exc).__name__}: {exc}"})
        raise


def gated_producer(
    bootstrap: str,
    topic: str,
    path: str,
    duration: float,
    counts: Any,
    max_backlog: int,
    out: Any,
    limit: int | None = None,
) -> None:
    """Entry point of the producer process: replay ``path`` in a loop for ``duration`` seconds (or
    until ``limit`` tweets), never more than ``max_backlog`` tweets ahead of what the listener has consumed."""
    from collections.abc import Iterable, Iterator

    from tweetpulse.pipeline.pacing import Pacer
    from tweetpulse.pipeline.streamer import stream
    from tweetpulse.records import Tweet
    from tweetpulse.sources.replay import ReplaySource

    deadline = time.monotonic() + duration

    def gate(source: Iterable[Tweet]) -> Iterator[Tweet]:
        for produced, tweet in enumerate(source):
            if limit is not None and produced >= limit:
                return
            if produced % 1000 == 0:
                while produced - counts[0] > max_backlog and time.monotonic() < deadline:
                    time.sleep(0.02)
            yield tweet

    kafka = KafkaConfig(bootstrap_servers=bootstrap, topic=topic)
    try:
        summary = stream(
            gate(ReplaySource(path, loop=True)),
            kafka,
            pacer=Pacer(duration=duration),
            progress=False,
            create_topics=False,
        )
        out.put(summary.as_dict())
    except BaseException as exc:
        out.put({"error": f"{type(exc).__name__}: {exc}"})
        raise


def tree_rss(pid: int) -> tuple[int, int]:
    """RSS (bytes) of a process and of its descendants."""
    import psutil

    try:
        host = psutil.Process(pid)
        own = host.memory_info().rss
        children = 0
        for child in host.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                children += child.memory_info().rss
        return own, children
    except psutil.Error:
        return 0, 0


def sample(pid: int, started: float, counts: Any) -> tuple[float, int, int, int]:
    """(seconds since ``started``, tweets consumed, the host's RSS, its workers' RSS)."""
    own, children = tree_rss(pid)
    return time.monotonic() - started, int(counts[0]), own, children


def _get(q: Any, timeout: float, what: str) -> dict[str, Any]:
    try:
        item: dict[str, Any] = q.get(timeout=timeout)
    except queue.Empty:
        raise RuntimeError(f"memory: no answer from the {what} within {timeout:.0f}s") from None
    if "error" in item:
        raise RuntimeError(f"memory: the {what} failed: {item['error']}")
    return item


def run(
    broker: Broker,
    duration: float = DURATION_FULL,
    workers: int | None = None,
    file_tweets: int = FILE_TWEETS,
    tweets: int | None = TWEETS_FULL,
) -> dict[str, Figure]:
    """One run: stream ``tweets`` (or for ``duration`` seconds, whichever ends first) and sample RSS."""
    workers = workers or os.cpu_count() or 1
    ctx = mp.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
        fresh_topic(broker, PARTITIONS, prefix="memory") as kafka,
    ):
        folder = Path(tmp)
        path = data.write_jsonl(folder / "memory.jsonl", file_tweets, id_prefix="mem")
        settings = ListenerSettings(
            kafka=kafka, group=f"memory-{uuid.uuid4().hex[:8]}", store_path=str(folder / "memory.db")
        )
        counts = ctx.Array("q", 2, lock=False)
        stop = ctx.Event()
        host_out, producer_out = ctx.Queue(), ctx.Queue()
        host = ctx.Process(
            target=listener_host, name="bench-listener-host", args=(settings, workers, counts, stop, host_out)
        )
        producer = ctx.Process(
            target=gated_producer,
            name="bench-gated-producer",
            args=(broker.bootstrap, kafka.topic, str(path), duration, counts, MAX_BACKLOG, producer_out, tweets),
        )
        host.start()
        samples: list[tuple[float, int, int, int]] = []  # (t, consumed, host rss, workers rss)
        try:
            _get(host_out, 60, "listener host")
            producer.start()
            started = time.monotonic()
            while producer.is_alive() and time.monotonic() - started < duration + 60:
                samples.append(sample(host.pid or 0, started, counts))
                time.sleep(SAMPLE_EVERY)
            produced = _get(producer_out, 60, "producer")
            caught_up = time.monotonic() + 60  # the listener consumes the backlog the producer left
            while int(counts[0]) < produced["delivered"] and time.monotonic() < caught_up:
                samples.append(sample(host.pid or 0, started, counts))
                time.sleep(SAMPLE_EVERY)
        finally:
            stop.set()
            host.join(60)
            producer.join(10)
            for process in (producer, host):
                if process.is_alive():
                    process.terminate()
                    process.join(5)
        result = _get(host_out, 10, "listener host")
    measured = [s for s in samples if s[1] > 0]
    end = measured[-1] if measured else None
    warm = next((s for s in measured if s[1] >= WARM_FRACTION * end[1]), None) if end else None
    if warm is None or end is None or end[0] <= warm[0]:
        raise RuntimeError("memory: the run was too short to take a warm and an end sample")
    warm_rss, end_rss = warm[2] + warm[3], end[2] + end[3]
    growth = (end_rss - warm_rss) / warm_rss * 100
    mb = 1 / 2**20
    summary = result["summary"]
    settings_out = {
        "duration_cap_s": duration,
        "tweets_target": tweets,
        "workers": workers,
        "partitions": PARTITIONS,
        "tweets_processed": summary["consumed"],
        "tweets_stored": summary["stored"],
        "tweets_produced": produced["delivered"],
        "listener_tweets_per_s": round(summary["rate"]),
        "warm_at_s": round(warm[0], 1),
        "end_at_s": round(end[0], 1),
        "tweets_at_warm": warm[1],
        "tweets_at_end": end[1],
        "warm_rss_mb": round(warm_rss * mb, 1),
        "end_rss_mb": round(end_rss * mb, 1),
        "peak_rss_mb": round(max(s[2] + s[3] for s in measured) * mb, 1),
        "host_rss_mb_warm_end": [round(warm[2] * mb, 1), round(end[2] * mb, 1)],
        "workers_rss_mb_warm_end": [round(warm[3] * mb, 1), round(end[3] * mb, 1)],
        "max_backlog": MAX_BACKLOG,
        "file_tweets": file_tweets,
        "worker_restarts": result["restarts"],
        "measured": "psutil RSS of the listener host process (Listener + Aggregator) plus its worker processes",
        "runs": 1,
    }
    return {
        "rss_growth_pct": {"value": round(growth, 2), "unit": "%", "settings": settings_out},
        "rss_tweets_processed": {"value": summary["consumed"], "unit": "tweets", "settings": settings_out},
    }
