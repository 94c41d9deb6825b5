"""The SQLite store: WAL mode, one row per tweet, safe for several writer processes.

Inserts ignore ids already stored and report which rows were new, so a redelivered message
(at-least-once consumption) is stored once and counted once. The page follows new rows in
insertion order, by SQLite's ``rowid``: it only grows as the writers' transactions commit one
after another, so no row is missed or read twice (unlike a ``scored_at`` cursor, which a slow
transaction can commit behind).

Every SQLite failure reaches the caller as one line that names the store and what to do
(:func:`problem`): a :class:`~tweetpulse.errors.ConfigError` when opening or checking it, a
:class:`~tweetpulse.errors.StoreError` afterwards. :meth:`SqliteStore.check` reads the table's
layout and the file's integrity, for the listener's start-up check.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from tweetpulse.closing import Closing
from tweetpulse.errors import ConfigError, StoreError
from tweetpulse.records import COLUMNS, ScoredTweet
from tweetpulse.stores import AuthorTotals, GroupTotals, History, SecondTotals, with_times

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

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
    scored_at REAL NOT NULL,         -- unix seconds
    scorer TEXT NOT NULL DEFAULT 'textblob'  -- the scorer that scored the row (--scorer)
);
CREATE INDEX IF NOT EXISTS scored_tweets_scored_at ON scored_tweets (scored_at);
"""
HOST_LOCAL = True  # a file: processes on other hosts can't share it (tweetpulse.stores.host_local)
_ROWS_PER_STATEMENT = 32766 // len(COLUMNS) // 2  # well under SQLite's bound-variable limit
_ROW_PLACEHOLDER = "(" + ",".join("?" * len(COLUMNS)) + ")"
_KEYWORDS = COLUMNS.index("keywords")  # a row's keywords column: every len(COLUMNS)-th parameter from there
_SELECT = ", ".join(COLUMNS)


def connect(path: str | Path, timeout: float = 60.0) -> sqlite3.Connection:
    """Open (creating if needed) the store at ``path``: WAL mode, schema in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            _set_up(conn, timeout)
            return conn
        except sqlite3.OperationalError as exc:
            # writers setting up a new file at once: SQLite answers "locked" at once, without its busy wait,
            # when waiting could deadlock (two connections both turning the file to WAL or both creating the
            # table from the same snapshot); every step is idempotent, so it is tried again
            if "locked" not in str(exc) or time.monotonic() > deadline:
                conn.close()
                raise
        except BaseException:
            conn.close()
            raise
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _set_up(conn: sqlite3.Connection, timeout: float) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    conn.executescript(SCHEMA)
    _add_missing_columns(conn)


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a store written by an older tweetpulse up to :data:`COLUMNS` (columns are only ever appended)."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(scored_tweets)")}
    if "scorer" not in have:
        conn.execute("ALTER TABLE scored_tweets ADD COLUMN scorer TEXT NOT NULL DEFAULT 'textblob'")


def problem(path: str | Path, exc: sqlite3.Error | OSError) -> str:
    """What went wrong with the store at ``path``, and what to do, in one line."""
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    if name == "SQLITE_FULL" or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"the disk holding the store {path} is full ({text}): free some space, then start again"
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text:
        return (
            f"the store {path} is damaged or not a tweetpulse store ({text}): move it aside "
            "(a new one is made in its place) or give another --store"
        )
    if "no such column" in text or "no such table" in text:
        return (
            f"the store {path} holds a scored_tweets table of another layout ({text}): "
            "give another --store, or move this file aside"
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) or isinstance(exc, OSError):
        return f"can't open the store {path} ({text}): pass a writable path with --store"
    return f"the store {path} failed ({text})"


def encode_keywords(keywords: Sequence[str]) -> str:
    return orjson.dumps(keywords if type(keywords) is list else list(keywords)).decode()


def path_of(url: str) -> Path:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL."""
    path = url.partition("://")[2]
    if not path.startswith("/") or path == "/":
        raise ConfigError(
            f"store URL {url!r} names no file: use sqlite:///relative/path.db, "
            "sqlite:////absolute/path.db or just the path"
        )
    return Path(path[1:])


def open_url(url: str, *, create: bool = True) -> SqliteStore:
    """The SQLite store of a ``sqlite:///`` URL (what :func:`tweetpulse.stores.open_store` calls)."""
    path = path_of(url)
    if not create and not path.is_file():
        raise ConfigError(
            f"no store at {path}: run 'tweetpulse listen --store {path}' first (or give the path of an existing store)"
        )
    return SqliteStore(path)


KEYWORD_CACHE = 256  # distinct stored keyword lists kept decoded (the coins' combinations need a dozen)


