"""The PostgreSQL store (psycopg 3): one table that every listener host writes and every page follows.

``--store postgresql://user:password@host:port/db`` (or ``postgres://``; any libpq URL, so
``?sslmode=require`` and friends work, and a password may come from ``PGPASSWORD`` or ``~/.pgpass``
instead of the URL). The table ``scored_tweets`` has the SQLite store's columns with PostgreSQL's
types: ``keywords text[]``, ``produced_at``/``scored_at`` ``timestamptz``; ``created_at`` stays the
source's ``text`` (the record contract does not promise ISO 8601, and one unparsable value must not
sink a batch). It is created when missing (under an advisory lock, so hosts starting together don't
race); a reader (``create=False``) never creates it.

**Inserts** run in one transaction per batch and report the ids newly stored (``ON CONFLICT (id) DO
NOTHING RETURNING id``), so a redelivered tweet is stored and counted once. Two ways, measured by
``benchmarks/bench_pgstore.py``: ``copy`` (binary ``COPY`` into a temporary staging table, then one
``INSERT … SELECT``; the default, the faster) and ``executemany`` (one pipelined prepared ``INSERT`` a
row). PostgreSQL's text can't hold NUL characters: a batch refused for one is stored again with each
NUL replaced by U+FFFD (nothing else is lost).

**Following every writer.** Each row carries the id of the transaction that wrote it (``xact``), and
:meth:`PostgresStore.follow` reads only rows of transactions below the snapshot's ``xmin``, so a row
is returned exactly once and none is missed whatever the order of commits (docs/postgres.md explains
why, and what an idle transaction costs).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tweetpulse.closing import Closing
from tweetpulse.errors import ConfigError, StoreError, StoreUnreachable
from tweetpulse.records import COLUMNS, ScoredTweet
from tweetpulse.stores import AuthorTotals, GroupTotals, History, SecondTotals, masked, with_times

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

InsertMethod = Literal["copy", "executemany"]
DEFAULT_INSERT: InsertMethod = "copy"
TABLE = "scored_tweets"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id text PRIMARY KEY,
    text text NOT NULL,
    created_at text,                   -- as the source gave it
    author text,
    author_id text,
    followers bigint,
    lang text,
    keywords text[] NOT NULL,          -- keyword group names
    source text,
    polarity double precision NOT NULL,
    subjectivity double precision NOT NULL,
    weight double precision NOT NULL,
    score double precision NOT NULL,
    label text NOT NULL,
    kafka_partition integer,
    kafka_offset bigint,
    produced_at timestamptz,           -- the Kafka message timestamp
    scored_at timestamptz NOT NULL,
    scorer text NOT NULL DEFAULT 'textblob',
    xact xid8 NOT NULL DEFAULT pg_current_xact_id()  -- the writing transaction: the tail's order
);
CREATE INDEX IF NOT EXISTS {TABLE}_scored_at ON {TABLE} (scored_at);
CREATE INDEX IF NOT EXISTS {TABLE}_xact ON {TABLE} (xact, id);
"""
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('tweetpulse.scored_tweets'))"
_TIMES = ("produced_at", "scored_at")
_STAGING = f"_{TABLE}_staging"
_STAGING_TYPES = [
    "text", "text", "text", "text", "text", "int8", "text", "text[]", "text",
    "float8", "float8", "float8", "float8", "text", "int4", "int8", "float8", "float8", "text",
]  # fmt: skip
_STAGING_SQL = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} ("
    + ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, _STAGING_TYPES, strict=True))
    + ") ON COMMIT DELETE ROWS"
)
_NAMES = ", ".join(COLUMNS)
_FROM_STAGING = ", ".join(f"to_timestamp({c})" if c in _TIMES else c for c in COLUMNS)
_COPY_SQL = f"COPY {_STAGING} ({_NAMES}) FROM STDIN (FORMAT BINARY)"
_MERGE_SQL = (
    f"INSERT INTO {TABLE} ({_NAMES}) SELECT {_FROM_STAGING} FROM {_STAGING} ON CONFLICT (id) DO NOTHING RETURNING id"
)
_VALUES = ", ".join("to_timestamp(%s)" if c in _TIMES else "%s" for c in COLUMNS)
_INSERT_SQL = f"INSERT INTO {TABLE} ({_NAMES}) VALUES ({_VALUES}) ON CONFLICT (id) DO NOTHING RETURNING id"
# a stored row as a ScoredTweet (times back to unix seconds)
_SELECT = ", ".join(f"extract(epoch FROM {c})::float8" if c in _TIMES else c for c in COLUMNS)
_SECOND = "floor(extract(epoch FROM scored_at))::bigint"
_CONNECT_DEFAULTS = {"connect_timeout": "10", "application_name": "tweetpulse"}  # unless the URL says
_BOUND = "pg_snapshot_xmin(pg_current_snapshot())"
# the oldest transaction that holds an id, other than this session's (details only where the role may see them)
_OLDEST_OPEN = (
    "SELECT pid, state, extract(epoch FROM now() - xact_start)::float8, datname FROM pg_stat_activity "
    "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
    "ORDER BY age(backend_xid) DESC LIMIT 1"
)


