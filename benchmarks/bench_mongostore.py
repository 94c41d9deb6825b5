"""The MongoDB store: the end-to-end rate and the insert rate, beside SQLite's and PostgreSQL's.

* ``e2e_mongo_steady_tweets_per_s``, ``e2e_mongo_start_s``, ``e2e_mongo_tweets_per_s``: exactly
  :mod:`benchmarks.bench_e2e`'s measurement with the listener writing a fresh MongoDB database per run.
* ``store_insert_mongodb_tweets_per_s``: one process inserting ``N`` scored tweets in the listener's
  batches into a fresh database, as :mod:`benchmarks.bench_pgstore` times SQLite and PostgreSQL.

The server is FerretDB 1.x over SQLite started by ``scripts/mongodb-setup.sh`` (what the tests use), or
``TWEETPULSE_BENCH_MONGODB_URL``'s (a real MongoDB). ``python -m benchmarks.bench_mongostore --inserts-only``
runs the insert part alone.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_e2e  # noqa: E402
from benchmarks.bench_pgstore import BATCH, INSERTS_QUICK, insert_rate, scored_tweets  # noqa: E402
from benchmarks.storecli import store_bench_main  # noqa: E402
from tests.support.broker import Broker  # noqa: E402
from tests.support.mongodb import fresh_database, private_mongodb  # noqa: E402
from tweetpulse.stores import open_store  # noqa: E402

Figure = dict[str, Any]


def mongo_stores(url: str) -> Iterator[ContextManager[str]]:
    """A fresh store URL per run: a database of its own on ``url``'s server, dropped after the run."""
    while True:
        yield fresh_database(url)


def run_inserts(url: str, n: int, runs: int) -> dict[str, Figure]:
    tweets = scored_tweets(n)
    rates = []
    for _ in range(runs):
        with fresh_database(url) as store_url:
            rates.append(insert_rate(open_store(store_url), tweets))
    return {
        "store_insert_mongodb_tweets_per_s": {
            "value": round(statistics.median(rates)),
            "unit": "tweets/s",
            "settings": {
                "tweets": n,
                "runs": runs,
                "batch": BATCH,
                "method": "insert_many(ordered=False) a batch, duplicates ignored, behind a lease + sequence counter",
                "server": "TWEETPULSE_BENCH_MONGODB_URL's" if "BENCH_MONGODB_URL" in str(url) else "the benchmark's",
                "per_run_tweets_per_s": [round(v) for v in rates],
                "timed": "one process, first insert to last acknowledged write; a fresh database per run",
            },
        }
    }


def run(broker: Broker, n: int, runs: int, inserts: int, insert_runs: int) -> dict[str, Figure]:
    with private_mongodb() as url:
        e2e = bench_e2e.run(
            broker,
            n,
            runs,
            stores=mongo_stores(url),
            store_name="MongoDB wire protocol (FerretDB 1.x over SQLite unless TWEETPULSE_BENCH_MONGODB_URL), "
            "fresh database per run",
            prefix="e2e_mongo",
        )
        return {**e2e, **run_inserts(url, inserts, insert_runs)}


def main(argv: list[str] | None = None) -> None:
    store_bench_main(__doc__ or "", private_mongodb, run, run_inserts, INSERTS_QUICK, argv)


if __name__ == "__main__":
    main()
