"""The page on its own, reading the store: ``tweetpulse dashboard --store PATH``.

:class:`StoreFollower` fills an :class:`~tweetpulse.aggregates.Aggregator` from the SQLite store
the listener writes, so the page survives a listener restart and shows history at once:

* at start it **backfills** with a few aggregate queries, bounded by the window: all-time totals
  per keyword group and label (one grouped scan), per-second buckets of the window, the latest
  tweets, recent latencies, and the window's most influential authors;
* then it **tails** new rows in a thread, in insertion order (SQLite's ``rowid``, which only grows
  as the listener's transactions commit one after another, so no row is missed or read twice,
  unlike a ``scored_at`` cursor that a slow transaction can commit behind), folding them into the
  aggregator as deltas, exactly as the listener's workers do.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from tweetpulse.aggregates import OVERALL, Aggregator, Bucket, DeltaBuilder
from tweetpulse.config import DEFAULT_REFRESH_MS, KafkaConfig
from tweetpulse.errors import ConfigError
from tweetpulse.store import connect

log = logging.getLogger("tweetpulse.dashboard")

_SLOTS = {"positive": 3, "negative": 4, "neutral": 5}
_TAIL_COLUMNS = ("rowid, id, text, created_at, author, author_id, followers, keywords, polarity, subjectivity, "
                 "score, label, produced_at, scored_at")


class StoreFollower:
    """Backfill ``aggregator`` from the store at ``path``, then follow new rows every ``poll`` seconds."""

    def __init__(self, path: str | Path, aggregator: Aggregator, poll: float = 0.5, batch: int = 50_000,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ConfigError(f"no store at {self.path}: run 'tweetpulse listen --store {self.path}' first "
                              "(or give the path of an existing store)")
        self.aggregator = aggregator
        self.poll = poll
        self.batch = batch
        self.clock = clock
        self.last_rowid = 0
        self.rows_read = 0
        self._keywords: dict[str, list[str]] = {}
        self._conn: sqlite3.Connection | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- plumbing -------------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
        return self._conn

    def _groups(self, keywords: str | None) -> list[str]:
        key = keywords or "[]"
        groups = self._keywords.get(key)
        if groups is None:
            try:
                decoded = orjson.loads(key)
            except orjson.JSONDecodeError:
                decoded = []
            names = decoded if isinstance(decoded, list) else []
            groups = self._keywords[key] = [g for g in names if isinstance(g, str)]
        return groups

    def __enter__(self) -> StoreFollower:
        self.backfill()
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- backfill -------------------------------------------------------------------------------
    def backfill(self) -> int:
        """Load history: totals of everything, buckets of the window; returns the rows accounted for."""
        agg = self.aggregator
        conn = self.conn
        cutoff = int(self.clock()) - agg.window + 1
        conn.execute("BEGIN")  # one snapshot for every query below
        try:
            self.last_rowid = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM scored_tweets").fetchone()[0])
            upto = self.last_rowid
            before = conn.execute(
                "SELECT keywords, label, count(*), sum(score), sum(polarity) FROM scored_tweets "
                "WHERE scored_at < ? AND rowid <= ? GROUP BY keywords, label", (cutoff, upto)).fetchall()
            window = conn.execute(
                "SELECT CAST(scored_at AS INTEGER) AS s, keywords, label, count(*), sum(score), sum(polarity) "
                "FROM scored_tweets WHERE scored_at >= ? AND rowid <= ? GROUP BY s, keywords, label ORDER BY s",
                (cutoff, upto)).fetchall()
            recent = conn.execute(
                "SELECT id, text, created_at, author, followers, keywords, polarity, subjectivity, score, label, "
                "scored_at FROM scored_tweets WHERE rowid <= ? ORDER BY rowid DESC LIMIT ?",
                (upto, agg.recent.maxlen)).fetchall()
            latencies = conn.execute(
                "SELECT scored_at - produced_at FROM scored_tweets WHERE rowid <= ? AND produced_at IS NOT NULL "
                "ORDER BY rowid DESC LIMIT ?", (upto, agg.latencies.maxlen)).fetchall()
            author_cutoff = max(cutoff, int(self.clock()) - agg.authors.window + 1)
            authors = conn.execute(
                "SELECT CAST(scored_at AS INTEGER) / 60 * 60 AS m, coalesce(author, author_id) AS who, "
                "sum(abs(score)), sum(score), count(*), max(coalesce(followers, 0)) FROM scored_tweets "
                "WHERE scored_at >= ? AND rowid <= ? AND score != 0 AND who IS NOT NULL "
                "GROUP BY m, who ORDER BY m", (author_cutoff, upto)).fetchall()
        finally:
            conn.execute("COMMIT")

        stored = 0
        seeds: dict[str, Bucket] = {}
        for keywords, label, count, score, polarity in before:
            stored += count
            for group in (OVERALL, *self._groups(keywords)):
                bucket = seeds.setdefault(group, [0, 0.0, 0.0, 0, 0, 0])
                _add(bucket, label, count, score, polarity)
        for group, bucket in seeds.items():
            agg.seed(group, bucket)
        buckets: dict[tuple[int, str], Bucket] = {}
        for second, keywords, label, count, score, polarity in window:
            stored += count
            for group in (OVERALL, *self._groups(keywords)):
                bucket = buckets.setdefault((second, group), [0, 0.0, 0.0, 0, 0, 0])
                _add(bucket, label, count, score, polarity)
        by_minute: dict[int, list[tuple[str, float, float, int, int]]] = {}
        for minute, who, abs_sum, net, count, followers in authors:
            by_minute.setdefault(minute, []).append((str(who), abs_sum, net, count, followers))
        agg.fold({
            "buckets": [(s, g, b) for (s, g), b in sorted(buckets.items())],
            "recent": [self._recent(row) for row in reversed(recent)],
            "latencies": [value for (value,) in reversed(latencies)],
            "counters": {"consumed": stored, "stored": stored},
        })
        for minute in sorted(by_minute):
            agg.fold({"authors": (minute, by_minute[minute])})
        self.rows_read = stored
        log.info("dashboard: backfilled %d stored tweets from %s", stored, self.path)
        return stored

    def _recent(self, row: Sequence[Any]) -> dict[str, Any]:
        tid, text, created_at, author, followers, keywords, polarity, subjectivity, score, label, scored_at = row
        return {"id": tid, "text": (text or "")[:280], "created_at": created_at, "author": author,
                "followers": followers, "keywords": keywords, "polarity": polarity, "subjectivity": subjectivity,
                "score": score, "label": label, "scored_at": scored_at}

    # -- tail -----------------------------------------------------------------------------------
    def poll_once(self) -> int:
        """Fold the rows stored since the last call; returns how many."""
        conn = self.conn
        rows = conn.execute(f"SELECT {_TAIL_COLUMNS} FROM scored_tweets WHERE rowid > ? ORDER BY rowid LIMIT ?",
                            (self.last_rowid, self.batch)).fetchall()
        if not rows:
            newest = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM scored_tweets").fetchone()[0])
            if newest < self.last_rowid:  # the store was rebuilt (VACUUM renumbers rows): follow from its end
                self.last_rowid = newest
            return 0
        self.aggregator.fold(self._delta(rows))
        self.last_rowid = int(rows[-1][0])
        self.rows_read += len(rows)
        return len(rows)

    def _delta(self, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
        agg = self.aggregator
        recent_max = agg.recent.maxlen or 20
        builder = DeltaBuilder(-1, recent_max=recent_max, latency_max=agg.latencies.maxlen or 200)
        add, add_author, add_latency = builder.add, builder.add_author, builder.add_latency
        groups_of = self._groups
        for (_rowid, _id, _text, _created, author, author_id, followers, keywords, polarity, _subj, score, label,
             produced_at, scored_at) in rows:
            add(int(scored_at), groups_of(keywords), score, polarity, label)
            add_author(author or author_id, followers, score)
            if produced_at is not None:
                add_latency(scored_at - produced_at)
        for row in rows[-recent_max:]:
            builder.add_recent(self._recent((row[1], row[2], row[3], row[4], row[6], row[7], row[8], row[9],
                                             row[10], row[11], row[13])))
        builder.count(consumed=len(rows), stored=len(rows))
        return builder.take() or {}

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                got = self.poll_once()
            except sqlite3.Error as exc:  # the store is busy or being replaced: try again shortly
                log.warning("dashboard: reading %s failed (%s); retrying", self.path, exc)
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
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _add(bucket: Bucket, label: str, count: int, score: float | None, polarity: float | None) -> None:
    bucket[0] += count
    bucket[1] += score or 0.0
    bucket[2] += polarity or 0.0
    slot = _SLOTS.get(label)
    if slot is not None:
        bucket[slot] += count


def store_groups(aggregator: Aggregator, preferred: Iterable[str] = ("bitcoin", "ethereum", "dogecoin")) -> list[str]:
    """The keyword groups to draw: the known coins first, then any other group the store holds."""
    seen = [g for g in aggregator.groups() if g != OVERALL]
    first = [g for g in preferred if g in seen] or list(preferred)
    return [OVERALL, *first, *(g for g in seen if g not in first)]


def run_dashboard(store: str | Path, host: str = "127.0.0.1", port: int = 8050, window: int = 3600,
                  kafka: KafkaConfig | None = None, group: str | None = None, duration: float | None = None,
                  interval_ms: int = DEFAULT_REFRESH_MS) -> int:
    """Serve the page for the store at ``store`` until Ctrl-C (or ``duration`` seconds); returns
    the rows it read. With ``group`` (and ``kafka``), the health panel shows that group's lag."""
    from tweetpulse.dashboard.app import build_app
    from tweetpulse.dashboard.health import lag_probe
    from tweetpulse.dashboard.server import DashboardServer, check_port

    check_port(host, port)  # before the store is read
    aggregator = Aggregator(window_seconds=window)
    follower = StoreFollower(store, aggregator)
    health = lag_probe(kafka or KafkaConfig(), group) if group else None
    with follower:
        subtitle = f"store {follower.path}" + (f" · group {group} on {(kafka or KafkaConfig()).bootstrap_servers}"
                                               if group else "")
        app = build_app(aggregator, store_groups(aggregator), subtitle=subtitle, interval_ms=interval_ms,
                        max_points=window, health=health, show_workers=False, settle=3)
        with DashboardServer(app, host, port) as server:
            print(f"tweetpulse dashboard: {follower.rows_read:,} stored tweets loaded; live page at {server.url} "
                  "(Ctrl-C to stop)", flush=True)
            deadline = time.monotonic() + duration if duration is not None else None
            try:
                while deadline is None or time.monotonic() < deadline:
                    time.sleep(0.2)
            except KeyboardInterrupt:
                print("tweetpulse dashboard: stopping", flush=True)
        return follower.rows_read
