"""Small stores made for real, for the tests: stores with something in them (no broker needed), a damaged
file, a table of another layout, a store whose inserts fail."""

from __future__ import annotations

import math
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from tweetpulse.records import COLUMNS, ScoredTweet
from tweetpulse.stores import TweetStore
from tweetpulse.stores.sqlite import SqliteStore
from tweetpulse.stores.sqlite import SqliteStore as Store

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
NOW = T0


def scored_tweet(i: int, scored_at: float = NOW, keywords: list[str] | None = None) -> ScoredTweet:
    """Scored tweet ``i``: some fields left unknown by ``i`` (author, followers, produced_at)."""
    return ScoredTweet(
        id=f"t{i}",
        text=f"text {i}",
        created_at=None if i % 5 == 0 else f"2023-11-14T22:{i % 60:02d}:00Z",
        author=None if i % 2 else f"user{i}",
        author_id=str(i),
        followers=None if i % 3 == 0 else i,
        lang="en",
        keywords=keywords if keywords is not None else ["bitcoin"],
        source="test",
        polarity=0.5,
        subjectivity=0.25,
        weight=1.0,
        score=0.5,
        label="positive",
        kafka_partition=i % 3,
        kafka_offset=i,
        produced_at=None if i % 4 == 0 else scored_at - 0.1,
        scored_at=scored_at,
    )


def same_tweets(got: list[ScoredTweet], want: list[ScoredTweet]) -> bool:
    """The same tweets, field for field, times to the microsecond (what every backend keeps)."""

    def close(a: float | None, b: float | None) -> bool:
        return a == b or (a is not None and b is not None and abs(a - b) <= 1e-6)

    return len(got) == len(want) and all(
        g._replace(produced_at=None, scored_at=0.0) == w._replace(produced_at=None, scored_at=0.0)
        and close(g.produced_at, w.produced_at)
        and close(g.scored_at, w.scored_at)
        for g, w in zip(got, want, strict=True)
    )


def stored_row(
    i: int, polarity: float, followers: int | None, keywords: list[str], author: str | None, seconds: float, label: str
) -> dict[str, Any]:
    w = 1.0 if followers is None else math.log(followers + 1)
    return {
        "id": f"t{i}",
        "text": f"tweet {i}",
        "created_at": None,
        "author": author,
        "author_id": None,
        "followers": followers,
        "lang": "en",
        "keywords": keywords,
        "source": "test",
        "polarity": polarity,
        "subjectivity": 0.5,
        "weight": w,
        "score": w * polarity,
        "label": label,
        "kafka_partition": 0,
        "kafka_offset": i,
        "produced_at": T0 + seconds,
        "scored_at": T0 + seconds,
        "scorer": "textblob",
    }


def write_store(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Insert ``rows`` (dicts by column name; columns the store doesn't have are ignored)."""
    with Store(path) as store:
        fields: list[dict[str, Any]] = [{column: row.get(column) for column in COLUMNS} for row in rows]
        store.insert([ScoredTweet(**f) for f in fields])
    return path


PAGE = 4096


def scored(i: int, text: str | None = None, tid: str | None = None) -> ScoredTweet:
    return ScoredTweet(
        tid or f"t{i}",
        text or f"text {i} " + "x" * 200,
        "2024-01-01T00:00:00Z",
        "a",
        "1",
        i,
        "en",
        ["bitcoin"],
        "sample",
        0.5,
        0.25,
        1.0,
        0.5,
        "positive",
        0,
        i,
        1_700_000_000.0,
        1_700_000_001.0 + i,
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


class Pages(NamedTuple):
    """What two pages following one store saw: ids per page, and each page's backfill count."""

    seen: list[list[str]]
    backfilled: list[int]


def follow_while_writing(
    open_reader: Callable[[], TweetStore], write: Callable[[int], None], written: Callable[[], int], late_after: int
) -> Pages:
    """Two pages follow the store while four writer threads (``write(1..4)``) insert: one page from
    the start, one started once ``written()`` reaches ``late_after``; each backfills its history,
    then follows in small pages (so the cursor moves inside batches) until the writers are done."""
    done = threading.Event()
    seen: list[list[str]] = [[], []]
    backfilled: list[list[int]] = [[], []]

    def follow(reader: TweetStore, page: int) -> None:
        history = reader.history(since=0, authors_since=0, recent=0, latencies=0)
        backfilled[page].append(sum(t.tweets for t in history.window))
        while not done.is_set():
            seen[page].extend(t.id for t in reader.follow(7))
        while batch := reader.follow(1000):
            seen[page].extend(t.id for t in batch)

    readers = [open_reader(), open_reader()]
    writers = [threading.Thread(target=write, args=(w,)) for w in range(1, 5)]
    followers = [threading.Thread(target=follow, args=(readers[0], 0))]
    followers[0].start()
    while not backfilled[0]:
        time.sleep(0.01)
    for thread in writers:
        thread.start()
    while written() < late_after:
        time.sleep(0.01)
    followers.append(threading.Thread(target=follow, args=(readers[1], 1)))
    followers[1].start()
    for thread in writers:
        thread.join()
    done.set()
    for thread in followers:
        thread.join()
    for reader in readers:
        reader.close()
    return Pages(seen, [b[0] for b in backfilled])


def assert_each_page_saw_all(pages: Pages, written: list[str]) -> None:
    for page, ids in enumerate(pages.seen):
        assert len(ids) == len(set(ids)), f"page {page} counted a tweet twice"
        assert pages.backfilled[page] + len(ids) == len(written)
    assert set(pages.seen[0]) == set(written)
