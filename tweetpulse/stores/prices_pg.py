"""The ``prices`` table in a PostgreSQL store (see :mod:`tweetpulse.stores.prices`): the same columns
with PostgreSQL's types, created when missing (under the tweets table's advisory-lock habit: hosts
starting together don't race), one transaction per upsert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tweetpulse.errors import ConfigError, StoreError
from tweetpulse.prices.bars import MinuteBar
from tweetpulse.stores import masked
from tweetpulse.stores.prices import COLUMNS, MAX_BARS, UPSERT

SCHEMA = """
CREATE TABLE IF NOT EXISTS prices (
    product text NOT NULL,
    minute bigint NOT NULL,
    coin text NOT NULL,
    open float8 NOT NULL, high float8 NOT NULL, low float8 NOT NULL, close float8 NOT NULL,
    ticks bigint NOT NULL,
    first_at float8 NOT NULL,
    last_at float8 NOT NULL,
    source text NOT NULL,
    synthetic boolean NOT NULL DEFAULT false,
    PRIMARY KEY (product, minute)
);
CREATE INDEX IF NOT EXISTS prices_minute ON prices (minute);
"""
_CONNECT_DEFAULTS = {"connect_timeout": "10", "application_name": "tweetpulse"}
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('tweetpulse.prices'))"
_SQL = UPSERT.format(
    columns=", ".join(COLUMNS), marks=", ".join(["%s"] * len(COLUMNS)), least="LEAST", greatest="GREATEST"
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM prices WHERE minute >= %s ORDER BY minute, product LIMIT {MAX_BARS}"


class PostgresPrices:
    """The prices table of a ``postgresql://`` store."""

    def __init__(self, url: str) -> None:
        try:
            conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            raise ConfigError(
                f"the store URL {masked(url)} can't be read: write it as postgresql://user:password@host:port/database"
            ) from None
        self.url = url
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def location(self) -> str:
        return masked(self.url)

    def __enter__(self) -> Self:
        return self  # connects on first use

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _say(self, exc: BaseException) -> str:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        password = conninfo_to_dict(self.url).get("password")
        return text.replace(str(password), "***") if password else text

    def _connect(self) -> psycopg.Connection[Any]:
        given = conninfo_to_dict(self.url)
        defaults = {k: v for k, v in _CONNECT_DEFAULTS.items() if k not in given}  # unless the URL says
        try:
            return psycopg.connect(make_conninfo(self.url, **defaults), autocommit=True)
        except psycopg.Error as exc:
            raise ConfigError(
                f"can't connect to the store {self.location} ({self._say(exc)}); check the server is up and "
                "the URL given with --store"
            ) from None

    def exists(self) -> bool:
        with self._connect() as conn:
            row = conn.execute("SELECT to_regclass('prices') IS NOT NULL").fetchone()
        return bool(row and row[0])

    @property
    def conn(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            conn = self._connect()
            try:
                with conn.transaction():
                    conn.execute(_LOCK)
                    conn.execute(SCHEMA)
            except psycopg.Error as exc:
                conn.close()
                raise ConfigError(
                    f"can't create the prices table in the store {self.location} ({self._say(exc)}); the URL's "
                    "user needs CREATE on the database's schema"
                ) from None
            self._conn = conn
        return self._conn

    def _failed(self, doing: str, exc: psycopg.Error) -> StoreError:
        if self._conn is not None and (self._conn.broken or self._conn.closed):
            self.close()  # the next call reconnects
        return StoreError(f"{doing} prices in the store {self.location} failed ({self._say(exc)})")

    def upsert(self, bars: Sequence[MinuteBar]) -> None:
        if not bars:
            return
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                cur.executemany(_SQL, list(bars))
        except psycopg.Error as exc:
            raise self._failed("writing", exc) from None

    def bars(self, since: float = 0.0) -> list[MinuteBar]:
        try:
            rows = self.conn.execute(_SELECT, (int(since // 60 * 60),)).fetchall()
        except psycopg.Error as exc:
            raise self._failed("reading", exc) from None
        return [MinuteBar(*row) for row in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
