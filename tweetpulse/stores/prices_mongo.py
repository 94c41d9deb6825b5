"""The prices of a ``mongodb://`` store: collection ``prices``, the per-minute bars kept as pieces.

Each upsert inserts its bars as they are, one document a piece (``_id`` = product, minute, first and
last tick time and tick count, so a piece written twice — a redelivery — is kept once); reading folds
the pieces of each product and minute with :func:`~tweetpulse.prices.bars.merge`, so bars written in
pieces, out of order or by two hosts at once keep the right prices. Only inserts: no read-modify-write
that two writers could interleave (MongoDB-wire servers differ in how they isolate those).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

from pymongo.errors import BulkWriteError, PyMongoError

from tweetpulse.errors import StoreError
from tweetpulse.prices.bars import MinuteBar, merge
from tweetpulse.stores.mongodb import DEFAULT_DB, DUPLICATE_KEY, MongoStore
from tweetpulse.stores.prices import COLUMNS, MAX_BARS

COLLECTION = "prices"
MAX_PIECES = 4 * MAX_BARS  # a read's bound in pieces


def piece_document(bar: MinuteBar) -> dict[str, Any]:
    key = f"{bar.product}|{bar.minute}|{bar.first_at!r}|{bar.last_at!r}|{bar.ticks}"
    return {"_id": key, **bar._asdict()}


def bar_of(doc: dict[str, Any]) -> MinuteBar:
    return MinuteBar(**{c: doc[c] for c in COLUMNS})


def fold_pieces(pieces: list[MinuteBar]) -> list[MinuteBar]:
    """One bar per product and minute, in the order the pieces come (minute, then product)."""
    bars: dict[tuple[int, str], MinuteBar] = {}
    for piece in pieces:
        key = (piece.minute, piece.product)
        bars[key] = merge(bars[key], piece) if key in bars else piece
    return list(bars.values())


class MongoPrices:
    """The prices collection of a MongoDB store (connected on first use, through the tweets' store)."""

    def __init__(self, url: str) -> None:
        self.store = MongoStore(url)

    @property
    def location(self) -> str:
        return self.store.location

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exists(self) -> bool:
        client = self.store._client_of()
        try:
            return COLLECTION in client.get_default_database(DEFAULT_DB).list_collection_names()
        except PyMongoError:
            return False
        finally:
            client.close()

    def upsert(self, bars: Sequence[MinuteBar]) -> None:
        if not bars:
            return
        try:
            self.store.db[COLLECTION].insert_many([piece_document(b) for b in bars], ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise StoreError(f"writing prices to the store {self.location} failed (documents refused)") from None
        except PyMongoError as exc:
            raise StoreError(f"writing prices to the store {self.location} failed ({self.store._say(exc)})") from None

    def bars(self, since: float = 0.0) -> list[MinuteBar]:
        try:
            docs = (
                self.store.db[COLLECTION]
                .find({"minute": {"$gte": int(since // 60 * 60)}})
                .sort([("minute", 1), ("product", 1), ("first_at", 1)])
                .limit(MAX_PIECES)
            )
            return fold_pieces([bar_of(d) for d in docs])[:MAX_BARS]
        except PyMongoError as exc:
            raise StoreError(f"reading prices from the store {self.location} failed ({self.store._say(exc)})") from None

    def close(self) -> None:
        self.store.close()
