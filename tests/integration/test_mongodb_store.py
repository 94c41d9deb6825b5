"""The store protocol on a real MongoDB-wire-protocol server (FerretDB from scripts/mongodb-setup.sh, or
TWEETPULSE_TEST_MONGODB_URL's): the same answers as SQLite, new ids reported, a tail that follows every
writer — each stored tweet once, none missed, however the writers' batches interleave."""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pymongo
import pytest

from tests.support.stores import NOW, assert_each_page_saw_all, follow_while_writing
from tests.support.stores import scored_tweet as tweet
from tweetpulse.dashboard.standalone import StoreFollower
from tweetpulse.errors import ConfigError, StoreError, StoreUnreachable
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.records import ScoredTweet
from tweetpulse.stores import History, masked, open_store, read_frame
from tweetpulse.stores import mongodb as backend
from tweetpulse.stores.mongodb import MongoStore


def mongo(url: str, create: bool = True) -> MongoStore:
    store = open_store(url, create=create)
    assert isinstance(store, MongoStore)
    return store


def same(got: list[ScoredTweet], want: list[ScoredTweet]) -> bool:
    return [tuple(t) for t in got] == [tuple(t) for t in want]


def test_a_mongodb_url_opens_a_mongo_store_and_never_shows_its_password() -> None:
    for url in ("mongodb://tp:s3cret@db.example:27017/tp", "mongodb+srv://tp:s3cret@cluster.example/tp"):
        store = open_store(url, create=False)
        assert isinstance(store, MongoStore)
        assert "s3cret" not in store.location and "tp:***@" in store.location
    with pytest.raises(ConfigError, match="can't be read") as error:
        open_store("mongodb://tp:s3cret@host:notaport/db")
    assert "s3cret" not in str(error.value)


def test_follow_returns_what_was_inserted_field_for_field(mongo_store_url: str) -> None:
    tweets = [tweet(i, NOW + i / 7, [] if i % 4 == 0 else ["bitcoin", "dogecoin"]) for i in range(1, 9)]
    tweets[2] = tweets[2]._replace(text="nul\x00here 🚀 \u202e", author="a\x00b", keywords=["bit\x00coin"])
    with mongo(mongo_store_url) as writer, mongo(mongo_store_url, create=False) as reader:
        writer.insert(tweets[:5])
        writer.insert(tweets[5:])
        assert same(reader.follow(3) + reader.follow(10), tweets)  # at most the limit, then the rest, in order
        assert reader.follow(10) == []
        writer.insert([tweets[0], tweet(20, NOW - 60)])  # t1 again: not followed twice
        assert same(reader.follow(10), [tweet(20, NOW - 60)])


def test_history_and_read_frame_agree_with_sqlite(mongo_store_url: str, tmp_path: Path) -> None:
    tweets = [tweet(i, NOW - 100 + i * 1.5, ["bitcoin"] if i % 2 else ["ethereum", "bitcoin"]) for i in range(40)]
    answers: list[History] = []
    for location in (tmp_path / "s.db", mongo_store_url):
        with open_store(location) as store:
            store.insert(tweets[:25])
            store.insert(tweets[25:])
            answers.append(store.history(since=int(NOW - 50), authors_since=int(NOW - 80), recent=5, latencies=30))
    lite, mon = answers
    assert sorted(mon.before) == sorted(lite.before)
    assert mon.window == lite.window and sorted(mon.authors) == sorted(lite.authors) and same(mon.recent, lite.recent)
    assert mon.latencies == pytest.approx(lite.latencies)
    assert sum(t.tweets for t in mon.before) + sum(t.tweets for t in mon.window) == 40
    frames = [read_frame(location, since=NOW - 20) for location in (tmp_path / "s.db", mongo_store_url)]
    assert list(frames[1].columns) == list(frames[0].columns)
    assert frames[1].drop(columns="keywords").equals(frames[0].drop(columns="keywords"))
    assert list(frames[1]["keywords"]) == list(frames[0]["keywords"])


