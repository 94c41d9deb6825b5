"""The SQLite store: insert-or-ignore by id, new ids reported, pandas view, several writers."""

from __future__ import annotations

import multiprocessing as mp
import threading
from pathlib import Path

import pytest

from tests.support.stores import damaged_store, other_layout_store, scored
from tweetpulse.errors import ConfigError, StoreError
from tweetpulse.records import ScoredTweet
from tweetpulse.stores.sqlite import SqliteStore as Store


def row(i: int, scored_at: float = 1700000000.0) -> ScoredTweet:
    return ScoredTweet(
        id=f"t{i}",
        text=f"text {i}",
        created_at="2024-01-01T00:00:00Z",
        author="a",
        author_id="1",
        followers=i,
        lang="en",
        keywords=["bitcoin"],
        source="sample",
        polarity=0.5,
        subjectivity=0.25,
        weight=1.0,
        score=0.5,
        label="positive",
        kafka_partition=0,
        kafka_offset=i,
        produced_at=scored_at - 1,
        scored_at=scored_at + i,
    )


def test_the_store_file_is_in_wal_mode(tmp_path: Path) -> None:
    """Readers (the page) never block the writers (the workers). The contract every backend keeps is
    tests/integration/test_store_contract.py."""
    with Store(tmp_path / "s.db") as store:
        assert store.insert([row(1), row(2)]) == {"t1", "t2"}
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _writer(path: str, start: int) -> None:
    with Store(path) as store:
        for i in range(start, start + 400, 20):
            store.insert([row(j) for j in range(i, i + 20)] + [row(0)])


def test_several_processes_write_safely(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    Store(path).conn.close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, k * 300)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Store(path) as store:
        assert store.count() == len({0} | {j for k in range(3) for j in range(k * 300, k * 300 + 400)})


def test_writers_opening_a_new_store_at_once_all_get_it(tmp_path: Path) -> None:
    """Spark's tasks (and any writers started together) open a store that isn't there yet at the same
    moment. SQLite answers some of them "database is locked" at once, without its busy wait, where waiting
    could deadlock (one failed in about 1 round in 25 of this test before the set-up was tried again); a
    task that got that error failed its micro-batch and stopped the query."""
    failures: list[str] = []
    for attempt in range(150):
        path = tmp_path / f"s{attempt}.db"
        together = threading.Barrier(4)

        def open_it(path: Path = path, together: threading.Barrier = together) -> None:
            together.wait()
            try:
                Store(path).open()
            except ConfigError as exc:
                failures.append(str(exc))

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert failures == []
    with Store(tmp_path / "s0.db") as store:
        assert store.insert([row(1)]) == {"t1"}


def test_a_full_disk_says_so_and_stores_nothing(tmp_path: Path) -> None:
    """SQLite rolls a full-disk transaction back itself: the error must be the full disk, not
    'cannot rollback - no transaction is active'."""
    with Store(tmp_path / "s.db") as store:
        store.insert([scored(i) for i in range(10)])
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count={pages + 2}")  # as if the disk filled up now
        with pytest.raises(StoreError) as info:
            store.insert([scored(i) for i in range(10, 5000)])
        message = str(info.value)
        assert "is full" in message and "free some space" in message and "nothing of this batch" in message
        assert "rollback" not in message and "\n" not in message
        assert store.count() == 10
        store.conn.execute("PRAGMA max_page_count=1073741823")  # space again: the store goes on
        assert len(store.insert([scored(i) for i in range(10, 20)])) == 10


def test_check_reads_the_integrity_of_the_file(tmp_path: Path) -> None:
    path = damaged_store(tmp_path / "damaged.db")
    store = Store(path)
    store.open()  # opening reads only the first page: it looks fine
    with pytest.raises(ConfigError, match=r"is damaged .*move it aside") as info:
        store.check()
    assert "\n" not in str(info.value)
    store.close()
    with Store(tmp_path / "fine.db") as fine:
        fine.insert([scored(1)])
        fine.check()


def test_check_reads_the_layout_of_the_table(tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigError, match=r"another layout .*give another --store"),
        Store(other_layout_store(tmp_path / "other.db")) as store,
    ):
        store.check()


def test_reading_a_damaged_store_is_one_clear_line(tmp_path: Path) -> None:
    with Store(damaged_store(tmp_path / "damaged.db")) as store, pytest.raises(StoreError) as info:
        store.history(0, 0, 20, 20)
    assert "is damaged" in str(info.value) and "\n" not in str(info.value)


def test_insert_reports_exactly_the_ids_it_stored(tmp_path: Path) -> None:
    """New ids come from the rows after the last rowid when a batch ignored some (stored before, or
    twice in the batch), and are the batch's ids when it ignored none: both kept to the truth."""
    import random

    rng = random.Random(5)
    stored: set[str] = set()
    with Store(tmp_path / "s.db") as store:
        for _ in range(200):
            batch = [row(rng.randrange(3000)) for _ in range(rng.randrange(1, 40))]
            if rng.random() < 0.3:  # now and then a batch of ids never seen
                batch = [row(10_000 + len(stored) + i) for i in range(rng.randrange(1, 40))]
            want = {t.id for t in batch} - stored
            assert store.insert(batch) == want
            stored |= want
        assert store.count() == len(stored)
