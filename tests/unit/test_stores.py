"""The store protocol on SQLite: opened from a path or URL, new ids reported, rows followed once in commit order;
store URLs shown without their password."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.stores import scored_tweet as tweet
from tweetpulse.errors import ConfigError, StoreError
from tweetpulse.pipeline.demo import page_subtitle
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.stores import masked, open_store, store_exists
from tweetpulse.stores.sqlite import SqliteStore


def test_a_path_and_a_sqlite_url_open_the_same_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a" / "s.db"
    with open_store(path) as store:
        assert isinstance(store, SqliteStore) and store.location == str(path)
        store.insert([tweet(1)])
    with open_store(f"sqlite:///{path}") as store:  # sqlite:////absolute/path
        assert store.count() == 1
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///a/s.db") as store:  # sqlite:///relative/path
        assert store.count() == 1 and store.location == "a/s.db"


@pytest.mark.parametrize(
    ("location", "says"),
    [
        ("mysql://db/tweets", "unknown kind of store mysql://"),
        ("sqlite://", "names no file"),
        ("sqlite:///", "names no file"),
    ],
)
def test_a_bad_location_is_a_clear_error(location: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        open_store(location)


def test_reading_a_store_that_is_not_there_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="tweetpulse listen --store"):
        open_store(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()
    with pytest.raises(ConfigError, match=r"can't open the store .* --store"), open_store("/proc/nope/s.db"):
        pass


def test_a_rebuilt_store_is_followed_from_its_end(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with open_store(path) as store:
        store.insert([tweet(i) for i in range(5)])
        assert len(store.follow(10)) == 5
        conn = sqlite3.connect(path)
        conn.execute("DELETE FROM scored_tweets WHERE id != 't0'")
        conn.commit()
        conn.execute("VACUUM")  # renumbers the rows
        conn.close()
        assert store.follow(10) == []
        store.insert([tweet(9)])
        assert [t.id for t in store.follow(10)] == ["t9"]


def test_a_failed_read_is_a_store_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store.open()
        assert isinstance(store, SqliteStore)
        store.conn.execute("DROP TABLE scored_tweets")
        with pytest.raises(StoreError, match="another layout"):
            store.follow(10)


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("postgresql://me:s3cret@db:5432/tp", "postgresql://me:***@db:5432/tp"),
        ("postgresql://me:p@ss:w@db/tp?sslmode=require", "postgresql://me:***@db/tp?sslmode=require"),
        ("postgres://db/tp?sslmode=require&password=s3cret", "postgres://db/tp?sslmode=require&password=***"),
        ("postgresql://me@db/tp", "postgresql://me@db/tp"),
        ("data/tweetpulse.db", "data/tweetpulse.db"),
        ("sqlite:///data/t.db", "sqlite:///data/t.db"),
    ],
)
def test_a_store_url_is_shown_without_its_password(location: str, shown: str) -> None:
    assert masked(location) == shown


def test_the_page_and_the_settings_never_show_the_store_password() -> None:
    settings = ListenerSettings(store_path="postgresql://me:s3cret@db/tp")
    assert "s3cret" not in repr(settings)
    assert page_subtitle(settings).endswith("store postgresql://me:***@db/tp")


def test_a_sqlite_store_exists_once_its_file_does(tmp_path: Path) -> None:
    for location in (tmp_path / "s.db", f"sqlite:///{tmp_path / 's.db'}"):
        assert not store_exists(location) and not open_store(location).exists()
    with open_store(tmp_path / "s.db") as store:
        store.insert([tweet(1)])
    assert store_exists(tmp_path / "s.db") and store_exists(f"sqlite:///{tmp_path / 's.db'}")