def test_documents_hold_arrays_and_bson_dates(mongo_store_url: str) -> None:
    with mongo(mongo_store_url) as store:
        store.insert([tweet(1, NOW, ["bitcoin", "ethereum"])])
    client: pymongo.MongoClient[dict[str, Any]]
    with pymongo.MongoClient(mongo_store_url, tz_aware=True) as client:
        doc = client.get_default_database()["scored_tweets"].find_one({"_id": "t1"})
        indexes = client.get_default_database()["scored_tweets"].index_information()
    assert doc is not None and doc["keywords"] == ["bitcoin", "ethereum"]
    assert doc["scored_at"].timestamp() == NOW and doc["produced_at"].timestamp() == pytest.approx(NOW - 0.1)
    assert "tail" in indexes and "scored_s" in indexes


def test_the_tail_waits_for_a_batch_numbered_before_it_and_then_returns_both(mongo_store_url: str) -> None:
    """A writer that took its number first finishes last: a bare 'seq > last seen' tail would skip it."""
    with mongo(mongo_store_url) as store, mongo(mongo_store_url) as reader:
        assert reader.history(since=int(NOW), authors_since=int(NOW), recent=5, latencies=5).recent == []
        db = store.db
        # a slow writer: its lease is in, its number taken, its documents not yet written
        db[backend.WRITERS].insert_one({"_id": "slow", "floor": 0, "at": time.time()})
        slow = db[backend.META].find_one_and_update(
            {"_id": "seq"}, {"$inc": {"n": 1}}, upsert=True, return_document=pymongo.ReturnDocument.AFTER
        )
        store.insert([tweet(2)])  # a later batch, finished first
        assert reader.follow(10) == []  # held back until the older batch is complete
        assert "wait for a batch another writer began" in (reader.held_back() or "")
        assert slow is not None
        db["scored_tweets"].insert_one(backend.document(tweet(1), int(slow["n"])))
        db[backend.WRITERS].delete_one({"_id": "slow"})
        assert [t.id for t in reader.follow(10)] == ["t1", "t2"]
        assert reader.follow(10) == [] and reader.count() == 2 and reader.held_back() is None


