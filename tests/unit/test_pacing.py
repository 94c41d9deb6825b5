"""Pacing logic, checked against a fake clock (speed itself is measured by the benchmarks)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import pytest

from tweetpulse.errors import ConfigError
from tweetpulse.pipeline.pacing import MAX_SLEEP, MIN_SLEEP, Pacer
from tweetpulse.records import Tweet


class FakeTime:
    """A clock that only moves when slept on (or when the test says work took time)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds

    def pacer(self, **kwargs: float | int | None) -> Pacer:
        return Pacer(**kwargs, clock=self.clock, sleep=self.sleep)  # type: ignore[arg-type]


def tweets(n: int, created: list[str | None] | None = None) -> list[Tweet]:
    return [Tweet(id=str(i), text="btc", created_at=created[i] if created else None) for i in range(n)]


def run(fake: FakeTime, pacer: Pacer, items: list[Tweet], work: float = 0.0) -> list[float]:
    """Emission times relative to the start; ``work`` is the consumer's time per tweet."""
    start = fake.now
    times = []
    for _ in pacer.pace(items):
        times.append(fake.now - start)
        fake.now += work
    return times


@pytest.mark.unit
def test_unpaced_passes_everything_through() -> None:
    items = tweets(5)
    assert list(Pacer().pace(items)) == items
    assert list(Pacer().pace(iter(items))) == items


@pytest.mark.unit
@pytest.mark.parametrize("rate", [10.0, 2_000.0, 20_000.0])
def test_rate_schedule(rate: float) -> None:
    fake = FakeTime()
    n = int(rate * 2)
    times = run(fake, fake.pacer(rate=rate), tweets(n))
    assert len(times) == n
    for i in range(0, n, max(1, n // 97)):
        assert i / rate - MIN_SLEEP - 1e-9 <= times[i] <= i / rate + 1e-9
    # over the run the rate is right within 1%
    assert (n - 1) / times[-1] == pytest.approx(rate, rel=0.01)
    assert max(fake.sleeps) <= MAX_SLEEP
    # the pacer sleeps between batches, at most once per MIN_SLEEP of run time, not once per tweet
    assert len(fake.sleeps) <= times[-1] / MIN_SLEEP + 2
    if rate >= 20_000:
        assert len(fake.sleeps) < n / 20


@pytest.mark.unit
def test_rate_accounts_for_the_consumers_own_time() -> None:
    fake = FakeTime()
    times = run(fake, fake.pacer(rate=100.0), tweets(101), work=0.004)
    assert times[-1] == pytest.approx(1.0, abs=MIN_SLEEP)


@pytest.mark.unit
def test_sleeps_are_short_and_interrupts_propagate() -> None:
    fake = FakeTime()
    times = run(fake, fake.pacer(rate=0.5), tweets(3))
    assert times == pytest.approx([0.0, 2.0, 4.0])
    assert max(fake.sleeps) <= MAX_SLEEP

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    pacer = Pacer(rate=1.0, clock=fake.clock, sleep=interrupted)
    paced = pacer.pace(tweets(3))
    next(paced)
    with pytest.raises(KeyboardInterrupt):
        next(paced)


@pytest.mark.unit
def test_falling_behind_restarts_the_schedule_instead_of_bursting() -> None:
    fake = FakeTime()
    pacer = fake.pacer(rate=10.0)
    times = []
    for i, _ in enumerate(pacer.pace(tweets(20))):
        times.append(fake.now)
        if i == 4:
            fake.now += 5.0  # the consumer stalls for 5 s
    gaps = [b - a for a, b in itertools.pairwise(times[5:])]
    assert all(gap == pytest.approx(0.1, abs=MIN_SLEEP) for gap in gaps[1:])


def counting(n: int, pulled: list[int]) -> Iterator[Tweet]:
    for tweet in tweets(n):
        pulled.append(1)
        yield tweet


@pytest.mark.unit
@pytest.mark.parametrize("kwargs", [{}, {"rate": 1000.0}, {"duration": 100.0}, {"speedup": 2.0}])
def test_limit_pulls_no_extra_tweet(kwargs: dict[str, float]) -> None:
    fake = FakeTime()
    pulled: list[int] = []
    assert len(list(fake.pacer(limit=3, **kwargs).pace(counting(10, pulled)))) == 3
    assert len(pulled) == 3
    assert list(fake.pacer(limit=0, **kwargs).pace(counting(10, pulled))) == []
    assert len(pulled) == 3


@pytest.mark.unit
def test_duration() -> None:
    fake = FakeTime()
    assert len(run(fake, fake.pacer(rate=100.0, duration=1.0), tweets(1000))) in (100, 101)
    fake = FakeTime()
    assert len(run(fake, fake.pacer(duration=1.0), tweets(1000), work=0.01)) in (100, 101)
    fake = FakeTime()
    assert run(fake, fake.pacer(rate=0.1, duration=3.0), tweets(5)) == [0.0]
    assert fake.now - 1000.0 == pytest.approx(3.0)  # it stopped at the deadline, not at the next due time


@pytest.mark.unit
def test_speedup_follows_created_at() -> None:
    created: list[str | None] = [
        "2024-03-05T14:00:00.000Z",
        "2024-03-05T14:00:10.000Z",
        "2024-03-05T14:00:10.000Z",
        None,  # no time: sent at once
        "2024-03-05T14:00:30.000Z",
        "2024-03-05T14:00:29.000Z",  # slightly out of order: sent at once
        "2024-03-05T14:00:40Z",
    ]
    fake = FakeTime()
    times = run(fake, fake.pacer(speedup=10.0), tweets(7, created))
    assert times == pytest.approx([0.0, 1.0, 1.0, 1.0, 3.0, 3.0, 4.0], abs=MIN_SLEEP)
    assert max(fake.sleeps) <= MAX_SLEEP


@pytest.mark.unit
def test_speedup_skips_holes_and_jumps_back() -> None:
    created: list[str | None] = [
        "2021-02-10T10:00:00Z",
        "2021-02-10T10:00:01Z",
        "2021-02-12T10:00:00Z",  # a two-day hole: not waited for
        "2021-02-12T10:00:02Z",
        "2021-02-10T10:00:00Z",  # back to the start (a loop): sent at once, schedule restarts
        "2021-02-10T10:00:01Z",
        "2021-02-10 10:00:03",  # naive: UTC
    ]
    fake = FakeTime()
    times = run(fake, fake.pacer(speedup=1.0), tweets(7, created))
    assert times == pytest.approx([0.0, 1.0, 1.0, 3.0, 3.0, 4.0, 6.0], abs=MIN_SLEEP)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"rate": 10.0, "speedup": 2.0}, "not both"),
        ({"rate": 0.0}, "--rate must be a positive number"),
        ({"rate": -5.0}, "--rate"),
        ({"rate": math.nan}, "--rate"),
        ({"speedup": math.inf}, "--speedup"),
        ({"limit": -1}, "--limit"),
        ({"duration": -1.0}, "--duration"),
    ],
)
def test_bad_settings(kwargs: dict[str, float], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        Pacer(**kwargs)  # type: ignore[arg-type]
