"""The PostgreSQL store: the end-to-end rate beside SQLite's, and the stores' insert rates alone.

* ``e2e_pg_steady_tweets_per_s``, ``e2e_pg_start_s``, ``e2e_pg_tweets_per_s``: exactly
  :mod:`benchmarks.bench_e2e`'s measurement (same records, same workers and batches, same
  broker, same session) with the listener writing a fresh PostgreSQL store (a schema of its own per
  run) instead of a fresh SQLite file.
* ``store_insert_*_tweets_per_s``: one process inserting ``N`` scored tweets in the listener's
  batches (2,000) into a fresh store, one transaction a batch, timed from the first insert to the
  last commit: SQLite, PostgreSQL with ``COPY`` into a staging table, PostgreSQL with a pipelined
  ``executemany``. The three are interleaved run by run; medians.

PostgreSQL is a private cluster started through ``scripts/postgres-setup.sh`` on a free port
(default settings: fsync and synchronous commit on), or ``TWEETPULSE_BENCH_POSTGRES_URL``'s server.
``python -m benchmarks.bench_pgstore --inserts-only -n 2000`` runs the insert part alone.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from benchmarks import bench_e2e, data  # noqa: E402
from benchmarks.storecli import store_bench_main  # noqa: E402
from tests.support.broker import Broker  # noqa: E402
from tests.support.pgserver import fresh_schema, private_postgres  # noqa: E402
from tweetpulse.records import ScoredTweet, parse_record  # noqa: E402
from tweetpulse.scorers.scoring import make_scorer, score_tweet  # noqa: E402
from tweetpulse.stores import TweetStore, open_store  # noqa: E402
from tweetpulse.stores.postgres import InsertMethod, PostgresStore  # noqa: E402

Figure = dict[str, Any]
INSERTS_FULL, INSERTS_QUICK = 200_000, 20_000
BATCH = 2000  # the listener's batch size
METHODS: tuple[InsertMethod, ...] = ("copy", "executemany")


def pg_stores(url: str) -> Iterator[ContextManager[str]]:
    """A fresh store URL per run: a schema of its own on ``url``'s database, dropped after the run."""
    while True:
        yield fresh_schema(url)


def scored_tweets(n: int) -> list[ScoredTweet]:
    """``n`` of the benchmark's records, scored as a worker scores them."""
    analyzer = make_scorer("textblob")
    now = time.time()
    out = []
    for i, (_key, value) in enumerate(data.records(n, id_prefix="ins")):
        tweet = parse_record(value)
        s = score_tweet(analyzer, tweet.text, tweet.followers)
        out.append(ScoredTweet(
            tweet.id, tweet.text, tweet.created_at, tweet.author, tweet.author_id, tweet.followers, tweet.lang,
            tweet.keywords, tweet.source, s.polarity, s.subjectivity, s.weight, s.score, s.label,
            i % 6, i, now - 0.2, now, analyzer.name,
        ))  # fmt: skip
    return out


def insert_rate(store: TweetStore, tweets: list[ScoredTweet], batch: int = BATCH) -> float:
    """Tweets per second inserting ``tweets`` into ``store`` in batches (connecting is not timed)."""
    with store:
        started = time.perf_counter()
        stored = sum(len(store.insert(tweets[i : i + batch])) for i in range(0, len(tweets), batch))
        elapsed = time.perf_counter() - started
    if stored != len(tweets):
        raise RuntimeError(f"insert: {stored} of {len(tweets)} tweets reported new")
    return len(tweets) / elapsed


def bytes_per_row(url: str) -> float:
    """The store table's size on disk, indexes and TOAST included, per row."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT pg_total_relation_size('scored_tweets')::float8 / greatest(count(*), 1) FROM scored_tweets"
        ).fetchone()
    return float(row[0]) if row else 0.0


def run_inserts(url: str, n: int, runs: int) -> dict[str, Figure]:
    tweets = scored_tweets(n)
    rates: dict[str, list[float]] = {"sqlite": [], **{f"pg_{m}": [] for m in METHODS}}
    sizes: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-insert-") as tmp:
        for _ in range(runs):
            rates["sqlite"].append(insert_rate(open_store(Path(tmp) / f"{uuid.uuid4().hex[:8]}.db"), tweets))
            for method in METHODS:
                with fresh_schema(url) as schema:
                    store = PostgresStore(schema, insert_method=method)
                    rates[f"pg_{method}"].append(insert_rate(store, tweets))
                    sizes.append(bytes_per_row(schema))
    how = {
        "sqlite": "SQLite (WAL, synchronous=NORMAL), INSERT OR IGNORE … RETURNING id in multi-row statements",
        "pg_copy": "PostgreSQL: binary COPY into a temporary staging table, then INSERT … SELECT … "
        "ON CONFLICT (id) DO NOTHING RETURNING id",
        "pg_executemany": "PostgreSQL: pipelined executemany of INSERT … ON CONFLICT (id) DO NOTHING RETURNING id",
    }
    return {
        f"store_insert_{name}_tweets_per_s": {
            "value": round(statistics.median(values)),
            "unit": "tweets/s",
            "settings": {
                "tweets": n,
                "runs": runs,
                "batch": BATCH,
                "method": how[name],
                **({"pg_bytes_per_row": round(statistics.median(sizes))} if name.startswith("pg") else {}),
                "per_run_tweets_per_s": [round(v) for v in values],
                "timed": "one process, one transaction a batch, first insert to last commit; a fresh store "
                "per run; the three interleaved run by run",
            },
        }
        for name, values in rates.items()
    }


def run(
    broker: Broker, n: int = bench_e2e.N_FULL, runs: int = 3, inserts: int = INSERTS_FULL, insert_runs: int = 3
) -> dict[str, Figure]:
    with private_postgres() as url:
        e2e = bench_e2e.run(
            broker,
            n,
            runs,
            stores=pg_stores(url),
            store_name="PostgreSQL (private cluster, default settings), fresh schema per run",
            prefix="e2e_pg",
        )
        return {**e2e, **run_inserts(url, inserts, insert_runs)}


def main(argv: list[str] | None = None) -> None:
    store_bench_main(__doc__ or "", private_postgres, run, run_inserts, INSERTS_QUICK, argv)


if __name__ == "__main__":
    main()
