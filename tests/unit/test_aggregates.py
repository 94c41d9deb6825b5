"""Deltas from workers fold into bounded ring buffers with the right sums."""

from __future__ import annotations

import math
import random

import pytest

from tweetpulse.live.aggregates import (
    ABS,
    COUNT,
    NEG,
    NET,
    NEU,
    POS,
    SCORE,
    TWEETS,
    Aggregator,
    AuthorWindow,
    percentile,
)
from tweetpulse.live.delta import DeltaBuilder


def test_delta_sums_per_group_and_overall() -> None:
    b = DeltaBuilder(worker=0)
    b.add(100, ["bitcoin"], 2.0, 0.5, "positive")
    b.add(100, ["bitcoin", "ethereum"], -1.0, -0.25, "negative")
    b.add(101, [], 0.0, 0.0, "neutral")
    b.count(consumed=3, stored=3)
    delta = b.take()
    assert delta is not None
    buckets = {(s, g): v for s, g, v in delta["buckets"]}
    assert buckets[(100, "overall")][COUNT] == 2 and buckets[(100, "overall")][SCORE] == 1.0
    assert buckets[(100, "bitcoin")][POS] == 1 and buckets[(100, "bitcoin")][NEG] == 1
    assert buckets[(100, "ethereum")][COUNT] == 1
    assert buckets[(101, "overall")][NEU] == 1
    assert b.take() is None  # nothing new since


def test_aggregator_window_is_bounded_and_cumulative_is_right() -> None:
    agg = Aggregator(window_seconds=10)
    for second in range(100):
        b = DeltaBuilder(worker=second % 2)
        b.add(second, ["bitcoin"], 1.0, 0.1, "positive")
        b.count(consumed=1, stored=1)
        agg.fold(b.take() or {})
    series = agg.series["bitcoin"]
    assert len(series.seconds) == 10 and len(series.buckets) == 10
    assert series.total[COUNT] == 100
    points = agg.points(["bitcoin"], 95, 98)
    assert points.xs == [96, 97, 98] and points.ys == [[97.0, 98.0, 99.0]]
    assert agg.counters["stored"] == 100


def test_late_second_keeps_order() -> None:
    agg = Aggregator()
    for second in (5, 7, 6):
        b = DeltaBuilder(worker=0)
        b.add(second, [], 1.0, 0.1, "positive")
        agg.fold(b.take() or {})
    assert list(agg.series["overall"].seconds) == [5, 6, 7]
    points = agg.points(["overall"], 0, 7)
    assert (points.xs, points.ys) == ([5, 6, 7], [[1.0, 2.0, 3.0]])


def test_delta_carries_only_the_most_influential_authors() -> None:
    b = DeltaBuilder(worker=0, authors_max=3)
    for i in range(10):
        b.add(100, [], float(i), 0.1, "positive")
        b.add_author(f"u{i}", i * 10, float(i) if i % 2 else -float(i))
    b.add_author("silent", 5, 0.0)  # a zero score says nothing about influence
    b.add_author(None, 5, 3.0)
    b.add_author("u9", None, 1.0)  # unknown followers keep the last known count
    delta = b.take()
    assert delta is not None
    second, authors = delta["authors"]
    assert second == 100
    assert [a[0] for a in authors] == ["u9", "u8", "u7"]
    assert authors[0][1:] == (10.0, 10.0, 2, 90)


def test_author_window_evicts_old_seconds_and_trims_settled_ones() -> None:
    window = AuthorWindow(window=10, keep_per_second=2)
    window.fold(100, [("a", 5.0, 5.0, 1, 10), ("b", 1.0, -1.0, 1, 20), ("c", 3.0, 3.0, 1, 30)])
    window.fold(101, [("a", 1.0, -1.0, 1, 11)])
    assert set(window.totals) == {"a", "b", "c"}  # second 100 may still grow
    window.fold(102, [("c", 1.0, 1.0, 1, 31)])
    assert set(window.totals) == {"a", "c"}  # second 100 settled: its top 2 kept
    top = window.top(5)
    assert [name for name, _ in top] == ["a", "c"]
    assert top[0][1][ABS] == 6.0 and top[0][1][NET] == 4.0 and top[0][1][TWEETS] == 2
    window.fold(111, [("d", 0.5, 0.5, 1, 1)])  # seconds <= 101 leave the window
    assert {name: e[ABS] for name, e in window.top(5)} == {"c": 1.0, "d": 0.5}
    window.fold(90, [("old", 100.0, 100.0, 1, 1)])  # older than the window: ignored
    assert "old" not in window.totals


def test_points_fill_every_second_per_kind() -> None:
    agg = Aggregator()
    for second, score in ((10, 1.0), (11, 3.0), (14, -2.0)):
        b = DeltaBuilder(worker=0)
        b.add(second, ["bitcoin"], score, 0.1, "positive")
        b.add(second, [], 1.0, 0.1, "positive")
        agg.fold(b.take() or {})
    cumulative = agg.points(["overall", "bitcoin", "dogecoin"], 0, 15)
    assert cumulative.xs == [10, 11, 12, 13, 14, 15]  # from the first second with data
    assert cumulative.ys[1] == [1.0, 4.0, 4.0, 4.0, 2.0, 2.0]
    assert cumulative.ys[2] == [0.0] * 6
    rate = agg.points(["overall", "bitcoin"], 11, 14, "rate")
    assert rate.xs == [12, 13, 14] and rate.ys == [[0, 0, 2], [0, 0, 1]]
    mean = agg.points(["bitcoin", "dogecoin"], 9, 17, "mean", mean_window=2)
    assert mean.ys[0] == [1.0, 2.0, 3.0, None, -2.0, -2.0, None, None]
    assert mean.ys[1] == [None] * 8
    assert agg.points(["overall"], 15, 15).xs == []
    with pytest.raises(ValueError):
        agg.points(["overall"], 0, 15, "median")


