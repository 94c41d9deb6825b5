"""The listener: the supervisor of a group of worker processes that consume, score, store, then commit.

:class:`Listener` spawns the workers (:func:`tweetpulse.pipeline.worker.worker_main`, given plain
:class:`~tweetpulse.pipeline.settings.ListenerSettings`, never clients), restarts one that dies, and folds
the deltas they send, one pipe per worker, into an :class:`~tweetpulse.live.aggregates.Aggregator` for
the page. Ctrl-C, SIGTERM or a kernel interrupt reach this parent, which tells the workers to
finish their batch, persist, commit and exit. What a worker does with a batch is in
:mod:`tweetpulse.pipeline.worker`.

Workers that keep dying make the run a failure (:class:`~tweetpulse.errors.ListenerFailed`, one
line with the reason the last one gave): when ``max_restarts`` restarts go by with no message
handled in between, and when a limit (``--idle-exit``, ``--duration``) is reached while workers
died since the last message handled.

``--idle-exit S`` means idle: for S seconds no worker fetched a message and none finished a
batch, every worker has been up for :data:`SETTLE_SECONDS` (one that just (re)started has not
looked for messages yet), no worker waits for an unreachable store
(:mod:`tweetpulse.pipeline.storewait`), and the group has committed every partition up to its end
(a partition a worker stopped aside). A slow batch is not idleness: its offsets are not committed
until it is stored, so the group is not caught up.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import multiprocessing.connection as mp_connection
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from typing import Any

from tweetpulse.errors import ListenerFailed
from tweetpulse.kafka.admin import LagProbe, ensure_topics, partition_count
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.storewait import StoreBack, StoreWaiting
from tweetpulse.pipeline.worker import PartitionStopped, StartGate, WorkerFailed, worker_main
from tweetpulse.stores import open_store

__all__ = ["Listener", "ListenerFailed", "ListenerSettings", "Summary"]

log = logging.getLogger("tweetpulse.pipeline.listener")

SETTLE_SECONDS = 5.0  # a worker up this long has joined the group and polled: --idle-exit may trust it


def partition_fit(partitions: int, workers: int) -> str | None:
    """One line of warning when ``workers`` can't share ``partitions`` evenly, else ``None``."""
    if workers > partitions:
        return (
            f"{workers} workers but the topic has {partitions} partitions: {workers - partitions} worker(s) will "
            f"stand by idle; use --workers {partitions} or a topic with more partitions (README: Scaling out)"
        )
    if partitions % workers:
        return (
            f"{workers} workers share the topic's {partitions} partitions unevenly ({partitions // workers + 1} and "
            f"{partitions // workers} each): the busiest sets the pace; use a worker count that divides {partitions}"
        )
    return None


@dataclass
class Summary:
    consumed: int = 0
    stored: int = 0
    duplicates: int = 0
    dead: int = 0
    seconds: float = 0.0
    workers: int = 0
    stopped: list[str] = field(default_factory=list)  # one line per partition a worker stopped

    @property
    def rate(self) -> float:
        return self.consumed / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        n = len(self.stopped)
        tail = f"; {n} partition{'' if n == 1 else 's'} stopped (see below)" if n else ""
        return (
            f"consumed {self.consumed}, stored {self.stored}, duplicates ignored {self.duplicates}, "
            f"dead-lettered {self.dead} in {self.seconds:.1f}s ({self.rate:,.0f} tweets/s){tail}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": self.rate}


def first_stops(notices: list[PartitionStopped]) -> list[PartitionStopped]:
    """One notice per partition, the earliest offset: a stopped partition's offsets are not committed,
    so the worker it moves to (a rebalance, a restart) stops it again at the same place."""
    first: dict[tuple[str, int], PartitionStopped] = {}
    for notice in notices:
        key = (notice.topic, notice.partition)
        if key not in first or notice.offset < first[key].offset:
            first[key] = notice
    return sorted(first.values(), key=lambda n: (n.topic, n.partition))


