"""Pipeline health for the page, sampled off the request path.

A tick must never wait on Kafka: :class:`HealthSampler` calls a (possibly slow) probe in a
background thread every couple of seconds and the tick reads the last sample. The thread starts
when a page first asks and stops by itself once no page has asked for a while.

A probe returns a dict; the page understands these keys (all optional):

``workers_alive`` / ``workers``
    worker processes alive / started;
``lag``
    ``{partition: messages not yet committed}`` for the listener's consumer group;
``lag_error``
    why the lag could not be read;
``store`` / ``source``
    one line each while the store or the tweet source is being waited for (shown as alerts).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from tweetpulse.kafka.config import KafkaConfig

log = logging.getLogger(__name__)

Probe = Callable[[], dict[str, Any]]


class HealthSampler:
    """Runs ``probe`` every ``interval`` seconds in a daemon thread; :meth:`latest` is instant."""

    def __init__(
        self, probe: Probe, interval: float = 2.0, idle_stop: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.probe = probe
        self.interval = interval
        self.idle_stop = idle_stop
        self.clock = clock
        self._sample: dict[str, Any] = {}
        self._sampled_at: float | None = None
        self._last_read = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def latest(self) -> dict[str, Any]:
        """The last sample (``{}`` before the first one), with ``age`` in seconds; wakes the sampler."""
        with self._lock:
            self._last_read = self.clock()
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="tweetpulse-health", daemon=True)
                self._thread.start()
            sample = dict(self._sample)
            if self._sampled_at is not None:
                sample["age"] = self.clock() - self._sampled_at
            return sample

    def sample_now(self) -> dict[str, Any]:
        """Probe once, in the caller's thread (tests, and the first sample)."""
        try:
            sample = dict(self.probe())
        except Exception as exc:  # a failing probe must not take the page down
            log.debug("health probe failed", exc_info=True)
            sample = {"error": f"{type(exc).__name__}: {exc}"}
        with self._lock:
            self._sample = sample
            self._sampled_at = self.clock()
        return sample

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample_now()
            with self._lock:
                idle = self.clock() - self._last_read > self.idle_stop
            if idle or self._stop.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)


class ListenerLike(Protocol):
    n_workers: int

    def alive(self) -> int: ...


def lag_probe(kafka: KafkaConfig, group: str, timeout: float = 3.0) -> Probe:
    """A probe reporting the consumer lag of ``group`` on ``kafka.topic``."""
    from tweetpulse.kafka.admin import LagProbe

    lag = LagProbe(kafka, group, timeout=timeout)  # one client for every sample

    def probe() -> dict[str, Any]:
        try:
            return {"lag": lag()}
        except Exception as exc:
            return {"lag_error": f"{type(exc).__name__}: {exc}"[:200]}

    return probe


def listener_health(listener: ListenerLike, kafka: KafkaConfig | None = None, group: str | None = None) -> Probe:
    """The probe for a running :class:`~tweetpulse.pipeline.listener.Listener`: workers alive, and the lag of
    its consumer group (``kafka`` / ``group`` default to the listener's own settings)."""
    settings = getattr(listener, "settings", None)
    kafka = kafka or getattr(settings, "kafka", None)
    group = group or getattr(settings, "group", None)
    lag = lag_probe(kafka, group) if kafka is not None and group else None
    source = source_probe(kafka) if kafka is not None else None

    def probe() -> dict[str, Any]:
        sample: dict[str, Any] = {"workers_alive": listener.alive(), "workers": listener.n_workers}
        store_status = getattr(listener, "store_status", None)
        waiting = store_status() if callable(store_status) else None
        if waiting:
            sample["store"] = waiting
        if lag is not None:
            sample.update(lag())
        if source is not None:
            sample.update(source())
        return sample

    return probe


def source_probe(kafka: KafkaConfig) -> Probe:
    """A probe reporting the streamer's source state from the status topic (wherever the streamer runs)."""
    from tweetpulse.kafka.status import StatusFollower

    follower = StatusFollower(kafka)

    def probe() -> dict[str, Any]:
        try:
            line = follower.line()
        except Exception:
            log.debug("the source status could not be read", exc_info=True)
            return {}
        return {"source": line} if line else {}

    return probe


class RateMeter:
    """A counter's rate over the last few seconds, from the samples it is shown."""

    def __init__(self, span: float = 5.0, keep: int = 64) -> None:
        self.span = span
        self.samples: deque[tuple[float, float]] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def rate(self, now: float, value: float) -> float:
        with self._lock:
            samples = self.samples
            if not samples or now - samples[-1][0] >= 0.2:
                samples.append((now, value))
            while len(samples) > 2 and now - samples[1][0] >= self.span:
                samples.popleft()
            t0, v0 = samples[0]
            if now - t0 < 0.5:
                return 0.0
            return max(0.0, (value - v0) / (now - t0))