def test_seeded_history_counts_in_totals_and_cumulative() -> None:
    agg = Aggregator()
    agg.seed("overall", [100, 50.0, 10.0, 60, 20, 20])
    b = DeltaBuilder(worker=0)
    b.add(5, [], 2.0, 0.5, "positive")
    agg.fold(b.take() or {})
    assert agg.totals(["overall"])["overall"][COUNT] == 101
    assert agg.points(["overall"], 0, 6).ys == [[52.0, 52.0]]
    assert agg.points(["overall"], 0, 5).xs == [5]


def test_recent_since_returns_only_unseen_tweets_newest_first() -> None:
    agg = Aggregator(recent_max=5)
    for i in range(3):
        b = DeltaBuilder(worker=0)
        b.add_recent({"id": i})
        b.count(stored=1)
        agg.fold(b.take() or {})
    seq, rows = agg.recent_since(None, 10)
    assert seq == 3 and [r["id"] for r in rows] == [2, 1, 0]
    assert agg.recent_since(3, 10) == (3, [])
    b = DeltaBuilder(worker=0)
    for i in range(3, 10):
        b.add_recent({"id": i})
    b.count(stored=7)
    agg.fold(b.take() or {})
    seq, rows = agg.recent_since(3, 4)
    assert seq == 10 and [r["id"] for r in rows] == [9, 8, 7, 6]
    assert [r["id"] for r in agg.recent_since(8, 10)[1]] == [9, 8]


def test_latency_percentiles_and_counts() -> None:
    agg = Aggregator()
    assert all(math.isnan(v) for v in agg.latency_percentiles())
    b = DeltaBuilder(worker=3)
    for i in range(100):
        b.add(50 + i % 10, ["ethereum"], 0.0, 0.0, "neutral")
        b.add_latency(i / 1000)
    agg.fold(b.take() or {})
    assert agg.latency_percentiles((50, 99)) == [0.049, 0.098]
    assert percentile([1.0], 99) == 1.0
    assert agg.count_between(49, 54) == 50 and agg.count_between(54, 59, "ethereum") == 50
    assert agg.first_second() == 50 and agg.last_second() == 59
    assert agg.window_sum(49, 54, "ethereum")[COUNT] == 50 and agg.window_sum(0, 10)[COUNT] == 0
    assert agg.window_sum(0, 100, "dogecoin") == [0, 0.0, 0.0, 0, 0, 0]
    assert agg.last_delta_at() is not None and agg.version == 1


def test_fold_counts_one_stored_tweet_everywhere_the_page_looks() -> None:
    from tweetpulse.live.delta import fold, recent_row
    from tweetpulse.records import ScoredTweet

    tweet = ScoredTweet(
        "t1",
        "x" * 300,
        None,
        None,
        "42",
        7,
        "en",
        ["bitcoin"],
        "test",
        -0.5,
        0.5,
        2.0,
        -1.0,
        "negative",
        0,
        1,
        99.5,
        100.25,
    )
    b = DeltaBuilder(worker=0)
    fold(b, tweet)  # a reader of the store: the tweet's second and latency come from scored_at
    fold(b, tweet._replace(id="t2", author="ann"), stored_at=101.5)  # a worker: when it was stored
    delta = b.take()
    assert delta is not None
    buckets = {(s, g): v for s, g, v in delta["buckets"]}
    assert buckets[(100, "bitcoin")][NEG] == 1 and buckets[(101, "overall")][SCORE] == -1.0
    assert delta["latencies"] == [0.75, 2.0]
    assert sorted(name for name, *_ in delta["authors"][1]) == ["42", "ann"]
    assert delta["recent"][0] == recent_row(tweet) and len(delta["recent"][0]["text"]) == 280


@pytest.mark.parametrize("stored_at", [None, 1_700_000_123.75])
def test_a_batch_folds_as_its_tweets_one_by_one(stored_at: float | None) -> None:
    from benchmarks import data
    from tweetpulse.live.delta import fold, fold_all
    from tweetpulse.records import ScoredTweet

    rng = random.Random(3)
    labels = ("positive", "negative", "neutral")
    tweets = []
    for i, t in enumerate(data.tweets(600)):
        polarity = rng.choice([0.0, rng.uniform(-1, 1)])
        tweets.append(
            ScoredTweet(
                t.id, t.text, t.created_at, t.author if i % 9 else None, t.author_id,
                t.followers, t.lang, t.keywords, t.source, polarity, 0.5, 2.0, 2.0 * polarity,
                labels[i % 3], i % 6, i, None if i % 5 == 0 else 1_700_000_000.0 + i / 7, 1_700_000_000.0 + i / 3,
            )
        )  # fmt: skip
    one_by_one, at_once = DeltaBuilder(worker=1), DeltaBuilder(worker=1)
    for scored in tweets:  # more tweets than the recent and latency caps, authors repeating, None authors
        fold(one_by_one, scored, stored_at)
    fold_all(at_once, tweets[:250], stored_at)
    fold_all(at_once, tweets[250:], stored_at)
    a, b = one_by_one.take(), at_once.take()
    assert a is not None and b is not None
    a.pop("sent_at"), b.pop("sent_at")
    assert (
        a == b
        and len(a["latencies"]) == 200
        and len(a["recent"]) == 20
        and len(a["buckets"]) > (100 if stored_at is None else 3)
    )
