"""Aggregates that flow from the workers to the page: compact deltas in, bounded ring buffers out.

Workers never send every tweet to the page. Each one folds its newly stored tweets into a
:class:`DeltaBuilder` (per-second, per-keyword-group sums plus a few recent tweets) and ships the
delta over a multiprocessing queue a few times a second. The page's :class:`Aggregator` folds the
deltas into ring buffers whose size does not depend on how many tweets went by.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

OVERALL = "overall"
# one bucket: count, sum of score, sum of polarity, positives, negatives, neutrals
COUNT, SCORE, POLARITY, POS, NEG, NEU = range(6)
_LABEL_SLOT = {"positive": POS, "negative": NEG, "neutral": NEU}
Bucket = list[float]
Delta = dict[str, Any]


def _empty() -> Bucket:
    return [0, 0.0, 0.0, 0, 0, 0]


class DeltaBuilder:
    """Worker side: accumulate newly stored tweets until the next :meth:`take`."""

    def __init__(self, worker: int, recent_max: int = 20, latency_max: int = 200) -> None:
        self.worker = worker
        self.recent_max = recent_max
        self.latency_max = latency_max
        self._reset()

    def _reset(self) -> None:
        self.buckets: dict[tuple[int, str], Bucket] = {}
        self.recent: deque[dict[str, Any]] = deque(maxlen=self.recent_max)
        self.latencies: list[float] = []
        self.counters = {"consumed": 0, "stored": 0, "duplicates": 0, "dead": 0}

    def add(self, second: int, groups: list[str], score: float, polarity: float, label: str) -> None:
        slot = _LABEL_SLOT[label]
        buckets = self.buckets
        for group in (OVERALL, *groups):
            key = (second, group)
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = _empty()
            bucket[COUNT] += 1
            bucket[SCORE] += score
            bucket[POLARITY] += polarity
            bucket[slot] += 1

    def add_recent(self, tweet: dict[str, Any]) -> None:
        self.recent.append(tweet)

    def add_latency(self, seconds: float) -> None:
        if len(self.latencies) < self.latency_max:
            self.latencies.append(seconds)

    def count(self, **increments: int) -> None:
        for name, value in increments.items():
            self.counters[name] += value

    def take(self) -> Delta | None:
        """The delta since the last call (``None`` when nothing happened), and start afresh."""
        if not self.buckets and not any(self.counters.values()):
            return None
        delta: Delta = {
            "worker": self.worker,
            "buckets": [(s, g, b) for (s, g), b in self.buckets.items()],
            "recent": list(self.recent),
            "latencies": self.latencies,
            "counters": self.counters,
            "sent_at": time.time(),
        }
        self._reset()
        return delta


@dataclass
class Series:
    """Per-second buckets of one keyword group over a bounded window, plus running totals."""

    window: int
    seconds: deque[int] = field(init=False)
    buckets: dict[int, Bucket] = field(default_factory=dict)
    total: Bucket = field(default_factory=_empty)

    def __post_init__(self) -> None:
        self.seconds = deque()

    def fold(self, second: int, values: Bucket) -> None:
        bucket = self.buckets.get(second)
        if bucket is None:
            bucket = self.buckets[second] = _empty()
            if self.seconds and second < self.seconds[-1]:
                # a late second: keep the deque ordered (rare; deltas arrive within a second or two)
                self.seconds.append(second)
                self.seconds = deque(sorted(self.seconds))
            else:
                self.seconds.append(second)
            while len(self.seconds) > self.window:
                self.buckets.pop(self.seconds.popleft(), None)
        for i, value in enumerate(values):
            bucket[i] += value
            self.total[i] += value


class Aggregator:
    """Page side: folds worker deltas into bounded ring buffers. Thread-safe."""

    def __init__(self, window_seconds: int = 3600, recent_max: int = 200, latency_max: int = 2000) -> None:
        self.window = window_seconds
        self.series: dict[str, Series] = {}
        self.recent: deque[dict[str, Any]] = deque(maxlen=recent_max)
        self.latencies: deque[float] = deque(maxlen=latency_max)
        self.counters: dict[str, int] = {"consumed": 0, "stored": 0, "duplicates": 0, "dead": 0}
        self.workers_seen: dict[int, float] = {}
        self.lock = threading.Lock()

    def series_for(self, group: str) -> Series:
        series = self.series.get(group)
        if series is None:
            series = self.series[group] = Series(self.window)
        return series

    def fold(self, delta: Delta) -> None:
        with self.lock:
            for second, group, values in delta["buckets"]:
                self.series_for(group).fold(second, values)
            self.recent.extend(delta["recent"])
            self.latencies.extend(delta["latencies"])
            for name, value in delta["counters"].items():
                self.counters[name] = self.counters.get(name, 0) + value
            self.workers_seen[delta["worker"]] = delta["sent_at"]

    def groups(self) -> list[str]:
        with self.lock:
            return sorted(self.series, key=lambda g: (g != OVERALL, g))

    def cumulative_since(self, group: str, after: int, until: int) -> tuple[list[int], list[float]]:
        """Seconds in ``(after, until]`` that have data, with the cumulative score at each."""
        with self.lock:
            series = self.series.get(group)
            if series is None:
                return [], []
            xs = [s for s in series.seconds if after < s <= until]
            # cumulative at second s = total minus everything after s still in the window
            tail = sum(series.buckets[s][SCORE] for s in series.seconds if s > until)
            running = series.total[SCORE] - tail
            ys: list[float] = []
            for s in reversed(xs):
                ys.append(running)
                running -= series.buckets[s][SCORE]
            ys.reverse()
            return xs, ys
