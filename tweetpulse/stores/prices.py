"""The ``prices`` table: per-minute OHLC per product, beside ``scored_tweets`` in the same store.

One protocol (:class:`PriceStore`: ``upsert`` bars, read ``bars`` since a time, ``read_frame``), one
class per backend: SQLite (here) and PostgreSQL (:mod:`tweetpulse.stores.prices_pg`). The location is
the ``--store`` value the tweets use (a path, ``sqlite:///path`` or ``postgresql://…``).

An upsert merges a bar into the stored one of its product and minute as :func:`~tweetpulse.prices.bars.merge`
does (open from the earliest tick, close from the latest, high/low the extremes), so bars written in
pieces, out of order or twice keep the right prices; ``ticks`` may count a tick redelivered after a
crash twice (a count, not a price).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from tweetpulse.errors import ConfigError, StoreError
from tweetpulse.prices.bars import MinuteBar

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = MinuteBar._fields
MAX_BARS = 500_000  # a read's bound (a year of minutes for one product)
SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS prices (
    product TEXT NOT NULL,
    minute INTEGER NOT NULL,     -- unix seconds of the minute's start (UTC)
    coin TEXT NOT NULL,          -- the keyword group (bitcoin, ...)
    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
    ticks INTEGER NOT NULL,
    first_at REAL NOT NULL,      -- trade time of the first / last tick, unix seconds
    last_at REAL NOT NULL,
    source TEXT NOT NULL,        -- coinbase | kraken | replay | synthetic
    synthetic INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product, minute)
);
CREATE INDEX IF NOT EXISTS prices_minute ON prices (minute);
"""
# the merge of bars.merge, in SQL ({least}/{greatest}: MIN/MAX in SQLite, LEAST/GREATEST in PostgreSQL)
UPSERT = """
INSERT INTO prices ({columns}) VALUES ({marks})
ON CONFLICT (product, minute) DO UPDATE SET
    open = CASE WHEN excluded.first_at < prices.first_at THEN excluded.open ELSE prices.open END,
    high = {greatest}(prices.high, excluded.high),
    low = {least}(prices.low, excluded.low),
    close = CASE WHEN excluded.last_at >= prices.last_at THEN excluded.close ELSE prices.close END,
    ticks = prices.ticks + excluded.ticks,
    first_at = {least}(prices.first_at, excluded.first_at),
    last_at = {greatest}(prices.last_at, excluded.last_at),
    source = excluded.source,
    synthetic = (prices.synthetic OR excluded.synthetic)
"""
SELECT = f"SELECT {', '.join(COLUMNS)} FROM prices WHERE minute >= ? ORDER BY minute, product LIMIT {MAX_BARS}"


class PriceStore(Protocol):
    """Per-minute OHLC bars per product in a store."""

    @property
    def location(self) -> str: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def upsert(self, bars: Sequence[MinuteBar]) -> None:
        """Merge ``bars`` into the table in one transaction (:class:`StoreError` when it can't)."""
        ...

    def bars(self, since: float = 0.0) -> list[MinuteBar]:
        """The bars of minutes from ``since`` (unix seconds) on, oldest first (at most :data:`MAX_BARS`)."""
        ...

    def exists(self) -> bool:
        """Whether the table is there (asking never creates it, nor the store)."""
        ...

    def close(self) -> None: ...


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def sqlite_path(location: str | Path) -> Path | None:
    """The file of a SQLite location (a path or ``sqlite:///path``); None for another kind of store."""
    text = str(location)
    match = _URL.match(text)
    if match is None:
        return Path(text)
    if match.group(1).lower() != "sqlite":
        return None
    from tweetpulse.stores.sqlite import path_of

    return path_of(text)


def open_price_store(location: str | Path) -> PriceStore:
    """The prices table of the store at ``location`` (connected on first use; made when missing)."""
    path = sqlite_path(location)
    if path is not None:
        return SqlitePrices(path)
    text = str(location)
    if text.lower().startswith(("postgresql://", "postgres://")):
        from tweetpulse.stores.prices_pg import PostgresPrices

        return PostgresPrices(text)
    raise ConfigError(f"--store {text.split('://')[0]}://: prices are kept in SQLite or PostgreSQL stores")


def bars_frame(bars: Sequence[MinuteBar]) -> pd.DataFrame:
    """Bars as a DataFrame: ``time`` (the minute, UTC), product, coin, open … close, ticks, source, synthetic."""
    import pandas as pd

    frame = pd.DataFrame(list(bars), columns=list(COLUMNS))
    frame.insert(0, "time", pd.to_datetime(frame["minute"], unit="s", utc=True))
    frame["synthetic"] = frame["synthetic"].astype(bool)
    return frame


def read_prices(location: str | Path, since: float = 0.0) -> pd.DataFrame:
    """The stored per-minute bars as a pandas DataFrame (see :func:`bars_frame`), oldest first; empty
    (and nothing created) when the store has no prices table."""
    with open_price_store(location) as store:
        return bars_frame(store.bars(since) if store.exists() else [])


class SqlitePrices:
    """The prices table of a SQLite store (WAL, like the tweets; safe beside the listener's writers)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    @property
    def location(self) -> str:
        return str(self.path)

    def __enter__(self) -> Self:
        return self  # connects on first use

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exists(self) -> bool:
        if not self.path.is_file():
            return False
        try:
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as conn:
                return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'prices'").fetchone() is not None
        except sqlite3.Error:
            return False

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(SQLITE_SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(
                    f"can't open the prices table of the store {self.path} ({exc}); check --store"
                ) from None
            self._conn = conn
        return self._conn

    def upsert(self, bars: Sequence[MinuteBar]) -> None:
        if not bars:
            return
        sql = UPSERT.format(
            columns=", ".join(COLUMNS), marks=", ".join("?" * len(COLUMNS)), least="MIN", greatest="MAX"
        )
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, [(*b[:-1], int(b.synthetic)) for b in bars])
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"writing prices to the store {self.path} failed ({exc})") from None

    def bars(self, since: float = 0.0) -> list[MinuteBar]:
        try:
            rows = self.conn.execute(SELECT, (int(since // 60 * 60),)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"reading prices from the store {self.path} failed ({exc})") from None
        return [MinuteBar._make((*row[:-1], bool(row[-1]))) for row in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
