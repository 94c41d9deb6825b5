"""A listener worker: one consumer-group member in its own process, batch after batch.

One batch's path (:meth:`Worker.serve`): consumed → validated and scored at once into
:class:`~tweetpulse.records.ScoredTweet` rows (:func:`tweetpulse.pipeline.batch.prepare_batch`: what
breaks the contract goes to the dead-letter policy with the reason) → inserted into the store (ids
already stored are ignored) → the newly stored tweets folded (:func:`tweetpulse.live.delta.fold_all`)
into a delta sent to the page → only then are the batch's offsets stored for commit (at-least-once
delivery, made exactly-once in effect by the store).

A dead letter the dead-letter topic did not acknowledge stops its partition, loudly: nothing of
that partition in the batch is stored, counted or committed, the partition is paused, an ERROR
line and a :class:`PartitionStopped` notice (to the supervisor) say which and why; the other
partitions go on. The next run starts that partition again from its last committed offset.

A store that can't be reached (a PostgreSQL restart) is waited for with capped exponential backoff,
the same batch tried again, each wait told to the log and, as a :class:`StoreWaiting` notice, to
the supervisor for the page (:mod:`tweetpulse.pipeline.storewait`).

:func:`worker_main` is the process's entry point: the supervisor
(:class:`tweetpulse.pipeline.listener.Listener`) spawns it with plain settings, and each worker makes
its own Kafka clients and store connection.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from typing import Any, NamedTuple, Protocol, TypeVar

from confluent_kafka import Message, TopicPartition

from tweetpulse.errors import TweetpulseError
from tweetpulse.kafka.consumer import TweetConsumer
from tweetpulse.live.aggregates import Delta
from tweetpulse.live.delta import DeltaBuilder, fold_all
from tweetpulse.pipeline.batch import Batch, prepare_batch
from tweetpulse.pipeline.deadletter import DeadLetterPolicy, DeadLetterTopic, Undelivered
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.storewait import Stopping, StoreBack, StoreWaiting, persist
from tweetpulse.stores import TweetStore, open_store

log = logging.getLogger(__name__)
T = TypeVar("T")

GC_YOUNG = 50_000
"""The worker process's first-generation GC threshold (Python's default: 700): see :func:`settle_gc`."""


def settle_gc() -> None:
    """Keep Python's cycle collector off a worker's per-tweet path (called once it is built).

    A batch's rows, lists and tuples (thousands of container objects, freed by reference counting
    when the batch is done) lived through several collections at the default threshold of 700
    allocations, were promoted, and made the older generations' collections walk them: in a
    profile of the batch path, 15% of its time was the collector. Everything made while starting
    (modules, the scorer's tables) is moved out of the collector's sight (``gc.freeze``), and a
    young collection waits for :data:`GC_YOUNG` allocations, more than a batch makes. Cycles are
    still collected, later: memory stays bounded (``make bench``'s 5M-tweet memory run).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)


class Budget:
    """A shared count of messages still allowed (``--max-messages``); ``None`` means no limit.

    Workers claim after consuming, never while blocked in ``consume``; what a worker can't claim
    it leaves unprocessed and uncommitted, so the next run gets it.
    """

    def __init__(self, value: Synchronized[int] | None, fetched: Synchronized[int] | None = None) -> None:
        self.value = value
        self.fetched = fetched  # every message fetched is counted here (the supervisor's --idle-exit)

    def exhausted(self) -> bool:
        return self.value is not None and self.value.value <= 0

    def claim(self, want: int) -> int:
        if want and self.fetched is not None:
            with self.fetched.get_lock():
                self.fetched.value += want
        if self.value is None:
            return want
        with self.value.get_lock():
            got = max(0, min(want, self.value.value))
            self.value.value -= got
            return int(got)


@dataclass
class StartGate:
    """The workers of one start join the consumer group together.

    Each worker takes seconds of its own to start (the interpreter, the scorer's tables), and two
    rarely finish within the broker's wait for the rest of a new group (``kafka-setup.sh``'s
    ``group.initial.rebalance.delay.ms``): then the first to subscribe took every partition and
    the other waited through a rebalance, with the first's partitions half read. Here each worker
    says it is built (:meth:`arrive`; also one that failed to build, so no one waits for it) and
    waits (:meth:`wait`: at most ``timeout`` seconds, or until told to stop) for the others before
    it subscribes. A restarted worker passes no gate: the group is running.
    """

    built: Synchronized[int]
    workers: int
    timeout: float = 10.0

    def arrive(self) -> None:
        with self.built.get_lock():
            self.built.value += 1

    def wait(self, should_stop: Callable[[], bool]) -> None:
        deadline = time.monotonic() + self.timeout
        while self.built.value < self.workers and not should_stop() and time.monotonic() < deadline:
            time.sleep(0.002)


class MessageSource(Protocol):
    """Where a worker's batches come from (a :class:`~tweetpulse.kafka.consumer.TweetConsumer`)."""

    def consume(self, max_messages: int, timeout: float) -> list[Message]: ...

    def store_offsets(self, messages: Sequence[Message]) -> None: ...

    def pause(self, partitions: Sequence[TopicPartition]) -> None: ...


class PartitionStopped(NamedTuple):
    """Sent to the supervisor: worker ``worker`` stopped ``topic[partition]`` at ``offset`` because of ``error``."""

    worker: int
    topic: str
    partition: int
    offset: int
    error: str

    def line(self) -> str:
        return (
            f"partition {self.topic}[{self.partition}] stopped at offset {self.offset}: a dead letter could not "
            f"be written ({self.error}); nothing from there on was committed: fix the dead-letter topic, "
            "then restart the listener"
        )


class WorkerFailed(NamedTuple):
    """Sent to the supervisor by a worker about to exit because of ``error`` (one line)."""

    worker: int
    error: str


Notice = PartitionStopped | WorkerFailed | StoreWaiting | StoreBack


class Worker:
    """One consumer-group member. Built inside the worker process from :class:`ListenerSettings`.

    ``emit`` gets the page's delta after every batch; ``notify`` (default: ``emit``) the
    :data:`Notice` records for the supervisor; ``dead_letters`` is what happens to a message that
    can't be used (default: :class:`~tweetpulse.pipeline.deadletter.DeadLetterTopic`); ``clock`` says when
    a batch was stored.
    """

    def __init__(
        self,
        index: int,
        settings: ListenerSettings,
        emit: Callable[[Delta], None],
        budget: Budget,
        should_stop: Callable[[], bool],
        dead_letters: DeadLetterPolicy | None = None,
        clock: Callable[[], float] = time.time,
        notify: Callable[[Notice], None] | None = None,
    ) -> None:
        self.index = index
        self.settings = settings
        self.emit = emit
        self.notify: Callable[[Notice], None] = notify if notify is not None else emit  # type: ignore[assignment]
        self.stopped: set[int] = set()  # partitions this worker stopped (a dead letter not kept)
        self.budget = budget
        self.should_stop = should_stop
        self.clock = clock
        self.scorer = settings.make_scorer()
        self.delta = DeltaBuilder(index)
        self.dead_letter = dead_letters if dead_letters is not None else DeadLetterTopic(settings.kafka)

    def run(self) -> None:
        """Consume, prepare (validate, score), persist, report, commit — batch after batch.

        (Persisting in a writer thread while the next batch is scored was tried: the GIL
        hand-offs cost more than the overlap saved.)
        """
        settings = self.settings
        with TweetConsumer(settings.kafka, settings.group, settings.start_from) as consumer:
            store = open_store(settings.store_path)
            try:
                self.persist(store.open)  # a worker restarted while the store is down waits for it
                self.serve(consumer, store)
            except Stopping:
                pass  # told to stop while waiting for the store: nothing of the batch was committed
            finally:
                store.close()
                self._flush_delta()
                self.dead_letter.close()  # the dead-letter producer exists only if a message needed it
        # leaving the block closed the consumer: it committed the stored offsets and left the group

    def serve(self, consumer: MessageSource, store: TweetStore) -> None:
        """The batch loop, until told to stop."""
        settings = self.settings
        while not self.should_stop():
            if self.budget.exhausted():
                time.sleep(0.1)  # --max-messages reached: consume no more
                continue
            messages = consumer.consume(settings.batch_size, settings.poll_timeout)
            if self.stopped:  # what a stopped partition still delivers is left for the next run
                messages = [m for m in messages if m.partition() not in self.stopped]
            messages = messages[: self.budget.claim(len(messages))]
            if not messages:
                continue
            batch = self.process(messages, store)
            # report the batch to the page at once, so a crash loses as little of the page as possible
            self._flush_delta()
            if batch.stopped:
                self._stop_partitions(consumer, batch.stopped)
            # only now, with the results persisted, may these offsets be committed
            consumer.store_offsets(batch.messages)

    def _stop_partitions(self, consumer: MessageSource, undelivered: list[Undelivered]) -> None:
        first: dict[int, Undelivered] = {}
        for letter in undelivered:
            if letter.partition not in first or letter.offset < first[letter.partition].offset:
                first[letter.partition] = letter
        consumer.pause([TopicPartition(u.topic, u.partition) for u in first.values()])
        for u in first.values():
            notice = PartitionStopped(self.index, u.topic, u.partition, u.offset, u.error)
            log.error("worker %d: %s", self.index, notice.line())
            self.stopped.add(u.partition)
            self.notify(notice)

    def _flush_delta(self) -> None:
        delta = self.delta.take()
        if delta is not None:
            self.emit(delta)

    def process(self, messages: Sequence[Message], store: TweetStore) -> Batch:
        """Score and persist one batch, and fold what was newly stored into the page's delta."""
        batch = self.prepare(messages)
        self.record(batch, self.persist(lambda: store.insert(batch.tweets)))
        return batch

    def persist(self, call: Callable[[], T]) -> T:
        """``call()`` on the store, waited for with backoff while the store is unreachable (see
        :mod:`tweetpulse.pipeline.storewait`); the waits are told to the supervisor, for the page."""
        return persist(call, worker=self.index, notify=self.notify, should_stop=self.should_stop)

    def prepare(self, messages: Sequence[Message]) -> Batch:
        """Validate and score a batch (:func:`prepare_batch` with this worker's scorer, policy and clock)."""
        settings, who = self.settings, f"worker {self.index}"
        return prepare_batch(messages, self.scorer, settings.max_text, self.dead_letter, self.clock(), who)

    def record(self, batch: Batch, new_ids: set[str]) -> None:
        """Fold the tweets of ``batch`` that were newly stored into the delta for the page, each once."""
        stored_at = self.clock()
        tweets = batch.tweets
        if len(new_ids) == len(tweets):  # the usual batch: every tweet new, each id once
            fold_all(self.delta, tweets, stored_at)
        else:
            unfolded = set(new_ids)  # an id twice in one batch was stored (and is folded) once
            new = []
            for tweet in tweets:
                if tweet.id in unfolded:
                    unfolded.discard(tweet.id)
                    new.append(tweet)
            fold_all(self.delta, new, stored_at)
        stored = len(new_ids)
        self.delta.count(consumed=batch.consumed, stored=stored, duplicates=len(tweets) - stored, dead=batch.dead)


def worker_main(
    index: int,
    settings: ListenerSettings,
    deltas: Connection,
    stop: Any,
    budget: Synchronized[int] | None,
    parent_pid: int,
    fetched: Synchronized[int] | None = None,
    gate: StartGate | None = None,
) -> None:
    """Entry point of a worker process (module level, so ``spawn`` can import it); ``gate``: the
    workers started with it, to subscribe together (:class:`StartGate`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    terminated = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: terminated.set())
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s worker-{index} %(levelname)s %(message)s")

    def should_stop() -> bool:
        # stop when told, when terminated, or when the parent is gone (no orphans)
        return stop.is_set() or terminated.is_set() or os.getppid() != parent_pid

    try:
        try:
            worker = Worker(index, settings, deltas.send, Budget(budget, fetched), should_stop)
            settle_gc()
        finally:
            if gate is not None:
                gate.arrive()
        if gate is not None:
            gate.wait(should_stop)
        worker.run()
    except Exception as exc:  # say why in one line, to the log and to the supervisor, then exit non-zero
        if isinstance(exc, TweetpulseError):
            log.error("worker %d: %s", index, exc)
        else:  # a bug: the traceback helps
            log.exception("worker %d failed", index)
        with contextlib.suppress(OSError, ValueError):
            deltas.send(WorkerFailed(index, str(exc) or type(exc).__name__))
        sys.exit(3)
