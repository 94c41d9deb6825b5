"""The store protocol on a real PostgreSQL: the same answers as SQLite, new ids reported, and a tail
that follows every writer — each committed row once, none missed, however the commits interleave."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import free_port
from tests.support.stores import NOW, assert_each_page_saw_all, follow_while_writing, same_tweets
from tests.support.stores import scored_tweet as tweet
from tweetpulse.dashboard.standalone import StoreFollower
from tweetpulse.errors import ConfigError, StoreError, StoreUnreachable, TweetpulseError
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.records import ScoredTweet
from tweetpulse.stores import History, open_store, read_frame
from tweetpulse.stores.postgres import _INSERT_SQL, InsertMethod, PostgresStore

METHODS: tuple[InsertMethod, ...] = ("copy", "executemany")


def pg(url: str, method: InsertMethod = "copy", create: bool = True) -> PostgresStore:
    store = open_store(url, create=create)
    assert isinstance(store, PostgresStore)
    store.insert_method = method
    return store


def test_a_postgresql_url_opens_a_postgres_store_and_never_shows_its_password(pg_store_url: str) -> None:
    password = urlsplit(pg_store_url).password
    assert password
    with open_store(pg_store_url) as store:
        assert isinstance(store, PostgresStore) and store.count() == 0
        assert password not in store.location and ":***@" in store.location
    with open_store(pg_store_url.replace("postgresql://", "postgres://", 1), create=False) as store:
        assert store.count() == 0  # the table was created by the first open


@pytest.mark.parametrize("method", METHODS)
def test_nul_characters_are_replaced_and_the_batch_is_kept(pg_store_url: str, method: InsertMethod) -> None:
    bad = tweet(7)._replace(text="nul\x00here", author="a\x00b", keywords=["bit\x00coin"])
    with pg(pg_store_url, method) as store:
        assert store.insert([tweet(1), bad]) == {"t1", "t7"}
        stored = store.follow(10)
    assert [t.text for t in stored] == ["text 1", "nul\ufffdhere"]
    assert stored[1].author == "a\ufffdb" and stored[1].keywords == ["bit\ufffdcoin"]


def test_history_and_read_frame_agree_with_sqlite(pg_store_url: str, tmp_path: Path) -> None:
    tweets = [tweet(i, NOW - 100 + i * 1.5, ["bitcoin"] if i % 2 else ["ethereum", "bitcoin"]) for i in range(40)]
    answers: list[History] = []
    for location in (tmp_path / "s.db", pg_store_url):
        with open_store(location) as store:
            store.insert(tweets[:25])
            store.insert(tweets[25:])
            answers.append(store.history(since=int(NOW - 50), authors_since=int(NOW - 80), recent=5, latencies=30))
    lite, post = answers
    assert sorted(post.before) == sorted(lite.before)
    assert post.window == lite.window and post.authors == lite.authors and same_tweets(post.recent, lite.recent)
    assert post.latencies == pytest.approx(lite.latencies)
    assert sum(t.tweets for t in post.before) + sum(t.tweets for t in post.window) == 40
    frames = [read_frame(location, since=NOW - 20) for location in (tmp_path / "s.db", pg_store_url)]
    assert list(frames[1].columns) == list(frames[0].columns)
    assert frames[1].drop(columns="keywords").equals(frames[0].drop(columns="keywords"))
    assert list(frames[1]["keywords"]) == list(frames[0]["keywords"])


def test_the_tail_waits_for_an_older_transaction_and_then_returns_both(pg_store_url: str) -> None:
    """A writer that began first commits last: a 'serial > last seen' tail would skip its rows."""
    with pg(pg_store_url) as store, pg(pg_store_url) as reader, psycopg.connect(pg_store_url) as slow:
        history = reader.history(since=int(NOW), authors_since=int(NOW), recent=5, latencies=5)
        assert history.recent == []
        slow.execute(_INSERT_SQL, tweet(1))  # its transaction is open: an id is taken, nothing visible
        store.insert([tweet(2)])  # committed, by a younger transaction
        assert reader.follow(10) == []  # held back until the older transaction ends
        slow.commit()
        assert [t.id for t in reader.follow(10)] == ["t1", "t2"]
        slow.execute(_INSERT_SQL, tweet(3))
        store.insert([tweet(4)])
        slow.rollback()  # a transaction that ends without committing holds nothing back
        assert [t.id for t in reader.follow(10)] == ["t4"]
        assert reader.follow(10) == [] and reader.count() == 3


def test_the_tail_follows_writers_whose_commits_interleave(pg_store_url: str) -> None:
    """Four writers commit batches in random order (some roll back) while two pages follow, one of them
    started halfway; each page ends with every committed tweet exactly once."""
    committed: list[str] = []
    lock = threading.Lock()

    def write(writer: int) -> None:
        rng = random.Random(writer)
        with psycopg.connect(pg_store_url) as conn:
            for batch in range(25):
                ids = [writer * 100_000 + batch * 100 + k for k in range(rng.randint(1, 30))]
                with conn.cursor() as cur:
                    cur.executemany(_INSERT_SQL, [tweet(i) for i in ids])
                time.sleep(rng.uniform(0, 0.02))  # commits land in another order than the ids were taken
                if rng.random() < 0.15:
                    conn.rollback()
                    continue
                conn.commit()
                with lock:
                    committed.extend(f"t{i}" for i in ids)

    with pg(pg_store_url) as setup:
        setup.open()
    pages = follow_while_writing(lambda: pg(pg_store_url, create=False), write, lambda: len(committed), 200)
    assert len(committed) > 500
    assert pages.backfilled[0] == 0 and 0 < pages.backfilled[1] < len(committed)
    assert_each_page_saw_all(pages, committed)


def test_the_page_backfills_and_tails_a_postgres_store(pg_store_url: str) -> None:
    with pg(pg_store_url) as store:
        store.insert([tweet(i, time.time() - 30, ["bitcoin"]) for i in range(10)])
        follower = StoreFollower(pg_store_url, Aggregator(window_seconds=600), clock=time.time)
        assert password_free(follower.location, pg_store_url)
        assert follower.backfill() == 10
        store.insert([tweet(i, time.time(), ["ethereum"]) for i in range(5, 15)])  # 5 of them are new
        assert follower.poll_once() == 5 and follower.rows_read == 15
        assert follower.aggregator.counters["stored"] == 15
        follower.stop()


def password_free(text: str, url: str) -> bool:
    password = urlsplit(url).password
    return bool(password) and str(password) not in text


def test_a_lost_connection_is_a_store_error_and_the_next_call_reconnects(pg_store_url: str) -> None:
    with pg(pg_store_url) as store, psycopg.connect(pg_store_url, autocommit=True) as admin:
        store.insert([tweet(1)])
        pid = store.conn.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError, match=r"reading the store postgresql://\S+:\*\*\*@") as error:
            store.follow(10)
        assert password_free(str(error.value), pg_store_url)
        store.insert([tweet(2)])  # a fresh connection
        assert [t.id for t in store.follow(10)] == ["t1", "t2"]


def test_bad_urls_and_servers_are_clear_errors_without_the_password(pg_store_url: str, postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    password = str(parts.password)
    wrong = postgres_url.replace(f":{password}@", ":not-the-password@", 1)
    nobody = f"postgresql://tweetpulse:{password}@127.0.0.1:{free_port()}/tweetpulse?connect_timeout=3"
    cases: list[tuple[str, str, type[Exception]]] = [
        (wrong, "can't connect to the store .*password authentication failed", ConfigError),
        # a server that isn't there (yet) is waited for by the listener's workers: not a setting to fix
        (nobody, "can't connect to the store .*check the server is up", StoreUnreachable),
        (f"postgresql://u:{password}@h/db?nonsense=1", "can't be read: write it as postgresql://", ConfigError),
    ]
    for url, says, kind in cases:
        with pytest.raises(TweetpulseError, match=says) as error, open_store(url):
            pass
        assert type(error.value) is kind
        assert password not in str(error.value) and "not-the-password" not in str(error.value)
    # a schema with no table yet: a reader says to run the listener first (and creates nothing)
    with (
        pytest.raises(ConfigError, match=r"no tweetpulse store in .*tweetpulse listen --store"),
        open_store(pg_store_url, create=False),
    ):
        pass
    with open_store(pg_store_url) as store:
        assert store.count() == 0


def test_hosts_starting_together_create_the_table_once(pg_store_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with open_store(pg_store_url) as store:
                store.insert([tweet(1)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open_store(pg_store_url, create=False) as store:
        assert store.count() == 1


def test_scored_tweets_keep_their_types(pg_store_url: str) -> None:
    with pg(pg_store_url) as store:
        store.insert([tweet(1)])
        (row,) = store.follow(1)
        assert isinstance(row, ScoredTweet) and isinstance(row.keywords, list) and isinstance(row.scored_at, float)
        types = dict(
            store.conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'scored_tweets' "
                "AND table_schema = current_schema()"
            ).fetchall()
        )
    assert types["keywords"] == "ARRAY" and types["scored_at"] == "timestamp with time zone"
    assert types["produced_at"] == "timestamp with time zone" and types["xact"] == "xid8"


def test_the_analysis_reads_a_postgres_store_and_names_it_without_the_password(pg_store_url: str) -> None:
    from tweetpulse.workbook import analysis

    frame = analysis.load(pg_store_url)  # no table yet: an empty frame, and the table is not created
    assert frame.empty and "does not exist yet" in analysis.describe(frame, pg_store_url)
    assert not open_store(pg_store_url).exists()
    with open_store(pg_store_url) as store:  # made here
        assert "has no tweets yet" in analysis.describe(analysis.load(pg_store_url), pg_store_url)
        store.insert([tweet(i, NOW + i) for i in range(6)])
    frame = analysis.load(pg_store_url)
    text = analysis.describe(frame, pg_store_url)
    assert len(frame) == 6 and text.startswith("6 tweets in postgresql://tweetpulse:***@")
    assert password_free(text, pg_store_url)


def test_check_accepts_our_table_and_names_what_another_layout_lacks(pg_store_url: str) -> None:
    with open_store(pg_store_url) as store:
        store.check()  # the table it just created
    with open_store(pg_store_url, create=False) as store:
        assert isinstance(store, PostgresStore)
        store.conn.execute("ALTER TABLE scored_tweets DROP COLUMN scorer")
        with pytest.raises(ConfigError) as info:
            store.check()
    message = str(info.value)
    assert "another layout" in message and "scorer" in message and "--store" in message, message
