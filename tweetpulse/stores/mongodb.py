"""The MongoDB store (pymongo): one collection that every listener host writes and every page follows.

``--store mongodb://user:password@host:port/db`` (or ``mongodb+srv://``; any MongoDB connection
string, so ``?tls=true&authSource=admin`` and friends work; the database is the URL's path, else
``tweetpulse``). Works with MongoDB 4.4+ and with servers that speak its wire protocol (FerretDB,
which ``scripts/mongodb-setup.sh`` runs for the tests and for users without a MongoDB).

**Documents.** ``scored_tweets`` holds one document per tweet, ``_id`` = the tweet id, with the same
fields as the other stores: ``keywords`` an array, ``produced_at``/``scored_at`` BSON dates (UTC,
millisecond precision). Beside them each document keeps what the page's queries group by, computed
once at insert so the server only needs ``$match``, ``$group`` (``$sum``/``$max``) and ``$sort``:
the exact times as unix seconds (``produced_s``, ``scored_s``), ``second``, ``minute``, ``who``
(author, else author id), ``abs_score``, ``followers0`` and ``latency``; and ``seq``, its batch's
place in commit order (below). Indexes: ``(seq, _id)`` for the tail, ``scored_s`` for windows.

**Inserts** are one ``insert_many(ordered=False)`` per batch: a duplicate id (code 11000) is ignored
and only the ids newly stored come back, so a redelivered tweet, a restart or a second host never
counts twice; any other write error is a :class:`~tweetpulse.errors.StoreError` (the batch is then
redelivered and its stored part ignored as duplicates).

**Following every writer without skipping one that commits late.** Change streams would do it, but
they need a replica set and are missing from the wire-protocol servers people run in their place.
So each batch takes a sequence number from a counter document (``$inc``, atomic) and the tail reads
in ``(seq, _id)`` order — but a bare counter would let a reader pass a batch numbered before one that
finished first. So a writer first puts a *lease* in ``tweetpulse_writers`` holding ``floor``, the
counter as it read it *before* taking its number (its number is then above ``floor``), writes, and
removes the lease. A reader reads the counter ``N`` and *then* the leases, and reads only up to
``bound = min(N, every live lease's floor)``: a writer whose lease it saw has a number above its
floor, and one whose lease came later took its number after the reader read ``N``, so every batch at
or below ``bound`` is complete. The cursor is the last ``(seq, _id)`` read: each document once, none
missed. A writer that dies leaves its lease: a reader on the same host sees its process is gone and
ignores it at once; elsewhere, after :data:`LEASE_TTL` seconds readers ignore it (and writers remove it),
so a crash holds a page on another host back for that long at most — the cost, like
PostgreSQL's open transactions, is that a batch taking longer than that to write could be passed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import pymongo
from bson.errors import BSONError
from pymongo.errors import (
    BulkWriteError,
    ConfigurationError,
    ConnectionFailure,
    DuplicateKeyError,
    InvalidURI,
    OperationFailure,
    PyMongoError,
)
from pymongo.uri_parser import parse_uri

from tweetpulse.closing import Closing
from tweetpulse.errors import ConfigError, StoreError, StoreUnreachable
from tweetpulse.records import COLUMNS, ScoredTweet
from tweetpulse.stores import AuthorTotals, GroupTotals, History, SecondTotals, masked, with_times
from tweetpulse.stores.mongodb_docs import HOST, READ, dead_here, document, fold_authors, scored_tweet

if TYPE_CHECKING:
    import pandas as pd
    from pymongo.collection import Collection
    from pymongo.database import Database

log = logging.getLogger(__name__)

COLLECTION = "scored_tweets"
WRITERS = "tweetpulse_writers"
META = "tweetpulse_meta"
DEFAULT_DB = "tweetpulse"
LEASE_TTL = 120.0  # seconds after which a writer's lease is taken for a crashed writer's
LAYOUT = 1
DUPLICATE_KEY = 11000
NOT_IMPLEMENTED = 238
_CONNECT_DEFAULTS: dict[str, Any] = {
    "serverSelectionTimeoutMS": 10_000,
    "connectTimeoutMS": 10_000,
    "appname": "tweetpulse",
}


def open_url(url: str, *, create: bool = True) -> MongoStore:
    """The MongoDB store of a ``mongodb://`` URL (what :func:`tweetpulse.stores.open_store` calls)."""
    try:
        if urlsplit(url).scheme.lower() == "mongodb":  # (a +srv URL's hosts come from DNS: checked on connecting)
            parse_uri(url, warn=True)
        elif not urlsplit(url).hostname:
            raise InvalidURI("no host")
    except (InvalidURI, ConfigurationError, ValueError) as exc:
        raise ConfigError(
            f"the store URL {masked(url)} can't be read ({_first_line(exc)}): write it as "
            "mongodb://user:password@host:port/database"
        ) from None
    return MongoStore(url, create=create)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


