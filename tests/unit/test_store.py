"""The SQLite store: insert-or-ignore by id, new ids reported, pandas view, several writers."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from tweetpulse.store import COLUMNS, ScoredTweet, Store, read_frame


def row(i: int, scored_at: float = 1700000000.0) -> ScoredTweet:
    return ScoredTweet(
        id=f"t{i}", text=f"text {i}", created_at="2024-01-01T00:00:00Z", author="a", author_id="1",
        followers=i, lang="en", keywords=["bitcoin"], source="sample", polarity=0.5,
        subjectivity=0.25, weight=1.0, score=0.5, label="positive", kafka_partition=0,
        kafka_offset=i, produced_at=scored_at - 1, scored_at=scored_at + i,
    )


def test_insert_reports_only_new_ids(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.insert([row(1), row(2)]) == {"t1", "t2"}
        assert store.insert([row(2), row(3), row(3)]) == {"t3"}
        assert store.count() == 3
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_large_batches_span_statements(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert len(store.insert([row(i) for i in range(5000)])) == 5000
        assert store.count() == 5000


def test_read_frame(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.insert([row(i) for i in range(5)])
    frame = read_frame(path)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["keywords"].iloc[0] == ["bitcoin"]
    assert str(frame["scored_at"].dt.tz) == "UTC"
    assert len(read_frame(path, since=1700000002.0)) == 2
    assert len(read_frame(path, since="2023-11-14 22:13:22")) == 2


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
