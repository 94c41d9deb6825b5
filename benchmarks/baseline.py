"""The original tutorial's listener, re-created faithfully, as the baseline for ``e2e_vs_baseline``.

The tutorial's listener was one process running a kafka-python loop::

    consumer = KafkaConsumer(topic, bootstrap_servers=..., auto_offset_reset="earliest")
    shared = multiprocessing.Manager().list()     # the list the original dashboard read
    for message in consumer:
        tweet = json.loads(message.value)
        polarity, subjectivity = TextBlob(tweet["text"]).sentiment
        weight = math.log(tweet["followers"] + 1)
        shared.append((tweet["id"], polarity * weight, ...))   # one IPC round trip per tweet

:func:`baseline_loop` is that loop. It reads the same realistic records (:mod:`benchmarks.data`) from
a fresh topic on the same broker. The records are preloaded uncompressed, as the tutorial's
kafka-python producer sent them (kafka-python cannot read lz4 without the optional ``lz4`` package).

``baseline_tweets_per_s`` = messages handled / seconds from the first message to the ``N``-th
(the consumer's connect and group join are left out, which flatters the baseline: the tweetpulse
figure it is compared with counts its start-up). Median over the runs.
"""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import statistics
import time
import uuid
from typing import Any

from benchmarks import data
from benchmarks.bench_e2e import preload
from tests.support.broker import Broker, fresh_topic

Figure = dict[str, Any]
N_FULL, N_QUICK = 20_000, 10_000
PARTITIONS = 3


def baseline_loop(bootstrap: str, topic: str, n: int, timeout_s: float = 300.0) -> dict[str, float]:
    """Consume ``n`` messages the tutorial's way; timings of the run."""
    from kafka import KafkaConsumer
    from textblob import TextBlob

    manager = mp.Manager()
    try:
        shared = manager.list()
        started = time.perf_counter()
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=f"baseline-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            consumer_timeout_ms=int(timeout_s * 1000),
        )
        try:
            handled = 0
            first = 0.0
            for message in consumer:
                if not handled:
                    first = time.perf_counter()
                tweet = json.loads(message.value)
                polarity, subjectivity = TextBlob(tweet["text"]).sentiment
                followers = tweet.get("followers")
                weight = math.log(followers + 1) if followers is not None else 1.0
                shared.append((tweet["id"], tweet["text"], polarity, subjectivity, weight, polarity * weight))
                handled += 1
                if handled >= n:
                    break
            done = time.perf_counter()
        finally:
            consumer.close(autocommit=False)
        if handled < n:
            raise RuntimeError(f"baseline: only {handled} of {n} messages arrived within {timeout_s:.0f}s")
        if len(shared) != n:
            raise RuntimeError(f"baseline: the shared list holds {len(shared)} of {n}")
    finally:
        manager.shutdown()
    return {
        "tweets_per_s": (n - 1) / (done - first),
        "wall_tweets_per_s": n / (done - started),
        "join_s": first - started,
    }


def run(broker: Broker, n: int = N_FULL, runs: int = 3) -> dict[str, Figure]:
    records = data.records(n, id_prefix="base")
    results = []
    for _ in range(runs):
        with fresh_topic(broker, PARTITIONS, prefix="baseline") as kafka:
            preload(kafka, records, **{"compression.type": "none"})
            results.append(baseline_loop(broker.bootstrap, kafka.topic, n))
    settings = {
        "tweets": n,
        "runs": runs,
        "partitions": PARTITIONS,
        "processes": 1,
        "loop": "kafka-python KafkaConsumer: for message in consumer -> json.loads -> TextBlob(text).sentiment -> "
        "math.log(followers+1) -> multiprocessing.Manager().list().append per message",
        "timed": "first message to the N-th handled (connect and group join left out)",
        "per_run_tweets_per_s": [round(r["tweets_per_s"]) for r in results],
        "median_wall_tweets_per_s_with_join": round(statistics.median(r["wall_tweets_per_s"] for r in results)),
        "median_join_s": round(statistics.median(r["join_s"] for r in results), 2),
        "preload": "uncompressed (as kafka-python's producer sends by default)",
    }
    return {
        "baseline_tweets_per_s": {
            "value": round(statistics.median(r["tweets_per_s"] for r in results)),
            "unit": "tweets/s",
            "settings": settings,
        }
    }
