"""The results store: SQLite in WAL mode, one row per tweet, safe for several writer processes.

Inserts ignore ids already stored and report which rows were new, so a redelivered message
(at-least-once consumption) is stored once and counted once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = (
    "id", "text", "created_at", "author", "author_id", "followers", "lang", "keywords", "source",
    "polarity", "subjectivity", "weight", "score", "label",
    "kafka_partition", "kafka_offset", "produced_at", "scored_at",
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS scored_tweets (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    created_at TEXT,
    author TEXT,
    author_id TEXT,
    followers INTEGER,
    lang TEXT,
    keywords TEXT NOT NULL,          -- JSON list of keyword group names
    source TEXT,
    polarity REAL NOT NULL,
    subjectivity REAL NOT NULL,
    weight REAL NOT NULL,
    score REAL NOT NULL,
    label TEXT NOT NULL,
    kafka_partition INTEGER,
    kafka_offset INTEGER,
    produced_at REAL,                -- Kafka message timestamp, unix seconds
    scored_at REAL NOT NULL          -- unix seconds
);
CREATE INDEX IF NOT EXISTS scored_tweets_scored_at ON scored_tweets (scored_at);
"""
_ROWS_PER_STATEMENT = 32766 // len(COLUMNS) // 2  # well under SQLite's bound-variable limit
Row = tuple[Any, ...]


def connect(path: str | Path, timeout: float = 60.0) -> sqlite3.Connection:
    """Open (creating if needed) the store at ``path``: WAL mode, schema in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    conn.executescript(SCHEMA)
    return conn


class Store:
    """A connection to the store, used as a context manager by each worker process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> Store:
        self.conn  # noqa: B018 - open now
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.path)
            # this connection writes: it waits for the write lock itself (see _begin_write), in
            # steps of a fraction of a millisecond, not SQLite's 1, 2, 5, 10 ... ms busy sleeps
            self._conn.execute("PRAGMA busy_timeout=0")
        return self._conn

    def _begin_write(self, timeout: float = 60.0) -> None:
        conn = self.conn
        deadline = time.monotonic() + timeout
        delay = 0.0001
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.002)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def insert(self, rows: Sequence[Row]) -> set[str]:
        """Store ``rows`` (tuples in :data:`COLUMNS` order) in one transaction.

        Rows whose id is already stored are ignored; returns the ids that were newly stored.
        """
        if not rows:
            return set()
        new: set[str] = set()
        conn = self.conn
        self._begin_write()
        try:
            for start in range(0, len(rows), _ROWS_PER_STATEMENT):
                chunk = rows[start:start + _ROWS_PER_STATEMENT]
                values = ",".join([_ROW_PLACEHOLDER] * len(chunk))
                params = [value for row in chunk for value in row]
                cursor = conn.execute(f"INSERT OR IGNORE INTO scored_tweets VALUES {values} RETURNING id", params)
                new.update(r[0] for r in cursor)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return new

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM scored_tweets").fetchone()[0])


_ROW_PLACEHOLDER = "(" + ",".join("?" * len(COLUMNS)) + ")"


def encode_keywords(keywords: list[str]) -> str:
    return orjson.dumps(keywords).decode()


def read_frame(path: str | Path, since: float | str | None = None) -> pd.DataFrame:
    """The stored tweets as a pandas DataFrame (times as UTC datetimes, keywords as lists).

    ``since`` keeps tweets scored after it: unix seconds, or anything ``pandas.Timestamp`` reads.
    """
    import pandas as pd

    if since is not None and not isinstance(since, int | float):
        since = pd.Timestamp(since, tz="UTC").timestamp() if pd.Timestamp(since).tzinfo is None \
            else pd.Timestamp(since).timestamp()
    conn = connect(path)
    try:
        query = "SELECT * FROM scored_tweets"
        params: tuple[Any, ...] = ()
        if since is not None:
            query += " WHERE scored_at > ?"
            params = (since,)
        frame = pd.read_sql_query(query + " ORDER BY scored_at", conn, params=params)
    finally:
        conn.close()
    frame["keywords"] = frame["keywords"].map(orjson.loads)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, errors="coerce", format="ISO8601")
    for column in ("produced_at", "scored_at"):
        frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
    return frame