class MongoStore(Closing):
    """A client of the store (a :class:`~tweetpulse.stores.TweetStore`), connected on first use."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        self.url = url
        self.create = create
        self._client: pymongo.MongoClient[dict[str, Any]] | None = None
        self._db: Database[dict[str, Any]] | None = None
        self._cursor: tuple[int, str | None] = (0, None)  # the last (seq, _id) follow() returned
        self._one_accumulator = False  # the server computes one $group accumulator per stage (FerretDB)

    @property
    def location(self) -> str:
        return masked(self.url)

    def open(self) -> None:
        self.db  # noqa: B018 - connects

    def _say(self, exc: BaseException) -> str:
        """An error's text fit to show (never the password)."""
        text = _first_line(exc)
        password = urlsplit(self.url).password
        for secret in {password, unquote(password)} if password else set():
            text = text.replace(secret, "***")
        return text

    def _client_of(self) -> pymongo.MongoClient[dict[str, Any]]:
        given = {k.lower() for k in parse_qs(urlsplit(self.url).query)}
        options = {k: v for k, v in _CONNECT_DEFAULTS.items() if k.lower() not in given}
        return pymongo.MongoClient(self.url, tz_aware=True, **options)

    def exists(self) -> bool:
        """Whether the collection is there (asked on a client of its own, which creates nothing)."""
        client = self._client_of()
        try:
            return COLLECTION in client.get_default_database(DEFAULT_DB).list_collection_names()
        except PyMongoError as exc:
            kind = StoreUnreachable if isinstance(exc, ConnectionFailure) else ConfigError
            raise kind(
                f"can't read the store {self.location} ({self._say(exc)}); check the URL given with --store"
            ) from None
        finally:
            client.close()

    @property
    def db(self) -> Database[dict[str, Any]]:
        if self._db is None:
            client = self._client_of()
            db = client.get_default_database(DEFAULT_DB)
            try:
                build = client.admin.command("buildInfo")
                self._one_accumulator = "ferretdbVersion" in build
                self._ensure_collection(db)
            except PyMongoError as exc:
                client.close()
                # a server that is down or restarting is waited for (the listener's workers do); a refused
                # login or a bad database name is a setting to fix: both say to check the URL
                kind = StoreUnreachable if isinstance(exc, ConnectionFailure) else ConfigError
                raise kind(
                    f"can't connect to the store {self.location} ({self._say(exc)}); check the server is up "
                    "and the URL (user, password, host, port, database) given with --store"
                ) from None
            except BaseException:
                client.close()
                raise
            self._client, self._db = client, db
        return self._db

    @property
    def tweets(self) -> Collection[dict[str, Any]]:
        return self.db[COLLECTION]

    def _ensure_collection(self, db: Database[dict[str, Any]]) -> None:
        if COLLECTION in db.list_collection_names():
            return
        if not self.create:
            raise ConfigError(
                f"no tweetpulse store in {self.location} yet (no collection {COLLECTION}): run "
                "'tweetpulse listen --store URL' first, or check the database in the URL"
            )
        for meta in ({"_id": "layout", "version": LAYOUT, "columns": list(COLUMNS)}, {"_id": "seq", "n": 0}):
            with contextlib.suppress(DuplicateKeyError):  # hosts starting together: the first one's stays
                db[META].insert_one(meta)
        db[COLLECTION].create_index([("seq", 1), ("_id", 1)], name="tail")
        db[COLLECTION].create_index([("scored_s", 1)], name="scored_s")
        log.info("created the collection %s in %s", COLLECTION, self.location)

    def check(self) -> None:
        """The collection was made by tweetpulse with the fields it writes: a
        :class:`~tweetpulse.errors.ConfigError` saying what to do when it holds something else."""
        try:
            layout = self.db[META].find_one({"_id": "layout"})
        except PyMongoError as exc:
            raise ConfigError(f"can't read the store {self.location} ({self._say(exc)})") from None
        columns = set(layout.get("columns") or []) if layout else set()
        missing = [c for c in COLUMNS if c not in columns]
        if layout is None or not isinstance(layout.get("version"), int) or layout["version"] > LAYOUT or missing:
            lacks = f"no {', '.join(missing)}" if missing and layout else "not made by tweetpulse"
            raise ConfigError(
                f"the store {self.location} holds a collection {COLLECTION} of another layout ({lacks}): "
                "give another database with --store"
            )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = self._db = None

    def _failed(self, doing: str, exc: PyMongoError | BSONError) -> StoreError:
        """A StoreError for a failed call; a server gone away (the driver reconnects by itself) is worth waiting for."""
        kind = StoreUnreachable if isinstance(exc, ConnectionFailure) else StoreError
        return kind(f"{doing} the store {self.location} failed ({self._say(exc)})")

    # -- writing --------------------------------------------------------------------------------
    def insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        """Store ``tweets`` (one batch, one sequence number), ignoring ids already stored; return the new ids."""
        if not tweets:
            return set()
        db = self.db
        lease = uuid.uuid4().hex
        try:
            floor = self._counter(db[META].find_one({"_id": "seq"}))
            now = time.time()
            db[WRITERS].insert_one({"_id": lease, "floor": floor, "at": now, "host": HOST, "pid": os.getpid()})
            try:
                taken = db[META].find_one_and_update(
                    {"_id": "seq"}, {"$inc": {"n": 1}}, return_document=pymongo.ReturnDocument.AFTER
                )
                return self._insert_many([document(t, self._counter(taken, missing=-1)) for t in tweets])
            finally:
                db[WRITERS].delete_many({"$or": [{"_id": lease}, {"at": {"$lt": now - LEASE_TTL}}]})
        except (PyMongoError, BSONError) as exc:
            raise self._failed("writing to", exc) from exc

    def _counter(self, doc: dict[str, Any] | None, missing: int = 0) -> int:
        """The sequence counter's value from its document (``missing`` when there is none)."""
        value = missing if doc is None else doc.get("n")
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise StoreError(
            f"the store {self.location} has no usable sequence counter ({META} {{_id: 'seq'}} is "
            f"{'missing' if doc is None else 'damaged'}): give a database that only tweetpulse writes with --store"
        )

    def _insert_many(self, docs: list[dict[str, Any]]) -> set[str]:
        try:
            self.tweets.insert_many(docs, ordered=False)
            return {d["_id"] for d in docs}
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            other = [e for e in errors if e.get("code") != DUPLICATE_KEY]
            if other:
                raise StoreError(
                    f"writing to the store {self.location} failed ({len(other)} of {len(docs)} documents refused: "
                    f"{str(other[0].get('errmsg', 'unknown error'))[:300]})"
                ) from None
            refused = {e.get("index") for e in errors}
            return {d["_id"] for i, d in enumerate(docs) if i not in refused}

    def count(self) -> int:
        try:
            return int(self.tweets.count_documents({}))
        except PyMongoError as exc:
            raise self._failed("reading", exc) from exc

    # -- reading --------------------------------------------------------------------------------
    def _bound(self) -> int:
        """The highest sequence number below which every batch is complete (see the module docstring)."""
        db = self.db
        bound = self._counter(db[META].find_one({"_id": "seq"}))
        live = [w for w in db[WRITERS].find({"at": {"$gte": time.time() - LEASE_TTL}}) if not dead_here(w)]
        return min([bound, *(int(w["floor"]) for w in live)])

    def _group(self, match: dict[str, Any], keys: dict[str, str], sums: dict[str, Any]) -> list[dict[str, Any]]:
        """``$group`` by ``keys`` with the accumulators ``sums``; on FerretDB, whose ``$group`` computes only
        the first accumulator of a stage (1.24: the others come back 0), one pipeline per accumulator."""
        if not self._one_accumulator:
            return list(self.tweets.aggregate([{"$match": match}, {"$group": {"_id": keys, **sums}}]))
        merged: dict[str, dict[str, Any]] = {}
        for name, accumulator in sums.items():
            for row in self.tweets.aggregate([{"$match": match}, {"$group": {"_id": keys, name: accumulator}}]):
                merged.setdefault(repr(sorted(row["_id"].items())), {"_id": row["_id"]})[name] = row[name]
        return list(merged.values())

    def _authors(self, match: dict[str, Any]) -> list[dict[str, Any]]:
        """Per minute and author: sums, count and most followers. A server without ``$max`` in ``$group``
        (FerretDB 1.x) gets the same totals folded here from the window's documents."""
        keys = {"m": "$minute", "w": "$who"}
        sums = {"a": {"$sum": "$abs_score"}, "net": {"$sum": "$score"}, "n": {"$sum": 1}}
        try:
            return self._group(match, keys, {**sums, "f": {"$max": "$followers0"}})
        except OperationFailure as exc:
            if exc.code != NOT_IMPLEMENTED:
                raise
        fields = {"minute": 1, "who": 1, "abs_score": 1, "score": 1, "followers0": 1}
        return fold_authors(self.tweets.find(match, fields))

    def history(self, since: int, authors_since: int, recent: int, latencies: int) -> History:
        try:
            upto = self._bound()
            done = {"seq": {"$lte": upto}}
            totals = {"n": {"$sum": 1}, "score": {"$sum": "$score"}, "pol": {"$sum": "$polarity"}}
            by_group = {"k": "$keywords", "l": "$label"}
            before = self._group({**done, "scored_s": {"$lt": since}}, by_group, totals)
            window = self._group({**done, "scored_s": {"$gte": since}}, {**by_group, "s": "$second"}, totals)
            newest = [("seq", -1), ("_id", -1)]
            latest = list(self.tweets.find(done, READ).sort(newest).limit(max(recent, 0))) if recent > 0 else []
            lags = (
                list(self.tweets.find({**done, "latency": {"$ne": None}}, {"latency": 1}).sort(newest).limit(latencies))
                if latencies > 0
                else []
            )
            authors = self._authors(
                {**done, "scored_s": {"$gte": authors_since}, "score": {"$ne": 0}, "who": {"$ne": None}}
            )
        except PyMongoError as exc:
            raise self._failed("reading", exc) from exc
        self._cursor = (upto, None)
        window.sort(key=lambda g: g["_id"]["s"])
        authors.sort(key=lambda g: (g["_id"]["m"], str(g["_id"]["w"])))
        return History(
            before=[GroupTotals(list(g["_id"]["k"]), g["_id"]["l"], g["n"], g["score"], g["pol"]) for g in before],
            window=[
                SecondTotals(int(g["_id"]["s"]), list(g["_id"]["k"]), g["_id"]["l"], g["n"], g["score"], g["pol"])
                for g in window
            ],
            recent=[scored_tweet(d) for d in reversed(latest)],
            latencies=[float(d["latency"]) for d in reversed(lags)],
            authors=[
                AuthorTotals(int(g["_id"]["m"]), str(g["_id"]["w"]), g["a"], g["net"], g["n"], int(g["f"]))
                for g in authors
            ],
        )

    def follow(self, limit: int) -> list[ScoredTweet]:
        seq, last = self._cursor
        after: dict[str, Any] = (
            {"seq": {"$gt": seq}}
            if last is None
            else {"$or": [{"seq": {"$gt": seq}}, {"seq": seq, "_id": {"$gt": last}}]}
        )
        try:
            bound = self._bound()
            if bound < seq or limit <= 0:
                return []
            docs = list(
                self.tweets.find({"$and": [after, {"seq": {"$lte": bound}}]}, {**READ, "seq": 1})
                .sort([("seq", 1), ("_id", 1)])
                .limit(limit)
            )
        except PyMongoError as exc:
            raise self._failed("reading", exc) from exc
        if not docs:
            return []
        self._cursor = (int(docs[-1]["seq"]), str(docs[-1]["_id"]))
        return [scored_tweet(d) for d in docs]

    def held_back(self) -> str | None:
        """Say so when stored documents wait behind a writer's batch still being written."""
        seq, _ = self._cursor
        try:
            bound = self._bound()
            if not self.tweets.find_one({"seq": {"$gt": max(seq, bound)}}, {"_id": 1}):
                return None
            oldest = list(self.db[WRITERS].find({"at": {"$gte": time.time() - LEASE_TTL}}).sort("at", 1).limit(1))
        except PyMongoError as exc:
            raise self._failed("reading", exc) from exc
        if not oldest:
            return None
        waited = max(time.time() - float(oldest[0]["at"]), 0.0)
        return (
            f"new tweets wait for a batch another writer began {waited:.0f} s ago to be written "
            f"(a writer that died is passed after {LEASE_TTL:.0f} s)"
        )

    def read_frame(self, since: float | None = None) -> pd.DataFrame:
        import pandas as pd

        query: dict[str, Any] = {} if since is None else {"scored_s": {"$gt": since}}
        try:
            docs = list(self.tweets.find(query, READ).sort([("scored_s", 1), ("seq", 1), ("_id", 1)]))
        except PyMongoError as exc:
            raise self._failed("reading", exc) from exc
        return with_times(pd.DataFrame([scored_tweet(d) for d in docs], columns=list(COLUMNS)))
