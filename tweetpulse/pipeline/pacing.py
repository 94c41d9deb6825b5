"""Pacing: hand tweets on at a set rate, or following their timestamps, and stop on a limit.

Times are scheduled against a monotonic clock (the n-th tweet is due at ``start + n / rate``), so
short sleeps that overshoot are made up by the following tweets instead of adding up. The pacer
never sleeps when it is less than 2 ms ahead (at 20k tweets/s it sends batches of ~40 and sleeps
between them) and never longer than 0.1 s at a time, so Ctrl-C gets through promptly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice

from tweetpulse.errors import ConfigError
from tweetpulse.records import Tweet

MIN_SLEEP = 0.002  # closer than this to the due time: send now
MAX_SLEEP = 0.1  # longest single sleep, so interrupts are handled promptly
MAX_LAG = 1.0  # further behind schedule than this: restart the schedule instead of bursting
MAX_GAP = 60.0  # a timestamp gap longer than this (wall seconds, after speedup) is not waited for


def _positive(name: str, value: float | None) -> float | None:
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise ConfigError(f"--{name} must be a positive number, got {value!r}")
    return value


def _epoch(created_at: str | None) -> float | None:
    """Seconds since the epoch for an ISO-8601 time (naive means UTC), or None when unusable."""
    if not created_at:
        return None
    try:
        moment = datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return (moment - datetime(1970, 1, 1)).total_seconds()
    return moment.timestamp()


class Pacer:
    """Paces an iterator of tweets.

    * ``rate``: tweets per second;
    * ``speedup``: follow the gaps between ``created_at`` values, divided by ``speedup``. A tweet
      without a usable time goes out at once; a gap longer than ``max_gap`` wall seconds (a hole
      in the dataset, a loop back to the start) is not waited for and the schedule restarts there;
    * ``limit``: stop after this many tweets (no extra tweet is pulled from the source);
    * ``duration``: stop after this many seconds (checked between tweets: a source blocked
      waiting for its next tweet is not interrupted).

    With nothing set, tweets pass straight through. When the consumer falls more than ``max_lag``
    seconds behind, the schedule restarts from now rather than bursting to catch up.
    ``clock`` and ``sleep`` can be replaced (tests use a fake clock).
    """

    def __init__(
        self,
        rate: float | None = None,
        speedup: float | None = None,
        limit: int | None = None,
        duration: float | None = None,
        *,
        max_gap: float = MAX_GAP,
        max_lag: float = MAX_LAG,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and speedup is not None:
            raise ConfigError("give --rate or --speedup, not both")
        self.rate = _positive("rate", rate)
        self.speedup = _positive("speedup", speedup)
        if limit is not None and limit < 0:
            raise ConfigError(f"--limit must be 0 or more, got {limit}")
        if duration is not None and not (duration >= 0 and math.isfinite(duration)):
            raise ConfigError(f"--duration must be 0 or more seconds, got {duration!r}")
        self.limit = limit
        self.duration = duration
        self.max_gap = max_gap
        self.max_lag = max_lag
        self._clock = clock
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"Pacer(rate={self.rate}, speedup={self.speedup}, limit={self.limit}, duration={self.duration})"

    def pace(self, iterable: Iterable[Tweet]) -> Iterator[Tweet]:
        """The tweets of ``iterable``, paced and cut off as configured."""
        source: Iterator[Tweet] = iter(iterable) if self.limit is None else islice(iterable, self.limit)
        if self.rate is not None:
            return self._by_rate(source, self.rate)
        if self.speedup is not None:
            return self._by_time(source, self.speedup)
        if self.duration is not None:
            return self._until_deadline(source)
        return source

    def _deadline(self, start: float) -> float:
        return start + self.duration if self.duration is not None else math.inf

    def _wait(self, until: float, now: float) -> float:
        """Sleep in slices of at most ``MAX_SLEEP`` until ``until``; returns the clock afterwards."""
        clock, sleep = self._clock, self._sleep
        while now < until:
            sleep(min(until - now, MAX_SLEEP))
            now = clock()
        return now

    def _until_deadline(self, source: Iterator[Tweet]) -> Iterator[Tweet]:
        clock = self._clock
        deadline = self._deadline(clock())
        while clock() < deadline:
            tweet = next(source, None)
            if tweet is None:
                return
            yield tweet

    def _by_rate(self, source: Iterator[Tweet], rate: float) -> Iterator[Tweet]:
        clock, interval, max_lag = self._clock, 1.0 / rate, self.max_lag
        start = clock()
        deadline = self._deadline(start)
        sent = 0
        while True:
            due = start + sent * interval
            now = clock()
            if now >= deadline:
                return
            if due - now > MIN_SLEEP:
                if self._wait(min(due, deadline), now) >= deadline:
                    return
            elif now - due > max_lag:
                start = now - sent * interval
            tweet = next(source, None)
            if tweet is None:
                return
            yield tweet
            sent += 1

    def _by_time(self, source: Iterator[Tweet], speedup: float) -> Iterator[Tweet]:
        clock, max_gap, max_lag = self._clock, self.max_gap, self.max_lag
        deadline = self._deadline(clock())
        anchor_wall = anchor_time = math.nan  # wall clock <-> tweet time of the schedule's origin
        last_text: str | None = None
        last_time: float | None = None
        for tweet in source:
            now = clock()
            if now >= deadline:
                return
            if tweet.created_at != last_text:
                last_text, last_time = tweet.created_at, _epoch(tweet.created_at)
            if last_time is not None:
                due = anchor_wall + (last_time - anchor_time) / speedup
                if not due - now <= max_gap or now - due > max_lag:  # first tweet, jump or lag
                    anchor_wall, anchor_time = now, last_time
                elif due - now > MIN_SLEEP and self._wait(min(due, deadline), now) >= deadline:
                    return
            yield tweet