class SqliteStore(Closing):
    """A connection to the store (a :class:`~tweetpulse.stores.TweetStore`), opened on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._last_rowid = 0  # where follow() goes on from
        self._keywords: OrderedDict[str, list[str]] = OrderedDict()  # decoded, at most KEYWORD_CACHE (oldest out)

    @property
    def location(self) -> str:
        return str(self.path)

    def open(self) -> None:
        self.conn  # noqa: B018 - connects

    def exists(self) -> bool:
        return self.path.is_file()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self._conn = connect(self.path)
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(problem(self.path, exc)) from None
            # this connection writes: it waits for the write lock itself (see _begin_write), in
            # steps of a fraction of a millisecond, not SQLite's 1, 2, 5, 10 ... ms busy sleeps
            self._conn.execute("PRAGMA busy_timeout=0")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def check(self) -> None:
        """Read the table's layout and the whole file's integrity (``PRAGMA quick_check``): a
        :class:`~tweetpulse.errors.ConfigError` that says what to do when either is wrong."""
        conn = self.conn
        try:
            columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(scored_tweets)"))
            verdict = [row[0] for row in conn.execute("PRAGMA quick_check(1)")]
        except sqlite3.Error as exc:
            raise ConfigError(problem(self.path, exc)) from None
        if columns != COLUMNS:
            raise ConfigError(
                f"the store {self.path} holds a scored_tweets table of another layout (columns "
                f"{', '.join(columns)}): give another --store, or move this file aside"
            )
        if verdict != ["ok"]:
            detail = " ".join(" ".join(map(str, verdict)).split())[:200]  # SQLite's report, on one line
            raise ConfigError(
                f"the store {self.path} is damaged ({detail}): move it aside (a new one is made in its place) "
                "or restore a copy"
            )

    # -- writing --------------------------------------------------------------------------------
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

    def insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        """Store ``tweets`` in one transaction, ignoring ids already stored; return the ids newly stored.

        A failure is a :class:`~tweetpulse.errors.StoreError` saying why (a full disk, a damaged
        file, ...); nothing of the batch is stored then."""
        if not tweets:
            return set()
        try:
            return self._insert(tweets)
        except sqlite3.Error as exc:
            raise StoreError(f"{problem(self.path, exc)}; nothing of this batch was stored") from exc

    def _insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        conn = self.conn
        # the statements and their parameters are made before the write lock is taken: the other
        # writers wait only while SQLite itself writes
        statements: list[tuple[str, list[Any]]] = []
        for start in range(0, len(tweets), _ROWS_PER_STATEMENT):
            chunk = tweets[start : start + _ROWS_PER_STATEMENT]
            values = ",".join([_ROW_PLACEHOLDER] * len(chunk))
            params: list[Any] = list(chain.from_iterable(chunk))  # the rows' fields in column order, in C
            params[_KEYWORDS :: len(COLUMNS)] = [encode_keywords(k) for k in params[_KEYWORDS :: len(COLUMNS)]]
            statements.append((f"INSERT OR IGNORE INTO scored_tweets VALUES {values}", params))
        self._begin_write()
        try:
            # this transaction is the only writer: the rows it adds are the ones after the last rowid now
            # (asked for only when some row was ignored; RETURNING id cost ~2 us a row on every batch)
            last_rowid = conn.execute("SELECT max(rowid) FROM scored_tweets").fetchone()[0] or 0
            changes = conn.total_changes
            for sql, params in statements:
                conn.execute(sql, params)
            if conn.total_changes - changes == len(tweets):
                new = {tweet.id for tweet in tweets}  # every row was new
            else:
                new = {row[0] for row in conn.execute("SELECT id FROM scored_tweets WHERE rowid > ?", (last_rowid,))}
            conn.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk does): then there is nothing to roll
            # back, and the error that matters is the one being raised
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error as exc:
                    log.warning("rolling back in the store %s failed too: %s", self.path, exc)
            raise
        return new

    def count(self) -> int:
        try:
            return int(self.conn.execute("SELECT count(*) FROM scored_tweets").fetchone()[0])
        except sqlite3.Error as exc:
            raise StoreError(problem(self.path, exc)) from exc

    def held_back(self) -> str | None:
        return None  # a committed row is followed at once: SQLite has one writer at a time

    # -- reading --------------------------------------------------------------------------------
    def _groups(self, keywords: str | None) -> list[str]:
        """The keyword groups of a stored JSON list (decoded once per distinct value; junk reads as none)."""
        key = keywords or "[]"
        groups = self._keywords.get(key)
        if groups is None:
            try:
                decoded = orjson.loads(key)
            except orjson.JSONDecodeError:
                decoded = []
            names = decoded if isinstance(decoded, list) else []
            groups = [g for g in names if isinstance(g, str)]
            if len(self._keywords) >= KEYWORD_CACHE:  # distinct sets are unbounded (any name a record carries)
                self._keywords.popitem(last=False)
            self._keywords[key] = groups
        return groups

    def _tweets(self, rows: Sequence[Sequence[Any]], first: int = 0) -> list[ScoredTweet]:
        """Rows holding every column from index ``first`` on, as scored tweets."""
        groups = self._groups
        keywords = first + COLUMNS.index("keywords")
        make = ScoredTweet._make
        return [make((*row[first:keywords], groups(row[keywords]), *row[keywords + 1 :])) for row in rows]

    def history(self, since: int, authors_since: int, recent: int, latencies: int) -> History:
        try:
            return self._history(since, authors_since, recent, latencies)
        except sqlite3.Error as exc:
            raise StoreError(problem(self.path, exc)) from exc

    def _history(self, since: int, authors_since: int, recent: int, latencies: int) -> History:
        conn = self.conn
        conn.execute("BEGIN")  # one snapshot for every query below
        try:
            upto = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM scored_tweets").fetchone()[0])
            before = conn.execute(
                "SELECT keywords, label, count(*), sum(score), sum(polarity) FROM scored_tweets "
                "WHERE scored_at < ? AND rowid <= ? GROUP BY keywords, label",
                (since, upto),
            ).fetchall()
            window = conn.execute(
                "SELECT CAST(scored_at AS INTEGER) AS s, keywords, label, count(*), sum(score), sum(polarity) "
                "FROM scored_tweets WHERE scored_at >= ? AND rowid <= ? GROUP BY s, keywords, label ORDER BY s",
                (since, upto),
            ).fetchall()
            latest = conn.execute(
                f"SELECT {_SELECT} FROM scored_tweets WHERE rowid <= ? ORDER BY rowid DESC LIMIT ?", (upto, recent)
            ).fetchall()
            lags = conn.execute(
                "SELECT scored_at - produced_at FROM scored_tweets WHERE rowid <= ? AND produced_at IS NOT NULL "
                "ORDER BY rowid DESC LIMIT ?",
                (upto, latencies),
            ).fetchall()
            authors = conn.execute(
                "SELECT CAST(scored_at AS INTEGER) / 60 * 60 AS m, coalesce(author, author_id) AS who, "
                "sum(abs(score)), sum(score), count(*), max(coalesce(followers, 0)) FROM scored_tweets "
                "WHERE scored_at >= ? AND rowid <= ? AND score != 0 AND who IS NOT NULL "
                "GROUP BY m, who ORDER BY m",
                (authors_since, upto),
            ).fetchall()
        finally:
            if conn.in_transaction:  # a read snapshot: nothing to commit
                conn.execute("ROLLBACK")
        self._last_rowid = upto
        groups = self._groups
        return History(
            before=[GroupTotals(groups(k), label, n, score, polarity) for k, label, n, score, polarity in before],
            window=[
                SecondTotals(s, groups(k), label, n, score, polarity) for s, k, label, n, score, polarity in window
            ],
            recent=self._tweets(latest[::-1]),
            latencies=[value for (value,) in reversed(lags)],
            authors=[AuthorTotals(m, str(who), a, net, n, f) for m, who, a, net, n, f in authors],
        )

    def follow(self, limit: int) -> list[ScoredTweet]:
        try:
            return self._follow(limit)
        except sqlite3.Error as exc:
            raise StoreError(problem(self.path, exc)) from exc

    def _follow(self, limit: int) -> list[ScoredTweet]:
        conn = self.conn
        rows = conn.execute(
            f"SELECT rowid, {_SELECT} FROM scored_tweets WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (self._last_rowid, limit),
        ).fetchall()
        if not rows:
            newest = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM scored_tweets").fetchone()[0])
            if newest < self._last_rowid:  # the store was rebuilt (VACUUM renumbers rows): follow from its end
                log.warning("the store %s was rebuilt; following it from its last row", self.path)
                self._last_rowid = newest
            return []
        self._last_rowid = int(rows[-1][0])
        return self._tweets(rows, first=1)

    def read_frame(self, since: float | None = None) -> pd.DataFrame:
        import pandas as pd

        query = "SELECT * FROM scored_tweets"
        params: tuple[Any, ...] = ()
        if since is not None:
            query += " WHERE scored_at > ?"
            params = (since,)
        frame = pd.read_sql_query(query + " ORDER BY scored_at", self.conn, params=params)
        frame["keywords"] = frame["keywords"].map(orjson.loads)
        return with_times(frame)
