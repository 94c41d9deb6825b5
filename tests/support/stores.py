"""Stores that can't be used, made for real: a damaged file, a table of another layout, a store whose inserts fail."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from tweetpulse.scored import ScoredTweet
from tweetpulse.stores.sqlite import SqliteStore

PAGE = 4096


def scored(i: int, text: str | None = None, tid: str | None = None) -> ScoredTweet:
    return ScoredTweet(
        tid or f"t{i}", text or f"text {i} " + "x" * 200, "2024-01-01T00:00:00Z", "a", "1", i, "en", ["bitcoin"],
        "sample", 0.5, 0.25, 1.0, 0.5, "positive", 0, i, 1_700_000_000.0, 1_700_000_001.0 + i,
    )


def damaged_store(path: Path, rows: int = 3000, seed: int = 5) -> Path:
    """A real store of ``rows`` tweets whose table pages were then overwritten with noise (header intact)."""
    with SqliteStore(path) as store:
        store.insert([scored(i) for i in range(rows)])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    for page in range(3, len(data) // PAGE - 1, 4):
        data[page * PAGE : page * PAGE + 512] = rng.randbytes(512)
    path.write_bytes(bytes(data))
    return path


def other_layout_store(path: Path) -> Path:
    """A SQLite file with a ``scored_tweets`` table that isn't ours."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scored_tweets (id TEXT PRIMARY KEY, body TEXT, scored_at REAL)")
    conn.commit()
    conn.close()
    return path


def refusing_store(path: Path, why: str = "the archive is read-only") -> Path:
    """A sound store (it passes :meth:`SqliteStore.check`) whose every insert fails with ``why``."""
    with SqliteStore(path) as store:
        store.conn.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON scored_tweets BEGIN SELECT RAISE(ABORT, '{why}'); END"
        )
    return path
