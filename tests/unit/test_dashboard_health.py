"""Pipeline health is sampled in the background: the tick only reads the last sample."""

from __future__ import annotations

import threading
import time
from typing import Any

from tweetpulse.dashboard.health import HealthSampler, RateMeter, lag_probe, listener_health
from tweetpulse.kafka.config import KafkaConfig


class FakeListener:
    n_workers = 3

    def __init__(self) -> None:
        self.alive_now = 3

    def alive(self) -> int:
        return self.alive_now


def test_latest_is_instant_even_when_the_probe_is_slow() -> None:
    release = threading.Event()

    def slow() -> dict[str, Any]:
        release.wait(5)
        return {"workers_alive": 2, "workers": 2}

    sampler = HealthSampler(slow, interval=0.05)
    try:
        start = time.monotonic()
        assert sampler.latest() == {}  # nothing yet, and no waiting for the probe
        assert time.monotonic() - start < 0.5
        release.set()
        deadline = time.monotonic() + 5
        while sampler.latest().get("workers_alive") != 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        sample = sampler.latest()
        assert sample["workers_alive"] == 2 and sample["age"] >= 0
    finally:
        sampler.stop()


def test_a_failing_probe_is_reported_not_raised() -> None:
    def broken() -> dict[str, Any]:
        raise RuntimeError("boom")

    sampler = HealthSampler(broken)
    assert sampler.sample_now() == {"error": "RuntimeError: boom"}


def test_the_sampler_stops_when_nobody_reads() -> None:
    calls: list[float] = []

    def probe() -> dict[str, Any]:
        calls.append(time.monotonic())
        return {}

    sampler = HealthSampler(probe, interval=0.02, idle_stop=0.1)
    sampler.latest()
    time.sleep(0.5)
    settled = len(calls)
    time.sleep(0.2)
    assert len(calls) == settled  # stopped by itself
    assert sampler._thread is not None and not sampler._thread.is_alive()
    sampler.latest()  # a page asks again: it starts again
    time.sleep(0.1)
    assert len(calls) > settled
    sampler.stop()


def test_listener_health_reports_workers_and_lag_errors() -> None:
    listener = FakeListener()
    assert listener_health(listener)() == {"workers_alive": 3, "workers": 3}  # no Kafka settings: no lag
    listener.alive_now = 2
    unreachable = KafkaConfig(bootstrap_servers="127.0.0.1:1", topic="t", extra={"socket.timeout.ms": "200"})
    start = time.monotonic()
    sample = listener_health(listener, kafka=unreachable, group="g")()
    assert sample["workers_alive"] == 2 and "lag_error" in sample
    assert time.monotonic() - start < 10


def test_lag_probe_never_raises() -> None:
    sample = lag_probe(KafkaConfig(bootstrap_servers="127.0.0.1:1", topic="t"), "g", timeout=0.3)()
    assert set(sample) == {"lag_error"}


def test_rate_meter() -> None:
    meter = RateMeter(span=5)
    assert meter.rate(100.0, 0) == 0.0
    assert meter.rate(101.0, 50) == 50.0
    assert meter.rate(102.0, 150) == 75.0
    for t in range(103, 120):
        meter.rate(float(t), 150 + (t - 102) * 10)
    assert 9 <= meter.rate(120.0, 330) <= 11  # only the last few seconds count
