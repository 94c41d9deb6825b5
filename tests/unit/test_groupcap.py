"""Keyword-group names cost bounded memory: GroupCap, and the worker and page aggregates that use it."""

from __future__ import annotations

import tracemalloc

import pytest

from tweetpulse.live.aggregates import COUNT, OTHER, OVERALL, Aggregator
from tweetpulse.live.delta import Delta, DeltaBuilder
from tweetpulse.live.groupcap import MAX_GROUP_NAME, MAX_GROUPS, GroupCap


@pytest.mark.unit
def test_configured_groups_first_then_first_come_up_to_the_limit() -> None:
    cap = GroupCap(["bitcoin", "ethereum"], limit=4)
    assert cap.name("bitcoin") == "bitcoin"
    assert cap.name("a") == "a" and cap.name("b") == "b"
    assert cap.name("c") == OTHER  # 4 named series: bitcoin, ethereum, a, b
    assert cap.name("a") == "a"  # admitted names stay
    assert cap.name("ethereum") == "ethereum"
    assert cap.admitted == [OTHER, "bitcoin", "ethereum", "a", "b"]


@pytest.mark.unit
def test_names_of_one_tweet_count_each_series_once() -> None:
    cap = GroupCap(["bitcoin"], limit=1)
    assert cap.names([]) == (OVERALL,)
    assert cap.names(["bitcoin"]) == (OVERALL, "bitcoin")
    assert cap.names(["x", "y", "bitcoin", "bitcoin", "z"]) == (OVERALL, OTHER, "bitcoin")
    assert cap.names([OVERALL]) == (OVERALL, OTHER)  # a keyword called overall is not the overall series
    assert cap.names(["n" * (MAX_GROUP_NAME + 1)]) == (OVERALL, OTHER)
    assert cap.names([""]) == (OVERALL, OTHER)


def unique_name_deltas(tweets: int, names_per_tweet: int, per_delta: int = 500) -> list[Delta]:
    """What a worker sends for ``tweets`` records that each carry ``names_per_tweet`` never-seen names."""
    builder = DeltaBuilder(0)
    deltas = []
    for i in range(tweets):
        names = [f"name-{i}-{k}" for k in range(names_per_tweet)]
        builder.add(1_700_000_000 + i // 1000, [*names, "bitcoin"] if i % 2 else names, 1.0, 0.5, "positive")
        if (i + 1) % per_delta == 0:
            delta = builder.take()
            assert delta is not None
            deltas.append(delta)
    return deltas


@pytest.mark.unit
def test_unique_names_cost_bounded_series_and_counts_stay_right() -> None:
    deltas = unique_name_deltas(5_000, 10)
    # the worker's deltas carry at most MAX_GROUPS named series (+ overall, other) per second
    assert max(len({g for _s, g, _b in d["buckets"]}) for d in deltas) <= MAX_GROUPS + 2
    agg = Aggregator(groups=["bitcoin", "ethereum", "dogecoin"])
    for delta in deltas:
        agg.fold(delta)
    assert len(agg.series) <= MAX_GROUPS + 2
    totals = agg.totals([OVERALL, "bitcoin", OTHER])
    assert totals[OVERALL][COUNT] == 5_000
    assert totals["bitcoin"][COUNT] == 2_500  # configured: its own series, though it came after 30 others
    assert 4_990 <= totals[OTHER][COUNT] <= 5_000  # every tweet once (but the first few, whose names got in)


@pytest.mark.unit
def test_page_memory_does_not_grow_with_unique_names() -> None:
    deltas = unique_name_deltas(5_000, 10)  # 50,000 distinct names
    agg = Aggregator()
    tracemalloc.start()
    try:
        for delta in deltas:
            agg.fold(delta)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3_000_000, f"folding 50,000 names took {peak:,} bytes"


@pytest.mark.unit
def test_a_workers_builder_keeps_the_default_groups_after_many_other_names() -> None:
    builder = DeltaBuilder(0)
    for i in range(1_000):
        builder.add(1, [f"junk-{i}"], 1.0, 0.5, "positive")
    builder.add(1, ["ethereum"], 1.0, 0.5, "positive")
    delta = builder.take()
    assert delta is not None
    groups = {g: b[COUNT] for _s, g, b in delta["buckets"]}
    assert groups["ethereum"] == 1
    admitted = MAX_GROUPS - 3  # the three default groups count towards the limit
    assert groups[OTHER] == 1_000 - admitted
    assert len(groups) == 2 + 1 + admitted  # overall, other, ethereum and the first names that came
