"""Authors' influence over a sliding window of seconds, bounded in memory.

An author entry is ``[sum of |score|, sum of score, tweets, followers (the latest seen)]``,
indexed by :data:`ABS`, :data:`NET`, :data:`TWEETS` and :data:`FOLLOWERS`.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

# one author entry: sum of |score|, sum of score, tweets, followers (the latest seen)
ABS, NET, TWEETS, FOLLOWERS = range(4)
AuthorEntry = list[float]


class AuthorWindow:
    """Authors' summed influence over the last ``window`` seconds of data, bounded in memory.

    Each second keeps at most ``keep_per_second`` authors once it has settled (the rest are
    dropped from the totals too), so the totals hold at most ``window × keep_per_second`` names.
    """

    def __init__(self, window: int = 900, keep_per_second: int = 50) -> None:
        self.window = window
        self.keep = keep_per_second
        self.seconds: deque[int] = deque()
        self.by_second: dict[int, dict[str, AuthorEntry]] = {}
        self.totals: dict[str, AuthorEntry] = {}
        self._unsettled: set[int] = set()

    def fold(self, second: int, entries: Iterable[Sequence[Any]]) -> None:
        per = self.by_second.get(second)
        if per is None:
            if self.seconds and second <= self.seconds[-1] - self.window:
                return  # older than the window
            per = self.by_second[second] = {}
            if self.seconds and second < self.seconds[-1]:
                self.seconds = deque(sorted((*self.seconds, second)))
            else:
                self.seconds.append(second)
            self._unsettled.add(second)
        totals = self.totals
        for name, abs_sum, net, tweets, followers in entries:
            for target in (per, totals):
                entry = target.get(name)
                if entry is None:
                    target[name] = [abs_sum, net, tweets, followers]
                else:
                    entry[ABS] += abs_sum
                    entry[NET] += net
                    entry[TWEETS] += tweets
                    entry[FOLLOWERS] = followers or entry[FOLLOWERS]
        newest = self.seconds[-1]
        for old in [s for s in self._unsettled if s < newest - 1]:
            self._trim(old)
        while self.seconds and self.seconds[0] <= newest - self.window:
            self._drop(self.seconds.popleft())

    def _subtract(self, name: str, entry: AuthorEntry) -> None:
        total = self.totals.get(name)
        if total is None:
            return
        total[TWEETS] -= entry[TWEETS]
        if total[TWEETS] <= 0:
            del self.totals[name]
        else:
            total[ABS] -= entry[ABS]
            total[NET] -= entry[NET]

    def _trim(self, second: int) -> None:
        self._unsettled.discard(second)
        per = self.by_second.get(second)
        if per is None or len(per) <= self.keep:
            return
        keep = heapq.nlargest(self.keep, per.items(), key=lambda item: item[1][ABS])
        kept = {name for name, _ in keep}
        for name, entry in per.items():
            if name not in kept:
                self._subtract(name, entry)
        self.by_second[second] = dict(keep)

    def _drop(self, second: int) -> None:
        self._unsettled.discard(second)
        for name, entry in self.by_second.pop(second, {}).items():
            self._subtract(name, entry)

    def top(self, n: int) -> list[tuple[str, AuthorEntry]]:
        best = heapq.nlargest(n, self.totals.items(), key=lambda item: item[1][ABS])
        return [(name, list(entry)) for name, entry in best]