class Listener:
    """Runs the worker processes and folds their deltas into an :class:`Aggregator`.

    Use as a context manager (``with Listener(settings) as listener: listener.wait(...)``) so the
    workers are always stopped, also on Ctrl-C or a kernel interrupt.
    """

    def __init__(
        self,
        settings: ListenerSettings,
        workers: int | None = None,
        max_messages: int | None = None,
        aggregator: Aggregator | None = None,
        max_restarts: int = 5,
    ) -> None:
        self.settings = settings
        self.n_workers = workers or os.cpu_count() or 1
        self.aggregator = aggregator or Aggregator()
        self.max_restarts = max_restarts
        self._ctx = mp.get_context("spawn")
        # one pipe per worker, not a shared Queue: a worker killed while sending can tear only its
        # own pipe (a shared queue's lock would stay held and block every other worker's deltas)
        self._readers: set[Connection] = set()
        self._readers_lock = threading.Lock()
        self._stop = self._ctx.Event()
        self._budget = self._ctx.Value("q", max_messages) if max_messages is not None else None
        self._fetched = self._ctx.Value("q", 0)  # messages the workers fetched (--idle-exit: nothing fetched)
        self._lag: LagProbe | None = None
        self._gate: StartGate | None = None
        self.max_messages = max_messages
        self.processes: list[SpawnProcess] = []
        self._drainer: threading.Thread | None = None
        self._draining = threading.Event()
        self._started = 0.0
        self._stopped = 0.0
        self._last_activity = 0.0
        self._spawned_at: list[float] = []
        self.restarts = 0
        self.deaths = 0  # workers that died since a message was last handled
        self.failures: list[WorkerFailed] = []  # what dying workers said, oldest first
        self.stopped: list[PartitionStopped] = []
        self.store_waits: dict[int, StoreWaiting] = {}  # workers waiting for the store, by index

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> Listener:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, ensure: bool = True) -> None:
        # open (and create) the store and read its layout and integrity here, so a bad --store is
        # one clear ConfigError, not dying workers
        with open_store(self.settings.store_path) as store:
            store.check()
        if ensure:
            ensure_topics(self.settings.kafka)
            partitions = partition_count(self.settings.kafka)
            warning = partition_fit(partitions, self.n_workers) if partitions else None
            if warning:
                log.warning("%s", warning)
        self._started = time.monotonic()
        self._draining.set()
        self._drainer = threading.Thread(target=self._drain, name="tweetpulse-deltas", daemon=True)
        self._drainer.start()
        self._spawned_at = [time.monotonic()] * self.n_workers
        # the first workers join the group together; the gate is kept here: its shared counter must
        # outlive start(), until every worker has unpickled it
        self._gate = StartGate(self._ctx.Value("i", 0), self.n_workers)
        self.processes = [self._spawn(i, self._gate) for i in range(self.n_workers)]

    def _spawn(self, index: int, gate: StartGate | None = None) -> SpawnProcess:
        reader, writer = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(
            target=worker_main,
            name=f"tweetpulse-worker-{index}",
            args=(index, self.settings, writer, self._stop, self._budget, os.getpid(), self._fetched, gate),
        )
        process.start()
        writer.close()  # the worker holds the only writing end: its exit reads as end-of-file here
        with self._readers_lock:
            self._readers.add(reader)
        return process

    def stop(self, timeout: float = 30.0) -> Summary:
        """Ask the workers to finish their batch, persist and commit; then make sure they're gone."""
        if self._stopped:
            return self.summary()
        self._stop.set()
        deadline = time.monotonic() + timeout
        for process in self.processes:
            while process.is_alive() and time.monotonic() < deadline:
                try:
                    process.join(0.2)
                except KeyboardInterrupt:
                    log.warning("still stopping: workers are finishing their batch")
        for process in self.processes:
            if process.is_alive():
                log.error("worker %s did not stop in %.0fs; terminating it", process.name, timeout)
                process.terminate()
                process.join(5)
            if process.is_alive():
                process.kill()
                process.join(5)
        self._stopped = time.monotonic()
        self._draining.clear()
        if self._drainer is not None:
            self._drainer.join(5)
        self._drain_now()
        if self._lag is not None:
            self._lag.close()
        return self.summary()

    # -- deltas ---------------------------------------------------------------------------
    def _drain(self) -> None:
        while self._draining.is_set():
            self._fold_ready(timeout=0.1)

    def _drain_now(self) -> None:
        """After the workers are gone: fold what their pipes still hold."""
        while self._readers and self._fold_ready(timeout=0.2):
            pass

    def _fold_ready(self, timeout: float) -> bool:
        """Fold the deltas waiting on the workers' pipes; False when none came within ``timeout``."""
        with self._readers_lock:
            readers = list(self._readers)
        if not readers:
            time.sleep(timeout)
            return False
        ready = mp_connection.wait(readers, timeout)
        for reader in ready:
            assert isinstance(reader, Connection)
            try:
                received = reader.recv()
            except Exception:  # the worker ended, or died in the middle of a message: its pipe is done
                with self._readers_lock:
                    self._readers.discard(reader)
                reader.close()
                continue
            if isinstance(received, PartitionStopped):
                self.stopped.append(received)
            elif isinstance(received, WorkerFailed):
                self.failures.append(received)
            elif isinstance(received, StoreWaiting):
                self.store_waits[received.worker] = received
            elif isinstance(received, StoreBack):
                self.store_waits.pop(received.worker, None)
            else:
                self.aggregator.fold(received)
        return bool(ready)

    # -- watching -------------------------------------------------------------------------
    def alive(self) -> int:
        return sum(p.is_alive() for p in self.processes)

    def check_workers(self) -> None:
        """Restart a worker that died (its partitions were rebalanced to the others meanwhile);
        raise :class:`ListenerFailed` when workers keep dying with nothing handled in between."""
        if self._stop.is_set():
            return
        for i, process in enumerate(self.processes):
            if process.is_alive():
                continue
            if self.deaths >= self.max_restarts:
                raise ListenerFailed(self.failure_line())
            self.deaths += 1
            self.restarts += 1
            log.warning("worker %d exited (code %s); restarting it", i, process.exitcode)
            self.store_waits.pop(i, None)
            self.processes[i] = self._spawn(i)
            self._spawned_at[i] = time.monotonic()

    def failure_line(self) -> str:
        """Why the run failed: how often workers died, and what the last one to say anything said."""
        time.sleep(0.3)  # let the drainer read a dying worker's last words from its pipe
        said = f"; the last said: {self.failures[-1].error}" if self.failures else "; the log above says why"
        return f"workers kept exiting ({self.deaths} time(s) with no message handled in between){said}"

    def store_status(self) -> str | None:
        """One line while a worker waits for the store (the latest wait), for the page; else None."""
        waits = list(self.store_waits.values())
        if not waits:
            return None
        return max(waits, key=lambda w: (w.since, w.attempt)).line()

    def settled(self) -> bool:
        """Every worker alive and up for :data:`SETTLE_SECONDS` (so it has looked for messages)."""
        now = time.monotonic()
        return all(p.is_alive() for p in self.processes) and all(now - t >= SETTLE_SECONDS for t in self._spawned_at)

    def caught_up(self) -> bool:
        """The group has committed every partition of the topic up to its end (partitions a worker
        stopped aside); False while that can't be asked (the broker does not answer)."""
        settings = self.settings
        if self._lag is None:
            self._lag = LagProbe(settings.kafka, settings.group, timeout=2.0)
        try:
            lag = self._lag(uncommitted_at_end=settings.start_from == "latest")
        except Exception as exc:  # the broker is away: not idle, it is waited for
            log.debug("idle check: the group's lag is unknown (%s)", exc)
            return False
        stopped = {notice.partition for notice in self.stopped}
        return all(left == 0 for partition, left in lag.items() if partition not in stopped)

    def summary(self) -> Summary:
        counters = self.aggregator.counters
        # the rate is over the time spent working: an idle tail (--idle-exit) doesn't count
        end = self._last_activity or self._stopped or time.monotonic()
        return Summary(
            consumed=counters["consumed"],
            stored=counters["stored"],
            duplicates=counters["duplicates"],
            dead=counters["dead"],
            seconds=end - self._started if self._started else 0.0,
            workers=self.n_workers,
            stopped=[notice.line() for notice in first_stops(self.stopped)],
        )

    def wait(
        self,
        duration: float | None = None,
        idle_exit: float | None = None,
        on_tick: Callable[[Summary], None] | None = None,
        tick: float = 0.5,
    ) -> Summary:
        """Block until ``max_messages`` are handled, ``duration`` passes, or the run is idle for
        ``idle_exit`` seconds (see the module docs). Ctrl-C / a kernel interrupt ends the wait;
        the caller stops. Raises :class:`ListenerFailed` when the workers kept dying (see the module docs)."""
        start = time.monotonic()
        last_seen = -1
        last_change = start
        fetched = self._fetched.value
        while True:
            time.sleep(tick)
            now = time.monotonic()
            self.check_workers()
            summary = self.summary()
            if on_tick is not None:
                on_tick(summary)
            handled = summary.consumed
            if handled != last_seen:
                last_seen, last_change = handled, now
                self._last_activity = now
                self.deaths = 0
            if self._fetched.value != fetched:  # a fetch is activity too: a slow batch is not idle
                fetched, last_change = self._fetched.value, now
            done = (
                (self.max_messages is not None and handled >= self.max_messages)
                or (duration is not None and now - start >= duration)
                or (
                    idle_exit is not None
                    and now - last_change >= idle_exit
                    and self.settled()
                    and not self.store_waits
                    and self.caught_up()
                )
            )
            if done:
                if self.deaths:
                    raise ListenerFailed(self.failure_line())
                return summary
