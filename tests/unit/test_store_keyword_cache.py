"""The SQLite store decodes each distinct stored keyword list once, and keeps a bounded number of them.

``tweetpulse dashboard`` on SQLite kept every distinct list it ever read (about 1.6 KB each): a store
whose records carry ever new keyword names grew the page without bound (73 → 460 MB over 450k tweets).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from tests.support.stores import NOW
from tests.support.stores import scored_tweet as tweet
from tweetpulse.stores.sqlite import SqliteStore

DISTINCT = 12_000


def follow_all(reader: SqliteStore, first: int, count: int) -> None:
    read = 0
    while read < count and (batch := reader.follow(min(500, count - read))):
        read += len(batch)
        assert batch[-1].keywords == [f"name{first + read - 1}", "bitcoin"]
    assert read == count


def test_following_ever_new_keyword_names_keeps_memory_bounded(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as writer:
        writer.insert([tweet(i, NOW + i / 1000, [f"name{i}", "bitcoin"]) for i in range(DISTINCT)])
    half = DISTINCT // 2
    with SqliteStore(tmp_path / "s.db") as reader:
        tracemalloc.start()
        try:
            follow_all(reader, 0, half)  # whatever a bounded cache holds, it holds it by now
            before = tracemalloc.get_traced_memory()[0]
            follow_all(reader, half, half)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert grown < 100_000, f"following {half} more distinct keyword lists kept {grown:,} bytes more"


def test_a_repeated_keyword_list_is_decoded_once(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        store.insert([tweet(i, NOW, ["bitcoin", "ethereum"]) for i in range(50)])
        tweets = store.follow(100)
    assert len(tweets) == 50 and all(t.keywords is tweets[0].keywords for t in tweets)