def test_a_dead_writers_lease_holds_the_tail_back_only_until_it_expires(
    mongo_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mongo(mongo_store_url) as store, mongo(mongo_store_url) as reader:
        reader.history(since=0, authors_since=0, recent=0, latencies=0)
        store.db[backend.WRITERS].insert_one({"_id": "dead", "floor": 0, "at": time.time()})
        store.insert([tweet(1)])
        assert reader.follow(10) == []
        monkeypatch.setattr(backend, "LEASE_TTL", 0.2)
        time.sleep(0.3)
        assert [t.id for t in reader.follow(10)] == ["t1"]
        store.insert([tweet(2)])  # a writer clears expired leases
        assert store.db[backend.WRITERS].count_documents({}) == 0


def test_a_lease_of_a_process_of_this_host_that_is_gone_is_passed_at_once(mongo_store_url: str) -> None:
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with mongo(mongo_store_url) as store, mongo(mongo_store_url) as reader:
        reader.history(since=0, authors_since=0, recent=0, latencies=0)
        alive = {"floor": 0, "at": time.time(), "host": backend.HOST, "pid": os.getpid()}
        store.db[backend.WRITERS].insert_one({"_id": "alive", **alive})
        store.insert([tweet(1)])
        assert reader.follow(10) == []  # this process is alive: its lease holds
        store.db[backend.WRITERS].update_one({"_id": "alive"}, {"$set": {"pid": int(gone.stdout)}})
        assert [t.id for t in reader.follow(10)] == ["t1"]  # that process is gone: no need to wait
        store.db[backend.WRITERS].update_one({"_id": "alive"}, {"$set": {"host": "another-host"}})
        store.insert([tweet(2)])
        assert reader.follow(10) == []  # on another host it can't be told: the TTL decides


def test_the_tail_follows_writers_whose_batches_interleave(mongo_store_url: str) -> None:
    """Four writers insert batches while two pages follow, one of them started halfway; each page ends
    with every stored tweet exactly once."""
    stored: list[str] = []
    lock = threading.Lock()

    def write(writer: int) -> None:
        rng = random.Random(writer)
        with mongo(mongo_store_url) as store:
            for batch in range(15):
                ids = [writer * 100_000 + batch * 100 + k for k in range(rng.randint(1, 30))]
                new = store.insert([tweet(i) for i in ids])
                with lock:
                    stored.extend(new)
                time.sleep(rng.uniform(0, 0.02))

    with mongo(mongo_store_url) as setup:
        setup.open()
    pages = follow_while_writing(lambda: mongo(mongo_store_url, create=False), write, lambda: len(stored), 150)
    assert len(stored) > 400
    # the late page's backfill ends below the oldest batch still being written then (maybe the first)
    assert pages.backfilled[0] == 0 and 0 <= pages.backfilled[1] < len(stored)
    assert_each_page_saw_all(pages, stored)


def test_the_page_backfills_and_tails_a_mongo_store(mongo_store_url: str) -> None:
    with mongo(mongo_store_url) as store:
        store.insert([tweet(i, time.time() - 30, ["bitcoin"]) for i in range(10)])
        follower = StoreFollower(mongo_store_url, Aggregator(window_seconds=600), clock=time.time)
        assert follower.backfill() == 10
        store.insert([tweet(i, time.time(), ["ethereum"]) for i in range(5, 15)])  # 5 of them are new
        assert follower.poll_once() == 5 and follower.rows_read == 15
        assert follower.aggregator.counters["stored"] == 15
        follower.stop()


def test_unreachable_servers_and_missing_stores_are_clear_errors(mongo_store_url: str) -> None:
    from tests.conftest import free_port

    url = f"mongodb://tp:s3cret@127.0.0.1:{free_port()}/tp?serverSelectionTimeoutMS=500"
    with pytest.raises(StoreUnreachable, match="can't connect to the store") as error:  # waited for by workers
        open_store(url).open()
    assert "s3cret" not in str(error.value) and "--store" in str(error.value)
    empty = mongo_store_url.rsplit("/", 1)[0] + f"/tp_none_{uuid.uuid4().hex[:8]}"
    with pytest.raises(ConfigError, match=r"no tweetpulse store in .* yet"):
        open_store(empty, create=False).open()


def test_check_accepts_our_collection_and_refuses_another(mongo_store_url: str) -> None:
    with open_store(mongo_store_url) as store:
        store.check()
    other = mongo_store_url.rsplit("/", 1)[0] + f"/tp_other_{uuid.uuid4().hex[:8]}"
    client: pymongo.MongoClient[dict[str, Any]]
    with pymongo.MongoClient(other, document_class=dict) as client:
        foreign: dict[str, Any] = {"_id": "x", "something": "else"}
        client.get_default_database()["scored_tweets"].insert_one(foreign)
        try:
            with open_store(other, create=False) as store, pytest.raises(ConfigError) as info:
                store.check()
        finally:
            client.drop_database(client.get_default_database().name)
    assert "another layout" in str(info.value) and "--store" in str(info.value)


def test_a_damaged_counter_is_a_store_error_and_loses_nothing_stored(mongo_store_url: str) -> None:
    with mongo(mongo_store_url) as store:
        store.insert([tweet(1)])
        store.db[backend.META].update_one({"_id": "seq"}, {"$set": {"n": "not a number"}})
        with pytest.raises(StoreError, match=r"no usable sequence counter \(.*damaged\)"):
            store.insert([tweet(3)])
        store.db[backend.META].update_one({"_id": "seq"}, {"$set": {"n": 5}})
        assert store.insert([tweet(3)]) == {"t3"} and store.count() == 2


def test_the_analysis_reads_a_mongo_store(mongo_store_url: str) -> None:
    from tweetpulse.workbook import analysis

    frame = analysis.load(mongo_store_url)  # no collection yet: an empty frame, and nothing is created
    assert frame.empty and "does not exist yet" in analysis.describe(frame, mongo_store_url)
    assert not open_store(mongo_store_url).exists()
    with open_store(mongo_store_url) as store:  # made here
        assert "has no tweets yet" in analysis.describe(analysis.load(mongo_store_url), mongo_store_url)
        store.insert([tweet(i, NOW + i) for i in range(6)])
    frame = analysis.load(mongo_store_url)
    assert len(frame) == 6 and analysis.describe(frame, mongo_store_url).startswith(
        f"6 tweets in {masked(mongo_store_url)}"
    )
    assert [t.timestamp() for t in frame["scored_at"]] == [NOW + i for i in range(6)]
