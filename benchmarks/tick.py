"""Measure what one tick of the page costs: server time and payload, through Dash's real dispatch.

:class:`TickClient` posts the tick callback to ``/_dash-update-component`` with Flask's test
client, exactly as a browser does (the cursor it gets back goes into the next request), so the
time covers Dash's request handling, the callback and the JSON encoding (plotly's encoder) of the
response, and the payload is the response body a browser would receive.

:func:`fill` folds synthetic worker deltas into an Aggregator as if ``n`` tweets had been
processed; :func:`measure_tick` then runs steady-state ticks, one simulated second apart, with
new tweets arriving between them.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable

from dash import Dash

from tests.support.tick_client import FakeClock, TickClient
from tweetpulse.live.aggregates import Aggregator, Delta
from tweetpulse.live.delta import DeltaBuilder
from tweetpulse.records import ScoredTweet
from tweetpulse.scorers.scoring import weight

_GROUPS: tuple[list[str], ...] = (
    ["bitcoin"],
    ["ethereum"],
    ["dogecoin"],
    ["bitcoin", "ethereum"],
    [],
    ["bitcoin"],
    ["dogecoin"],
)
_WORDS = (
    "bitcoin",
    "eth",
    "doge",
    "moon",
    "dip",
    "bullish",
    "bearish",
    "great",
    "terrible",
    "today",
    "chart",
    "support",
    "pump",
    "dump",
    "hodl",
    "fees",
    "wallet",
    "news",
    "ugly",
    "love",
    "sell",
    "buy",
    "halving",
)


def synthetic_second(second: int, n: int, rng: random.Random, worker: int = 0, authors: int = 20_000) -> Delta:
    """A worker delta of ``n`` tweets stored in ``second``: realistic groups, labels, authors, texts."""
    builder = DeltaBuilder(worker)
    for i in range(n):
        polarity = rng.choice((0.0, 0.0, 0.25, 0.5, 0.8, -0.3, -0.6))
        followers = int(rng.paretovariate(1.1) * 20)
        score = weight(followers) * polarity
        label = "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"
        author = f"user{int(rng.paretovariate(0.8)) % authors}"
        builder.add(second, _GROUPS[i % len(_GROUPS)], score, polarity, label)
        builder.add_author(author, followers, score)
        builder.add_latency(0.01 + rng.random() * 0.08)
        if i >= n - builder.recent_max:
            text = " ".join(rng.choices(_WORDS, k=rng.randint(12, 40)))[:280]
            builder.add_recent(
                ScoredTweet(
                    id=f"{second}-{worker}-{i}",
                    text=text,
                    created_at=None,
                    author=author,
                    author_id=None,
                    followers=followers,
                    lang=None,
                    keywords=[],
                    source="bench",
                    polarity=polarity,
                    subjectivity=0.5,
                    weight=weight(followers),
                    score=score,
                    label=label,
                    kafka_partition=None,
                    kafka_offset=None,
                    produced_at=None,
                    scored_at=second + 0.5,
                )
            )
    builder.count(consumed=n, stored=n)
    return builder.take() or {}


def fill(aggregator: Aggregator, n: int, end: int, rate: int = 1000, seed: int = 1) -> None:
    """Fold ``n`` synthetic tweets into ``aggregator``, ``rate`` per second, the last second being ``end - 1``."""
    rng = random.Random(seed)
    seconds = max(1, -(-n // rate))
    left = n
    for second in range(end - seconds, end):
        count = min(rate, left)
        left -= count
        aggregator.fold(synthetic_second(second, count, rng))


def measure_tick(
    aggregator: Aggregator,
    clock: FakeClock,
    app: Dash,
    ticks: int = 60,
    rate: int = 1000,
    seed: int = 2,
    between: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Steady-state ticks: each simulated second ``rate`` new tweets arrive, then one tick runs.

    Returns the first (page load) tick's time and payload, and the steady ticks' p50 / p95 / max
    time (ms) and p95 / max payload (bytes).
    """
    rng = random.Random(seed)
    client = TickClient(app)
    first = client.tick()
    times: list[float] = []
    sizes: list[int] = []
    for i in range(ticks):
        second = int(clock.advance(1.0)) - 1
        aggregator.fold(synthetic_second(second, rate, rng, worker=i % 2))
        if between is not None:
            between(i)
        call = client.tick()
        times.append(call.seconds * 1000)
        sizes.append(call.payload_bytes)
    times.sort()
    sizes.sort()
    return {
        "load_ms": first.seconds * 1000,
        "load_bytes": float(first.payload_bytes),
        "tick_p50_ms": statistics.median(times),
        "tick_p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        "tick_max_ms": times[-1],
        "tick_p95_bytes": float(sizes[min(len(sizes) - 1, int(0.95 * len(sizes)))]),
        "tick_max_bytes": float(sizes[-1]),
    }


def bench_app(n: int, rate: int = 1000, ticks: int = 60, window: int = 3600) -> dict[str, float]:
    """An app over an aggregator holding ``n`` processed tweets, measured with :func:`measure_tick`."""
    from tweetpulse.dashboard.app import build_app

    start = 1_700_000_000
    clock = FakeClock(start + 0.5)
    aggregator = Aggregator(window_seconds=window)
    fill(aggregator, n, end=start, rate=max(rate, -(-n // window)))
    app = build_app(aggregator, clock=clock, health=lambda: {"workers_alive": 2, "workers": 2, "lag": {0: 0, 1: 3}})
    return measure_tick(aggregator, clock, app, ticks=ticks, rate=rate)
