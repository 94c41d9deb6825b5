"""``tweetpulse spark`` throughput, beside the listener's: the same records, topic shape and store.

Each run preloads the ``e2e`` records (:func:`benchmarks.data.records`, 200k; 50k quick) into a fresh
6-partition topic and starts ``tweetpulse spark`` as a user would (a subprocess: its own JVM, Python
workers, ``--master local[cores]``, a fresh SQLite store and checkpoint, 1 GB driver heap), then
follows the store's row count until every tweet is stored. Three figures, medians over the runs:

* ``spark_steady_tweets_per_s``: the store's rows between the 10%- and 90%-th ``scored_at`` (an Arrow
  batch's start on its Python worker's clock) over the seconds between them (as the listener's
  cross-check ``steady_by_scored_at``): the job at work, without the JVM's start.
* ``spark_start_s``: the command started → the first row in the store (JVM, session, query, first
  micro-batch: what a user waits).
* ``spark_tweets_per_s``: N / (the command started → every tweet stored).

``spark_vs_e2e`` (made in ``benchmarks/__main__.py``) is the steady rate over the listener's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import data  # noqa: E402
from benchmarks.bench_e2e import N_FULL, N_QUICK, PARTITIONS, preload, steady_by_scored_at, stored_count  # noqa: E402
from tests.support.broker import Broker, fresh_topic  # noqa: E402

Figure = dict[str, Any]
__all__ = ["N_FULL", "N_QUICK", "run"]
DRIVER_MEMORY = "1g"


def one_run(broker: Broker, records: list[tuple[bytes, bytes]], cores: int, tmp: Path) -> dict[str, Any]:
    n = len(records)
    db, checkpoint, summary = tmp / "spark.db", tmp / "ckpt", tmp / "summary.json"
    with fresh_topic(broker, PARTITIONS, prefix="spark") as kafka:
        preload(kafka, records)
        command = [sys.executable, "-m", "tweetpulse.cli", "spark", "--bootstrap-servers", kafka.bootstrap_servers]
        command += ["--topic", kafka.topic, "--store", str(db), "--checkpoint", str(checkpoint)]
        command += ["--master", f"local[{cores}]", "--idle-exit", "2", "--summary-json", str(summary)]
        command += ["--conf", f"spark.driver.memory={DRIVER_MEMORY}", "--conf", "spark.ui.enabled=false"]
        with (tmp / "spark.log").open("w") as log:
            started = time.monotonic()
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            first = done = None
            while done is None:
                time.sleep(0.1)
                count = stored_count(db)
                now = time.monotonic()
                if count and first is None:
                    first = now
                if count >= n:
                    done = now
                elif process.poll() is not None or now - started > max(300.0, n / 200):
                    process.kill()
                    raise RuntimeError(f"spark: {count} of {n} stored; log: {(tmp / 'spark.log').read_text()[-2000:]}")
            code = process.wait(120)
    result = json.loads(summary.read_text())
    if code != 0 or result["stored"] != n or result["dead"]:
        raise RuntimeError(f"spark: exit {code}, summary {result}")
    assert first is not None
    return {
        "tweets_per_s": n / (done - started),
        "steady_tweets_per_s": steady_by_scored_at(db, n),
        "start_s": first - started,
        "micro_batches": result["batches"],
    }


def run(broker: Broker, n: int = N_FULL, runs: int = 3) -> dict[str, Figure]:
    """The steady rate, start time and rate from start of ``tweetpulse spark`` (medians over ``runs``)."""
    from tweetpulse.spark.runtime import spark_version

    cores = os.cpu_count() or 1
    records = data.records(n, id_prefix="e2e")
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
            results.append(one_run(broker, records, cores, Path(tmp)))

    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    common = {
        "tweets": n,
        "runs": runs,
        "master": f"local[{cores}]",
        "spark": spark_version(),
        "driver_memory": DRIVER_MEMORY,
        "partitions": PARTITIONS,
        "store": "SQLite (WAL), fresh file per run",
        "how": "tweetpulse spark as a subprocess (JVM, Kafka source, foreachBatch + mapInArrow in Python workers)",
        "micro_batches": [r["micro_batches"] for r in results],
        "data": data.describe(records),
    }
    return {
        "spark_steady_tweets_per_s": {
            "value": round(med("steady_tweets_per_s")),
            "unit": "tweets/s",
            "settings": {
                **common,
                "timed": "rows between the 10%- and 90%-th scored_at (an Arrow batch's start on its Python "
                "worker's clock) over the seconds between them",
                "per_run_tweets_per_s": [round(r["steady_tweets_per_s"]) for r in results],
            },
        },
        "spark_start_s": {
            "value": round(med("start_s"), 2),
            "unit": "s",
            "settings": {**common, "timed": "the command started (JVM, session, query) → the first row in the store"},
        },
        "spark_tweets_per_s": {
            "value": round(med("tweets_per_s")),
            "unit": "tweets/s",
            "settings": {
                **common,
                "timed": "the command started → every tweet in the store",
                "per_run_tweets_per_s": [round(r["tweets_per_s"]) for r in results],
            },
        },
    }
