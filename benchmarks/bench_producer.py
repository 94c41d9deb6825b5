"""Producer throughput: a dataset replayed with no pacing, tweets/s delivered (acks=all, idempotent).

``N`` realistic records (:mod:`benchmarks.data`) are written once as a ``jsonl`` file to a temporary
folder; each run streams the whole file with ``stream(ReplaySource(path), kafka, progress=False)``
(the ``tweetpulse stream --source replay`` path: parse, keyword matching, ``TweetProducer`` with its
defaults) into a fresh 3-partition topic. ``producer_tweets_per_s`` is the median over the runs of
``delivered / seconds`` as the streamer reports them (the final flush included).
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import data
from tests.support.broker import Broker, fresh_topic
from tweetpulse.kafka.producer import PRODUCER_DEFAULTS
from tweetpulse.pipeline.streamer import stream
from tweetpulse.sources.replay import ReplaySource

Figure = dict[str, Any]
N_FULL, N_QUICK = 500_000, 100_000
PARTITIONS = 3


def run(broker: Broker, n: int = N_FULL, runs: int = 3) -> dict[str, Figure]:
    rates: list[float] = []
    seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-producer-") as tmp:
        path = data.write_jsonl(Path(tmp) / "tweets.jsonl", n, id_prefix="prod")
        size = path.stat().st_size
        for _ in range(runs):
            with fresh_topic(broker, PARTITIONS, prefix="producer") as kafka:
                summary = stream(ReplaySource(path), kafka, progress=False, create_topics=False)
            if summary.delivered != n or summary.failed:
                raise RuntimeError(f"producer: delivered {summary.delivered} of {n}, failed {summary.failed}")
            rates.append(summary.rate)
            seconds.append(summary.seconds)
    settings = {
        "tweets": n,
        "runs": runs,
        "partitions": PARTITIONS,
        "file_mb": round(size / 1e6, 1),
        "path": "stream(ReplaySource(jsonl), progress=False): parse + keyword match + TweetProducer",
        "producer": {k: v for k, v in PRODUCER_DEFAULTS.items()},
        "counted": "delivered (delivery callbacks, acks=all) / seconds including the final flush",
        "per_run_tweets_per_s": [round(r) for r in rates],
        "median_seconds": round(statistics.median(seconds), 2),
    }
    return {
        "producer_tweets_per_s": {"value": round(statistics.median(rates)), "unit": "tweets/s", "settings": settings}
    }
