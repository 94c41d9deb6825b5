"""The store-reading page: history backfilled within bounds, new rows followed once each."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from tweetpulse.aggregates import COUNT, NEG, POS, SCORE, Aggregator
from tweetpulse.cli import main as cli_main
from tweetpulse.dashboard.app import build_app
from tweetpulse.dashboard.bench import FakeClock, TickClient
from tweetpulse.dashboard.standalone import StoreFollower, run_dashboard, store_groups
from tweetpulse.errors import ConfigError
from tweetpulse.store import ScoredTweet, Store

NOW = 1_700_000_000


def row(i: int, scored_at: float, keywords: list[str], polarity: float, followers: int | None = 10,
        author: str | None = None) -> ScoredTweet:
    w = 1.0 if followers is None else math.log(followers + 1)
    label = "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"
    return ScoredTweet(f"id{i}", f"text {i}", "2024-01-01T00:00:00Z", author or f"a{i % 3}", f"{i % 3}", followers,
                       "en", keywords, "test", polarity, 0.5, w, w * polarity, label, 0, i, scored_at - 0.04, scored_at)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    rows = []
    # old history (before the window), then the last 100 seconds
    for i in range(50):
        rows.append(row(i, NOW - 5000 + i, ["bitcoin"], 0.5))
    for i in range(50, 250):
        rows.append(row(i, NOW - 100 + (i - 50) / 2, ["ethereum"] if i % 2 else ["bitcoin", "ethereum"],
                        -0.25 if i % 3 else 0.0))
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
        0.5 * math.log(11))
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
