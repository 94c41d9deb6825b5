"""The store contract (:class:`tweetpulse.stores.TweetStore`), once, run against every backend.

A new backend is one module in ``tweetpulse/stores/`` plus its scheme in ``BACKENDS``, and one entry
in :data:`LOCATIONS` here: these tests then hold it to the same answers as the others. What only one
backend has (SQLite's file integrity, PostgreSQL's insert methods and transaction ids) stays in that
backend's own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.stores import NOW, same_tweets, scored
from tests.support.stores import scored_tweet as tweet
from tweetpulse.errors import ConfigError
from tweetpulse.records import COLUMNS
from tweetpulse.stores import open_store, read_frame, store_exists

pytestmark = pytest.mark.integration

# backend → how a test gets a fresh, empty location of it
LOCATIONS: dict[str, Callable[[pytest.FixtureRequest, Path], str]] = {
    "sqlite": lambda request, tmp_path: str(tmp_path / "s.db"),
    "postgresql": lambda request, tmp_path: str(request.getfixturevalue("pg_store_url")),
}


@pytest.fixture(params=sorted(LOCATIONS))
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return LOCATIONS[request.param](request, tmp_path)


def test_a_store_exists_once_it_was_opened_to_write(location: str) -> None:
    assert not store_exists(location)
    with pytest.raises(ConfigError, match="tweetpulse listen --store"), open_store(location, create=False) as store:
        store.count()
    assert not store_exists(location)  # asking and reading created nothing
    with open_store(location) as store:
        assert store.exists() and store.count() == 0
        store.check()
    assert store_exists(location)


def test_insert_returns_only_the_ids_newly_stored(location: str) -> None:
    with open_store(location) as store:
        assert store.insert([tweet(1), tweet(2)]) == {"t1", "t2"}
        assert store.insert([tweet(2), tweet(3), tweet(3)]) == {"t3"}  # stored before, and twice in one batch
        assert store.insert([]) == set() and store.count() == 3
        assert store.insert([tweet(i) for i in range(4, 5004)]) == {f"t{i}" for i in range(4, 5004)}
        assert store.count() == 5003


def test_follow_returns_each_row_once_in_commit_order_field_for_field(location: str) -> None:
    with open_store(location) as writer, open_store(location, create=False) as reader:
        writer.insert([tweet(1, NOW), tweet(2, NOW + 1, [])])
        assert same_tweets(reader.follow(10), [tweet(1, NOW), tweet(2, NOW + 1, [])])
        assert reader.follow(10) == []
        writer.insert([tweet(3, NOW + 5)])
        writer.insert([tweet(4, NOW - 60), tweet(1, NOW + 9)])  # committed later, scored earlier; t1 is stored
        writer.insert([tweet(5, NOW + 6, ["ethereum", "dogecoin"])])
        assert [t.id for t in reader.follow(2)] == ["t3", "t4"]  # at most the limit, in commit order
        assert [(t.id, t.keywords) for t in reader.follow(10)] == [("t5", ["ethereum", "dogecoin"])]
        assert reader.follow(10) == []


def test_follow_goes_on_from_the_end_of_the_history(location: str) -> None:
    with open_store(location) as store:
        store.insert([tweet(i, NOW - 100 + i, ["bitcoin"] if i % 2 else ["ethereum"]) for i in range(10)])
        history = store.history(since=int(NOW - 95), authors_since=int(NOW - 95), recent=3, latencies=100)
        assert sum(t.tweets for t in history.before) == 5 and sum(t.tweets for t in history.window) == 5
        assert [t.second for t in history.window] == sorted(t.second for t in history.window)
        assert {tuple(t.keywords) for t in history.before} == {("bitcoin",), ("ethereum",)}
        assert [t.id for t in history.recent] == ["t7", "t8", "t9"]  # oldest first
        assert history.latencies == pytest.approx([0.1] * 7)  # the 3 without produced_at have none
        assert {a.author for a in history.authors} == {"user6", "user8", "5", "7", "9"}
        store.insert([tweet(10, NOW)])
        assert [t.id for t in store.follow(10)] == ["t10"]


def test_read_frame_gives_every_column_with_utc_times_and_keyword_lists(location: str) -> None:
    with open_store(location) as store:
        store.insert([tweet(1, NOW), tweet(2, NOW + 10, []), tweet(3, NOW + 20, ["bitcoin", "dogecoin"])])
        assert list(store.read_frame(NOW + 1)["id"]) == ["t2", "t3"]
    frame = read_frame(location)
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["keywords"]) == [["bitcoin"], [], ["bitcoin", "dogecoin"]]
    assert str(frame["scored_at"].dt.tz) == "UTC"
    assert list(read_frame(location, since="2023-11-14 22:13:35")["id"]) == ["t3"]


@pytest.mark.parametrize(
    "nasty",
    [
        "'); DROP TABLE scored_tweets; --",
        "1' OR '1'='1",
        'Robert"); DELETE FROM scored_tweets WHERE ("1"="1',
        "%s %(id)s ? :id $1 \\' \\\" ;; /* */ -- ",
    ],
)
def test_sql_metacharacters_are_stored_verbatim(location: str, nasty: str) -> None:
    """SQL stays parameterised: ids and texts made of SQL are kept as they are and harm nothing."""
    with open_store(location) as store:
        store.insert([scored(1)])
        assert store.insert([scored(2, text=nasty, tid=nasty)]) == {nasty}
        assert store.count() == 2
        frame = store.read_frame()
        assert frame.loc[frame["id"] == nasty, "text"].tolist() == [nasty]
        assert [t.id for t in store.history(0, 0, 10, 10).recent] == ["t1", nasty]
