"""What the page reads: the workers' deltas (:mod:`tweetpulse.live.delta`) folded into ring buffers.

The page's :class:`Aggregator` folds the deltas into ring buffers whose size does not depend on how
many tweets went by, and answers the page's questions about a bounded window: the points of a chart,
the latest tweets, the top authors, latency percentiles.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tweetpulse.live.authors import ABS, FOLLOWERS, NET, TWEETS, AuthorEntry, AuthorWindow
from tweetpulse.live.delta import (
    COUNT,
    NEG,
    NEU,
    POLARITY,
    POS,
    RECENT_TEXT_MAX,
    SCORE,
    Bucket,
    Delta,
    add_counts,
    empty_bucket,
)
from tweetpulse.live.groupcap import MAX_GROUPS, OTHER, OVERALL, GroupCap

__all__ = [
    "ABS",
    "COUNT",
    "FOLLOWERS",
    "NEG",
    "NET",
    "NEU",
    "OTHER",
    "OVERALL",
    "POLARITY",
    "POS",
    "RECENT_TEXT_MAX",
    "SCORE",
    "TWEETS",
    "Aggregator",
    "AuthorEntry",
    "AuthorWindow",
    "Bucket",
    "Delta",
    "Points",
    "Series",
    "add_counts",
    "empty_bucket",
    "percentile",
]


@dataclass
class Series:
    """Per-second buckets of one keyword group over a bounded window, plus running totals."""

    window: int
    seconds: deque[int] = field(init=False)
    buckets: dict[int, Bucket] = field(default_factory=dict)
    total: Bucket = field(default_factory=empty_bucket)

    def __post_init__(self) -> None:
        self.seconds = deque()

    def fold(self, second: int, values: Sequence[float]) -> None:
        bucket = self.buckets.get(second)
        if bucket is None:
            bucket = self.buckets[second] = empty_bucket()
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

    def seed(self, values: Sequence[float]) -> None:
        """Add to the running totals only: history from before the window (a store backfill)."""
        for i, value in enumerate(values):
            self.total[i] += value

    def sum_from(self, first: int, slot: int) -> float:
        """Sum of ``slot`` over the buckets of seconds >= ``first`` (walks from the newest end)."""
        buckets = self.buckets
        total = 0.0
        for second in reversed(self.seconds):
            if second < first:
                break
            total += buckets[second][slot]
        return total


@dataclass(frozen=True)
class Points:
    """Chart points: one x list (unix seconds) shared by every group, one y list per group."""

    xs: list[int]
    ys: list[list[float | None]]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of already sorted values, nearest-rank."""
    if not sorted_values:
        return math.nan
    rank = max(0, min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


class Aggregator:
    """Page side: folds worker deltas into bounded ring buffers. Thread-safe.

    ``version`` grows with every fold, so a page can tell cheaply whether anything changed;
    ``recent_seq`` counts every recent tweet ever folded, so a page can ask for the ones it
    has not shown yet. ``groups`` (the configured keyword groups; default: the default ones) always get a series; other
    names get one while there are fewer than ``max_groups``, then count in ``other``
    (:class:`~tweetpulse.live.groupcap.GroupCap`): the series are bounded whatever the topic holds.
    """

    def __init__(
        self,
        window_seconds: int = 3600,
        recent_max: int = 200,
        latency_max: int = 2000,
        author_window: int = 900,
        authors_per_second: int = 50,
        groups: Iterable[str] | None = None,
        max_groups: int = MAX_GROUPS,
    ) -> None:
        self.window = window_seconds
        self.group_cap = GroupCap(limit=max_groups) if groups is None else GroupCap(groups, max_groups)
        self.series: dict[str, Series] = {}
        self.recent: deque[dict[str, Any]] = deque(maxlen=recent_max)
        self.recent_seq = 0
        self.latencies: deque[float] = deque(maxlen=latency_max)
        self.authors = AuthorWindow(author_window, authors_per_second)
        self.counters: dict[str, int] = {"consumed": 0, "stored": 0, "duplicates": 0, "dead": 0}
        self.workers_seen: dict[int, float] = {}
        self.version = 0
        self.lock = threading.Lock()
        self._top_cache: tuple[int, int, list[tuple[str, AuthorEntry]]] = (-1, 0, [])

    def series_for(self, group: str) -> Series:
        """The series ``group`` counts in (its own, or ``other``; ``overall`` is its own)."""
        if group != OVERALL:
            group = self.group_cap.name(group)
        series = self.series.get(group)
        if series is None:
            series = self.series[group] = Series(self.window)
        return series

    def fold(self, delta: Delta) -> None:
        with self.lock:
            for second, group, values in delta.get("buckets", ()):
                self.series_for(group).fold(second, values)
            recent = delta.get("recent", ())
            self.recent.extend(recent)
            self.recent_seq += len(recent)
            self.latencies.extend(delta.get("latencies", ()))
            authors = delta.get("authors")
            if authors and authors[1]:
                self.authors.fold(authors[0], authors[1])
            for name, value in delta.get("counters", {}).items():
                self.counters[name] = self.counters.get(name, 0) + value
            if "worker" in delta:
                self.workers_seen[delta["worker"]] = delta.get("sent_at", time.time())
            self.version += 1

    def seed(self, group: str, values: Sequence[float]) -> None:
        """Add history from before the window to ``group``'s running totals (no buckets)."""
        with self.lock:
            self.series_for(group).seed(values)
            self.version += 1

    def groups(self) -> list[str]:
        with self.lock:
            return sorted(self.series, key=lambda g: (g != OVERALL, g))

    # -- what the page asks -------------------------------------------------------------------
    def last_second(self) -> int | None:
        """The newest second with data (over all groups)."""
        with self.lock:
            series = self.series.get(OVERALL)
            return series.seconds[-1] if series is not None and series.seconds else None

    def first_second(self) -> int | None:
        """The oldest second with data still in the window (over all groups)."""
        with self.lock:
            series = self.series.get(OVERALL)
            return series.seconds[0] if series is not None and series.seconds else None

    def points(
        self, groups: Sequence[str], after: int, until: int, kind: str = "cumulative", mean_window: int = 60
    ) -> Points:
        """One point per second in ``(after, until]`` (from the first second with data on), per group.

        ``kind`` is ``"cumulative"`` (running total of the score), ``"rate"`` (tweets in that
        second) or ``"mean"`` (mean score per tweet over the ``mean_window`` seconds ending
        there; ``None`` where that window holds no tweet). The cost is proportional to the
        seconds asked for (plus ``mean_window``), never to the history.
        """
        with self.lock:
            overall = self.series.get(OVERALL)
            if overall is None or not overall.seconds:
                return Points([], [])
            start = max(after + 1, overall.seconds[0], until - self.window + 1)
            if start > until:
                return Points([], [])
            xs = list(range(start, until + 1))
            ys = [self._values(self.series.get(group), start, until, kind, mean_window) for group in groups]
            return Points(xs, ys)

    @staticmethod
    def _values(series: Series | None, start: int, until: int, kind: str, mean_window: int) -> list[float | None]:
        n = until - start + 1
        if series is None:
            return [None] * n if kind == "mean" else [0.0] * n
        get = series.buckets.get
        out: list[float | None] = []
        if kind == "rate":
            for s in range(start, until + 1):
                b = get(s)
                out.append(b[COUNT] if b is not None else 0)
        elif kind == "cumulative":
            running = series.total[SCORE] - series.sum_from(start, SCORE)
            for s in range(start, until + 1):
                b = get(s)
                if b is not None:
                    running += b[SCORE]
                out.append(running)
        elif kind == "mean":
            score = count = 0.0
            for s in range(start - mean_window + 1, start):
                b = get(s)
                if b is not None:
                    score += b[SCORE]
                    count += b[COUNT]
            for s in range(start, until + 1):
                b = get(s)
                if b is not None:
                    score += b[SCORE]
                    count += b[COUNT]
                old = get(s - mean_window)
                if old is not None:
                    score -= old[SCORE]
                    count -= old[COUNT]
                out.append(score / count if count > 0.5 else None)
        else:
            raise ValueError(f"unknown kind {kind!r}: use cumulative, rate or mean")
        return out

    def totals(self, groups: Sequence[str]) -> dict[str, Bucket]:
        """Running totals per group (copies; zeros for a group with no tweet yet)."""
        with self.lock:
            return {g: list(self.series[g].total) if g in self.series else empty_bucket() for g in groups}

    def count_between(self, after: int, until: int, group: str = OVERALL) -> int:
        """Tweets of ``group`` stored in the seconds ``(after, until]``."""
        with self.lock:
            series = self.series.get(group)
            if series is None:
                return 0
            get = series.buckets.get
            return int(sum(b[COUNT] for s in range(after + 1, until + 1) if (b := get(s)) is not None))

    def window_sum(self, after: int, until: int, group: str = OVERALL) -> Bucket:
        """``group``'s bucket sums over the seconds ``(after, until]`` (a copy; zeros when none)."""
        total = empty_bucket()
        with self.lock:
            series = self.series.get(group)
            if series is None:
                return total
            get = series.buckets.get
            for second in range(after + 1, until + 1):
                bucket = get(second)
                if bucket is not None:
                    for i, value in enumerate(bucket):
                        total[i] += value
        return total

    def recent_since(self, seq: int | None, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """Recent tweets not yet seen at ``seq`` (all of the last ``limit`` when ``None``), newest
        first, at most ``limit``; and the sequence number to ask from next time."""
        with self.lock:
            new = self.recent_seq - seq if seq is not None else limit
            take = max(0, min(new, limit, len(self.recent)))
            rows = [self.recent[-1 - i] for i in range(take)]
            return self.recent_seq, rows

    def top_authors(self, n: int = 10) -> list[tuple[str, AuthorEntry]]:
        """The ``n`` authors with the largest sum of |score| in the author window (cached per fold)."""
        with self.lock:
            version, cached_n, top = self._top_cache
            if version != self.version or cached_n < n:
                top = self.authors.top(n)
                self._top_cache = (self.version, n, top)
            return top[:n]

    def latency_percentiles(self, qs: Sequence[float] = (50, 99)) -> list[float]:
        """Percentiles of the recent produce→store latencies, in seconds (NaN when none yet)."""
        with self.lock:
            values = sorted(self.latencies)
        return [percentile(values, q) for q in qs]

    def counters_snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counters)

    def last_delta_at(self) -> float | None:
        with self.lock:
            return max(self.workers_seen.values()) if self.workers_seen else None
