"""Deltas from workers fold into bounded ring buffers with the right sums."""

from __future__ import annotations

from tweetpulse.aggregates import COUNT, NEG, NEU, POS, SCORE, Aggregator, DeltaBuilder


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
    xs, ys = agg.cumulative_since("bitcoin", 95, 98)
    assert xs == [96, 97, 98] and ys == [97.0, 98.0, 99.0]
    assert agg.counters["stored"] == 100


def test_late_second_keeps_order() -> None:
    agg = Aggregator()
    for second in (5, 7, 6):
        b = DeltaBuilder(worker=0)
        b.add(second, [], 1.0, 0.1, "positive")
        agg.fold(b.take() or {})
    assert list(agg.series["overall"].seconds) == [5, 6, 7]
    assert agg.cumulative_since("overall", 0, 10) == ([5, 6, 7], [1.0, 2.0, 3.0])