def open_url(url: str, *, create: bool = True) -> PostgresStore:
    """The PostgreSQL store of a ``postgresql://`` URL (what :func:`tweetpulse.stores.open_store` calls)."""
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise ConfigError(
            f"the store URL {masked(url)} can't be read: write it as postgresql://user:password@host:port/database"
        ) from None
    return PostgresStore(url, create=create)


def _unreachable(exc: psycopg.Error) -> bool:
    """A failed connect that may work later: no answer, refused, or the server starting or stopping
    (SQLSTATE 57P03 "cannot connect now", 57P01 "admin shutdown"); not a refused login or a missing database."""
    state = getattr(getattr(exc, "diag", None), "sqlstate", None) or getattr(exc, "sqlstate", None)
    if state is not None:
        return state.startswith(("57P", "08", "53"))
    return isinstance(exc, psycopg.OperationalError) and not any(
        word in str(exc) for word in ("password", "authentication", "does not exist", "role")
    )


def without_nul(tweet: ScoredTweet) -> ScoredTweet:
    """``tweet`` with every NUL character of its text fields replaced by U+FFFD."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("\x00", "\ufffd")
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return ScoredTweet._make(clean(v) for v in tweet)


class PostgresStore(Closing):
    """A connection to the store (a :class:`~tweetpulse.stores.TweetStore`), opened on first use."""

    def __init__(self, url: str, *, create: bool = True, insert_method: InsertMethod = DEFAULT_INSERT) -> None:
        self.url = url
        self.create = create
        self.insert_method: InsertMethod = insert_method
        self._conn: psycopg.Connection[Any] | None = None
        self._staging = False  # the staging table exists on this connection
        self._cursor: tuple[int, str] = (0, "")  # the last (xact, id) follow() returned

    @property
    def location(self) -> str:
        return masked(self.url)

    def open(self) -> None:
        self.conn  # noqa: B018 - connects

    def _say(self, exc: BaseException) -> str:
        """An error's text fit to show (libpq's messages don't hold the password; this makes sure)."""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        password = conninfo_to_dict(self.url).get("password")
        return text.replace(str(password), "***") if password else text

    def _connect(self) -> psycopg.Connection[Any]:
        given = conninfo_to_dict(self.url)
        defaults = {k: v for k, v in _CONNECT_DEFAULTS.items() if k not in given}
        try:
            return psycopg.connect(make_conninfo(self.url, **defaults), autocommit=True)
        except psycopg.Error as exc:
            # a server that is down or restarting is waited for (the listener's workers do), a refused
            # login or a missing database is a setting to fix: both say to check the URL
            kind = StoreUnreachable if _unreachable(exc) else ConfigError
            raise kind(
                f"can't connect to the store {self.location} ({self._say(exc)}); check the server is up "
                "and the URL (user, password, host, port, database) given with --store"
            ) from None

    def exists(self) -> bool:
        """Whether the table is there (asked on a connection of its own, which creates nothing)."""
        with self._connect() as conn:
            row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()
        return bool(row and row[0])

    @property
    def conn(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._staging = False
            self._conn = self._connect()
            try:
                self._ensure_table(self._conn)
            except BaseException:
                self._conn.close()
                raise
        return self._conn

    def _ensure_table(self, conn: psycopg.Connection[Any]) -> None:
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()
        if exists and exists[0]:
            return
        if not self.create:
            raise ConfigError(
                f"no tweetpulse store in {self.location} yet (no table {TABLE}): run 'tweetpulse listen --store URL' "
                "first, or check the database in the URL"
            )
        try:
            with conn.transaction():
                conn.execute(_LOCK)  # hosts starting together: one creates, the others wait and find it
                conn.execute(SCHEMA)
        except psycopg.Error as exc:
            raise ConfigError(
                f"can't create the table {TABLE} in the store {self.location} ({self._say(exc)}); "
                "the URL's user needs CREATE on the database's schema"
            ) from None
        log.info("created the table %s in %s", TABLE, self.location)

    def check(self) -> None:
        """The table has the columns tweetpulse writes (the server keeps its own integrity): a
        :class:`~tweetpulse.errors.ConfigError` saying what to do when it holds another layout."""
        try:
            rows = self.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND table_schema = current_schema()",
                (TABLE,),
            ).fetchall()
        except psycopg.Error as exc:
            raise ConfigError(f"can't read the store {self.location} ({self._say(exc)})") from None
        missing = [c for c in COLUMNS if c not in {r[0] for r in rows}]
        if missing:
            raise ConfigError(
                f"the store {self.location} holds a table {TABLE} of another layout (no {', '.join(missing)}): "
                "give another database or schema with --store"
            )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _failed(self, doing: str, exc: psycopg.Error) -> StoreError:
        """A StoreError for a failed call; a lost connection is dropped, so the next call reconnects."""
        lost = self._conn is not None and (self._conn.broken or self._conn.closed)
        if lost:
            self.close()
        kind = StoreUnreachable if lost or isinstance(exc, psycopg.OperationalError) else StoreError
        return kind(f"{doing} the store {self.location} failed ({self._say(exc)})")

    # -- writing --------------------------------------------------------------------------------
    def insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        """Store ``tweets`` in one transaction, ignoring ids already stored; return the ids newly stored."""
        if not tweets:
            return set()
        try:
            try:
                return self._insert(tweets)
            except psycopg.DataError:  # refused by the server or by psycopg itself: look only now
                cleaned = [without_nul(t) for t in tweets]
                changed = sum(c != t for c, t in zip(cleaned, tweets, strict=True))
                if not changed:
                    raise
            log.warning("%d tweets held NUL characters PostgreSQL can't store: stored with U+FFFD instead", changed)
            return self._insert(cleaned)
        except psycopg.Error as exc:
            raise self._failed("writing to", exc) from exc

    def _insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        conn = self.conn
        with conn.transaction(), conn.cursor() as cur:
            if self.insert_method == "executemany":
                cur.executemany(_INSERT_SQL, tweets, returning=True)
                new: set[str] = set()
                while True:
                    new.update(row[0] for row in cur.fetchall())
                    if not cur.nextset():
                        return new
            if not self._staging:
                cur.execute(_STAGING_SQL)
            with cur.copy(_COPY_SQL) as copy:
                copy.set_types(_STAGING_TYPES)
                for tweet in tweets:
                    copy.write_row(tweet)
            cur.execute(_MERGE_SQL)
            new = {row[0] for row in cur.fetchall()}
        self._staging = True
        return new

    def count(self) -> int:
        row = self.conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
        return int(row[0]) if row else 0

    # -- reading --------------------------------------------------------------------------------
    def history(self, since: int, authors_since: int, recent: int, latencies: int) -> History:
        conn = self.conn
        try:
            # one snapshot for every query; only rows of transactions below its xmin (see the docstring)
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            try:
                bound = conn.execute(f"SELECT {_BOUND}::text").fetchone()
                upto = int(bound[0]) if bound else 0
                old = "xact < %(upto)s::text::xid8"
                params = {
                    "upto": str(upto),
                    "since": since,
                    "authors": authors_since,
                    "recent": recent,
                    "lat": latencies,
                }
                before = conn.execute(
                    f"SELECT keywords, label, count(*), sum(score), sum(polarity) FROM {TABLE} "
                    f"WHERE scored_at < to_timestamp(%(since)s) AND {old} GROUP BY keywords, label",
                    params,
                ).fetchall()
                window = conn.execute(
                    f"SELECT {_SECOND} AS s, keywords, label, count(*), sum(score), sum(polarity) FROM {TABLE} "
                    f"WHERE scored_at >= to_timestamp(%(since)s) AND {old} GROUP BY s, keywords, label ORDER BY s",
                    params,
                ).fetchall()
                latest = conn.execute(
                    f"SELECT {_SELECT} FROM {TABLE} WHERE {old} ORDER BY xact DESC, id DESC LIMIT %(recent)s", params
                ).fetchall()
                lags = conn.execute(
                    f"SELECT extract(epoch FROM scored_at - produced_at)::float8 FROM {TABLE} "
                    f"WHERE {old} AND produced_at IS NOT NULL ORDER BY xact DESC, id DESC LIMIT %(lat)s",
                    params,
                ).fetchall()
                authors = conn.execute(
                    f"SELECT {_SECOND} / 60 * 60 AS m, coalesce(author, author_id) AS who, sum(abs(score)), "
                    f"sum(score), count(*), max(coalesce(followers, 0)) FROM {TABLE} "
                    f"WHERE scored_at >= to_timestamp(%(authors)s) AND {old} AND score <> 0 "
                    "AND coalesce(author, author_id) IS NOT NULL GROUP BY m, who ORDER BY m",
                    params,
                ).fetchall()
            finally:
                conn.execute("COMMIT")
        except psycopg.Error as exc:
            raise self._failed("reading", exc) from exc
        self._cursor = (upto, "")  # ids are never empty: every row of transaction ``upto`` on comes next
        return History(
            before=[GroupTotals(list(k), label, n, score, pol) for k, label, n, score, pol in before],
            window=[SecondTotals(int(s), list(k), label, n, score, pol) for s, k, label, n, score, pol in window],
            recent=[ScoredTweet._make(row) for row in reversed(latest)],
            latencies=[value for (value,) in reversed(lags)],
            authors=[AuthorTotals(int(m), str(who), a, net, n, int(f)) for m, who, a, net, n, f in authors],
        )

    def follow(self, limit: int) -> list[ScoredTweet]:
        xact, last = self._cursor
        try:
            rows = self.conn.execute(
                f"SELECT xact::text, {_SELECT} FROM {TABLE} "
                f"WHERE (xact, id) > (%s::text::xid8, %s) AND xact < {_BOUND} ORDER BY xact, id LIMIT %s",
                (str(xact), last, limit),
            ).fetchall()
        except psycopg.Error as exc:
            raise self._failed("reading", exc) from exc
        if not rows:
            return []
        self._cursor = (int(rows[-1][0]), rows[-1][1])
        return [ScoredTweet._make(row[1:]) for row in rows]

    def held_back(self) -> str | None:
        """Say so when committed rows wait behind a transaction still open somewhere on the server."""
        xact, last = self._cursor
        try:
            waiting = self.conn.execute(
                f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE (xact, id) > (%s::text::xid8, %s) AND xact >= {_BOUND})",
                (str(xact), last),
            ).fetchone()
            if not waiting or not waiting[0]:
                return None
            oldest = self.conn.execute(_OLDEST_OPEN).fetchone()
        except psycopg.Error as exc:
            raise self._failed("reading", exc) from exc
        if oldest is None:
            return "new tweets wait for a transaction still open on the PostgreSQL server to end"
        pid, state, seconds, database = oldest
        where = f" in database {database}" if database else ""
        return (
            f"new tweets wait for transaction of pid {pid}{where} to end ({state or 'open'} for {seconds:.0f} s); "
            f"end it or pg_terminate_backend({pid})"
        )

    def read_frame(self, since: float | None = None) -> pd.DataFrame:
        import pandas as pd

        query = f"SELECT {_SELECT} FROM {TABLE}"
        params: tuple[Any, ...] = ()
        if since is not None:
            query += " WHERE scored_at > to_timestamp(%s)"
            params = (since,)
        try:
            rows = self.conn.execute(query + " ORDER BY scored_at, xact, id", params).fetchall()
        except psycopg.Error as exc:
            raise self._failed("reading", exc) from exc
        return with_times(pd.DataFrame(rows, columns=list(COLUMNS)))
