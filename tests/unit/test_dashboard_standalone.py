"""The store-reading page: history backfilled within bounds, new rows followed once each."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from tests.support.tick_client import FakeClock, TickClient
from tweetpulse.cli import main as cli_main
from tweetpulse.dashboard.app import build_app
from tweetpulse.dashboard.standalone import StoreFollower, run_dashboard, store_groups
from tweetpulse.errors import ConfigError
from tweetpulse.live.aggregates import COUNT, NEG, POS, SCORE, Aggregator
from tweetpulse.records import ScoredTweet
from tweetpulse.stores.sqlite import SqliteStore as Store

NOW = 1_700_000_000


def row(
    i: int,
    scored_at: float,
    keywords: list[str],
    polarity: float,
    followers: int | None = 10,
    author: str | None = None,
) -> ScoredTweet:
    w = 1.0 if followers is None else math.log(followers + 1)
    label = "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"
    return ScoredTweet(
        f"id{i}",
        f"text {i}",
        "2024-01-01T00:00:00Z",
        author or f"a{i % 3}",
        f"{i % 3}",
        followers,
        "en",
        keywords,
        "test",
        polarity,
        0.5,
        w,
        w * polarity,
        label,
        0,
        i,
        scored_at - 0.04,
        scored_at,
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    rows = []
    # old history (before the window), then the last 100 seconds
    for i in range(50):
        rows.append(row(i, NOW - 5000 + i, ["bitcoin"], 0.5))
    for i in range(50, 250):
        rows.append(
            row(
                i, NOW - 100 + (i - 50) / 2, ["ethereum"] if i % 2 else ["bitcoin", "ethereum"], -0.25 if i % 3 else 0.0
            )
        )
    with Store(path) as s:
        s.insert(rows)
    return path


def test_backfill_totals_everything_and_buckets_only_the_window(store: Path) -> None:
    agg = Aggregator(window_seconds=3600)
    follower = StoreFollower(store, agg, clock=lambda: NOW + 0.5)
    try:
        assert follower.backfill() == 250
    finally:
        follower.stop()
    overall = agg.series["overall"]
    assert overall.total[COUNT] == 250 and agg.counters["stored"] == 250
    assert min(overall.seconds) >= NOW - 100  # the old rows are in the totals only
    bitcoin = agg.series["bitcoin"]
    assert bitcoin.total[COUNT] == 50 + 100 and bitcoin.total[POS] == 50
    expected_score = sum(r.score for r in [row(i, 0, [], -0.25 if i % 3 else 0.0) for i in range(50, 250)]) + 50 * (
        0.5 * math.log(11)
    )
    assert overall.total[SCORE] == pytest.approx(expected_score)
    assert agg.series["ethereum"].total[NEG] == sum(1 for i in range(50, 250) if i % 3)
    assert [t["id"] for t in list(agg.recent)[-3:]] == ["id247", "id248", "id249"]
    assert len(agg.latencies) == 250 and agg.latency_percentiles((50,))[0] == pytest.approx(0.04, abs=1e-6)
    assert agg.top_authors(3) and {name for name, _ in agg.top_authors(3)} <= {"a0", "a1", "a2"}
    assert store_groups(agg) == ["overall", "bitcoin", "ethereum"]


def test_following_reads_every_new_row_once_in_commit_order(store: Path) -> None:
    agg = Aggregator()
    follower = StoreFollower(store, agg, clock=lambda: NOW + 0.5)
    follower.backfill()
    assert follower.poll_once() == 0
    with Store(store) as s:
        s.insert([row(300, NOW + 1, ["dogecoin"], 0.8)])
        # a row whose scored_at is older than one already read (a slow transaction): still read
        s.insert([row(301, NOW - 3, ["dogecoin"], 0.1), row(250, NOW, [], 0.0)])  # id250 is new too
        s.insert([row(300, NOW + 2, ["dogecoin"], 0.8)])  # a duplicate id: ignored by the store
    assert follower.poll_once() == 3
    assert follower.poll_once() == 0
    follower.stop()
    assert agg.series["dogecoin"].total[COUNT] == 2 and agg.counters["stored"] == 253
    assert agg.recent[-1]["id"] == "id250"


def test_the_follower_thread_keeps_up(store: Path) -> None:
    agg = Aggregator()
    with StoreFollower(store, agg, poll=0.05):
        with Store(store) as s:
            s.insert([row(1000 + i, time.time(), ["bitcoin"], 0.3) for i in range(40)])
        deadline = time.monotonic() + 5
        while agg.counters["stored"] < 290 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert agg.counters["stored"] == 290


def test_a_backfilled_page_shows_the_stored_counts(store: Path) -> None:
    agg = Aggregator()
    clock = FakeClock(NOW + 3.5)
    follower = StoreFollower(store, agg, clock=clock)
    follower.backfill()
    follower.stop()
    app = build_app(agg, store_groups(agg), clock=clock, show_workers=False, settle=3)
    outputs = TickClient(app).tick().outputs
    pie = outputs["pie"]["figure"]["operations"][0]
    assert pie["location"] == ["data", 0, "values"] and sum(pie["params"]["value"]) == 250
    assert outputs["trend"]["figure"]["operations"][0]["params"]["value"][0] == (NOW - 100) * 1000
    assert len(outputs["latest"]["data"]) == 12


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="tweetpulse listen --store"):
        StoreFollower(tmp_path / "nope.db", Aggregator())


def test_run_dashboard_and_the_cli_command(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_dashboard(store, port=0, duration=0.3) == 250
    assert cli_main(["dashboard", "--store", str(store), "--port", "0", "--duration", "0.3", "--window", "600"]) == 0
    out = capsys.readouterr().out
    assert "250 stored tweets loaded; live page at http://127.0.0.1:" in out
    assert cli_main(["dashboard", "--store", str(store.parent / "missing.db"), "--duration", "0.1"]) == 2


def test_the_follower_folds_stored_tweets_exactly_as_the_workers_do(tmp_path: Path) -> None:
    """The same messages through a worker (its deltas) and through the store (the follower's): the same page."""
    from confluent_kafka import TIMESTAMP_CREATE_TIME, Message

    from tweetpulse.live.aggregates import Delta
    from tweetpulse.pipeline.settings import ListenerSettings
    from tweetpulse.pipeline.worker import Budget, Worker
    from tweetpulse.records import Tweet

    path = tmp_path / "same.db"
    Store(path).open()
    followed = Aggregator()
    follower = StoreFollower(path, followed, clock=lambda: NOW)
    follower.backfill()
    deltas: list[Delta] = []
    worker = Worker(
        3,
        ListenerSettings(store_path=str(path)),
        deltas.append,
        Budget(None),
        lambda: False,
        dead_letters=lambda msg, err: None,  # type: ignore[arg-type]
        clock=lambda: NOW + 0.25,
    )
    texts = ["great bitcoin", "awful eth", "doge", "love it", "so bad", "ok then"]
    messages = [
        Message(
            topic="tweets",
            partition=0,
            offset=i,
            value=Tweet(
                id=f"m{i}",
                text=texts[i % 6] + f" {i}",
                author=f"user{i % 4}" if i % 5 else None,
                author_id=str(i % 4),
                followers=None if i % 7 == 0 else i * 10,
                keywords=[["bitcoin"], ["ethereum"], [], ["bitcoin", "dogecoin"]][i % 4],
            ).to_json(),
            timestamp=(TIMESTAMP_CREATE_TIME, int((NOW - i / 100) * 1000)),
        )
        for i in range(60)
    ]
    with Store(path) as store:
        for batch in (messages[:40], messages[20:]):  # half of it again: duplicates, folded by neither
            worker.process(batch, store)
            worker._flush_delta()
    live = Aggregator()
    for delta in deltas:
        live.fold(delta)
    assert follower.poll_once() == 60
    follower.stop()
    assert live.groups() == followed.groups() == ["overall", "bitcoin", "dogecoin", "ethereum"]
    for group in live.groups():
        ours, theirs = live.series[group], followed.series[group]
        assert list(ours.seconds) == list(theirs.seconds) == [int(NOW)]
        # the same sums, up to the order of float additions (two deltas on one side, one on the other)
        assert ours.buckets[int(NOW)] == pytest.approx(theirs.buckets[int(NOW)]) and ours.total == pytest.approx(
            theirs.total
        )
    # a worker's delta carries its last 20 tweets, the follower's as many as the page keeps
    assert list(live.recent) == list(followed.recent)[-40:] and [t["id"] for t in live.recent][::20] == ["m20", "m40"]
    assert list(live.latencies) == list(followed.latencies)
    ours_top, theirs_top = live.top_authors(10), followed.top_authors(10)
    assert [name for name, _ in ours_top] == [name for name, _ in theirs_top] and len(ours_top) == 8
    assert [entry for _, entry in ours_top] == [pytest.approx(entry) for _, entry in theirs_top]
    assert live.counters["stored"] == followed.counters["stored"] == 60


def test_the_page_reads_a_store_given_as_a_url(store: Path) -> None:
    assert run_dashboard(f"sqlite:///{store}", port=0, duration=0.2) == 250
    with pytest.raises(ConfigError, match="unknown kind of store"):
        StoreFollower("nosuch://db", Aggregator())
