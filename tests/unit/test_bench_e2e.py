"""The benchmarks' own figures: the e2e steady rate (10% → 90% stored), the start time and their targets, and
the page tick hook."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.__main__ import ratio
from benchmarks.bench_e2e import Progress, TimedAggregator, steady_by_scored_at, steady_rate
from benchmarks.tick import bench_app
from tweetpulse.live.delta import Delta

pytestmark = pytest.mark.unit


def stored(n: int) -> Delta:
    return {"counters": {"consumed": n, "stored": n, "duplicates": 0, "dead": 0}}


def test_steady_rate_is_tweets_between_two_moments_over_the_seconds_between_them() -> None:
    assert steady_rate(Progress(10.0, 1_000), Progress(12.0, 9_000)) == 4_000.0
    with pytest.raises(ValueError, match="does not come after"):
        steady_rate(Progress(12.0, 9_000), Progress(10.0, 1_000))


def test_the_aggregator_notes_the_first_stored_tweet_and_the_fold_that_passes_each_mark() -> None:
    aggregator = TimedAggregator(1_000)  # marks at 100 and 900 stored
    aggregator.fold({"counters": {"consumed": 5, "stored": 0, "duplicates": 5, "dead": 0}})
    assert aggregator.first_stored is None  # a delta that stored nothing is not the first tweet stored
    before = time.monotonic()
    aggregator.fold(stored(60))
    assert aggregator.first_stored is not None and aggregator.first_stored >= before
    assert aggregator.reached == []
    aggregator.fold(stored(60))  # 120: past 10%
    aggregator.fold(stored(700))  # 820
    aggregator.fold(stored(180))  # 1000: past 90%
    assert [p.stored for p in aggregator.reached] == [120, 1_000]
    assert aggregator.reached[0].at <= aggregator.reached[1].at


def test_one_fold_past_both_marks_reaches_both_at_once() -> None:
    aggregator = TimedAggregator(10)
    aggregator.fold(stored(10))
    assert [p.stored for p in aggregator.reached] == [10, 10]


def test_the_store_cross_check_reads_the_10_and_90_percent_scored_at(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE scored_tweets (scored_at REAL)")
        # 100 rows, one every 0.01 s: rows 10 and 90 are 0.8 s apart
        conn.executemany("INSERT INTO scored_tweets VALUES (?)", [(1000.0 + i / 100,) for i in range(100)])
    assert steady_by_scored_at(path, 100) == pytest.approx(100.0)


def test_targets_apply_to_the_steady_rate_and_the_start_time() -> None:
    results = {
        "figures": {
            "e2e_steady_tweets_per_s": {"value": 52_000, "unit": "tweets/s"},
            "e2e_start_s": {"value": 2.4, "unit": "s"},
            "e2e_tweets_per_s": {"value": 30_000, "unit": "tweets/s"},
        }
    }
    met = {row[0]: row[4] for row in report.rows(results)}
    assert met["e2e_steady_tweets_per_s"] == "yes"
    assert met["e2e_start_s"] == "NO"
    assert met["e2e_tweets_per_s"] == ""  # the rate from start is reported, not judged


def test_the_speed_up_compares_the_steady_rate_with_the_baseline() -> None:
    figures = {
        "e2e_steady_tweets_per_s": {"value": 40_000},
        "e2e_tweets_per_s": {"value": 20_000},
        "baseline_tweets_per_s": {"value": 4_000},
    }
    both = ratio(figures)
    assert both is not None
    assert both["value"] == 10.0
    assert both["settings"]["from_start_ratio"] == 5.0


def test_bench_hook_reports_time_and_payload() -> None:
    result = bench_app(10_000, ticks=8)
    assert result["tick_p95_bytes"] < 20_000 and result["tick_max_bytes"] < 20_000
    assert 0 < result["tick_p50_ms"] < 500
