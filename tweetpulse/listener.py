"""The listener: a group of worker processes that consume, score, store, then commit.

One tweet's path through a worker (:func:`worker_main`): consumed in a batch → validated by
:func:`tweetpulse.models.parse_record` (bad ones go to ``<topic>.dlq`` with the reason) → scored
by :func:`tweetpulse.scoring.score_tweet` → inserted by :class:`tweetpulse.store.Store` (ids already
stored are ignored) → only then is its offset stored for commit (at-least-once delivery, made
exactly-once in effect by the store) → folded into a compact delta for the page.

Workers are ``spawn``-ed processes given plain settings (never clients); each makes its own
Kafka clients. Ctrl-C, SIGTERM or a kernel interrupt reach the parent, which tells the workers
to finish their batch, persist, commit and exit.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import multiprocessing.connection as mp_connection
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition

from tweetpulse.aggregates import Aggregator, DeltaBuilder
from tweetpulse.config import DEFAULT_STORE, KafkaConfig
from tweetpulse.errors import ConfigError, InvalidRecord, TweetpulseError
from tweetpulse.kafka.admin import ensure_topics
from tweetpulse.kafka.producer import TweetProducer
from tweetpulse.models import DEFAULT_MAX_TEXT, parse_record
from tweetpulse.scoring import DEFAULT_SCORER, SentimentAnalyzer, check_spec, make_analyzer, tweet_scorer
from tweetpulse.store import Store, encode_keywords

log = logging.getLogger(__name__)


class ListenerFailed(TweetpulseError):
    """The workers keep dying: the listener can't go on."""

RECENT_TEXT_MAX = 280


@dataclass(frozen=True)
class ListenerSettings:
    """Everything a worker needs, as plain picklable data."""

    kafka: KafkaConfig = field(default_factory=KafkaConfig)
    group: str = "tweetpulse"
    store_path: str = DEFAULT_STORE
    start_from: str = "earliest"
    batch_size: int = 2000
    poll_timeout: float = 0.1  # a batch waits at most this long to fill: latency under light load
    max_text: int = DEFAULT_MAX_TEXT
    scorer: str = DEFAULT_SCORER  # the analyzer's spec (tweetpulse.scoring.make_analyzer); each worker builds its own
    neutral_band: float | None = None  # None: the analyzer's own default
    cache_size: int = 65536

    def __post_init__(self) -> None:
        check_spec(self.scorer, self.neutral_band)  # a bad --scorer or band fails here, before anything starts

    def analyzer(self) -> SentimentAnalyzer:
        """A new analyzer as these settings name it (workers and the page's classify box)."""
        return make_analyzer(self.scorer, self.neutral_band, cache_size=self.cache_size)

    def consumer_conf(self) -> dict[str, Any]:
        return self.kafka.client_conf(
            **{
                "group.id": self.group,
                "auto.offset.reset": self.start_from,
                # offsets are stored by hand once results are persisted, then committed in the background
                "enable.auto.commit": True,
                "enable.auto.offset.store": False,
                "auto.commit.interval.ms": 1000,
                "partition.assignment.strategy": "cooperative-sticky",
                "session.timeout.ms": 6000,  # a dead worker's partitions move on within seconds
                "heartbeat.interval.ms": 1000,
                "fetch.wait.max.ms": 100,
            }
        )


class Budget:
    """A shared count of messages still allowed (``--max-messages``); ``None`` means no limit.

    Workers claim after consuming, never while blocked in ``consume``; what a worker can't claim
    it leaves unprocessed and uncommitted, so the next run gets it.
    """

    def __init__(self, value: Synchronized[int] | None) -> None:
        self.value = value

    def exhausted(self) -> bool:
        return self.value is not None and self.value.value <= 0

    def claim(self, want: int) -> int:
        if self.value is None:
            return want
        with self.value.get_lock():
            got = max(0, min(want, self.value.value))
            self.value.value -= got
            return int(got)


Headers = list[tuple[str, str | bytes | None]]


def dead_letter_headers(msg: Message, err: InvalidRecord) -> Headers:
    headers: Headers = list(msg.headers() or [])  # type: ignore[arg-type]
    headers += [
        ("tweetpulse.reason", err.reason.encode()),
        ("tweetpulse.error", err.detail.encode("utf-8", "replace")),
        ("tweetpulse.source.topic", (msg.topic() or "").encode()),
        ("tweetpulse.source.partition", str(msg.partition()).encode()),
        ("tweetpulse.source.offset", str(msg.offset()).encode()),
    ]
    return headers


def next_offsets(messages: list[Message]) -> list[TopicPartition]:
    """The offsets to commit after ``messages``: one past the last message of each partition."""
    last: dict[tuple[str, int], int] = {}
    for msg in messages:
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        if msg.error() is None and topic is not None and partition is not None and offset is not None:
            last[(topic, partition)] = offset
    return [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in last.items()]


@dataclass
class Batch:
    """One consumed batch on its way to the store: rows in store column order, plus what the
    page needs of each row (keyword groups, score, polarity, label, produced_at)."""

    messages: list[Message]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    extras: list[tuple[list[str], float, float, str, float | None]] = field(default_factory=list)
    consumed: int = 0
    dead: int = 0


class Worker:
    """One consumer-group member. Built inside the worker process from :class:`ListenerSettings`."""

    def __init__(
        self,
        index: int,
        settings: ListenerSettings,
        emit: Callable[[dict[str, Any]], None],
        budget: Budget,
        should_stop: Callable[[], bool],
    ) -> None:
        self.index = index
        self.settings = settings
        self.emit = emit
        self.budget = budget
        self.should_stop = should_stop
        self.analyzer = settings.analyzer()
        self.delta = DeltaBuilder(index)
        self.dlq = TweetProducer(settings.kafka, **{"linger.ms": 5})

    def run(self) -> None:
        """Consume, prepare (validate, score), persist, report, commit — batch after batch.

        (Persisting in a writer thread while the next batch is scored was tried: the GIL
        hand-offs cost more than the overlap saved.)
        """
        settings = self.settings
        consumer = Consumer(settings.consumer_conf())
        consumer.subscribe([settings.kafka.topic])
        try:
            with Store(settings.store_path) as store:
                while not self.should_stop():
                    if self.budget.exhausted():
                        time.sleep(0.1)  # --max-messages reached: consume no more
                        continue
                    messages = consumer.consume(settings.batch_size, settings.poll_timeout)
                    messages = messages[: self.budget.claim(len(messages))]
                    if not messages:
                        continue
                    self.process(messages, store)
                    # report the batch to the page at once, so a crash loses as little of the page as possible
                    self._flush_delta()
                    # only now, with the results persisted, may these offsets be committed
                    offsets = next_offsets(messages)
                    if offsets:
                        consumer.store_offsets(offsets=offsets)
        finally:
            self._flush_delta()
            self.dlq.close()  # the dead-letter producer exists only if a message needed it
            consumer.close()  # commits the stored offsets and leaves the group

    def _flush_delta(self) -> None:
        delta = self.delta.take()
        if delta is not None:
            self.emit(delta)

    def dead_letter(self, msg: Message, err: InvalidRecord) -> None:
        self.dlq.produce(msg.key(), msg.value(), self.settings.kafka.dlq_topic, dead_letter_headers(msg, err))

    def process(self, messages: list[Message], store: Store) -> None:
        """Score and persist one batch, and fold what was newly stored into the page's delta."""
        batch = self.prepare(messages)
        self.record(batch, store.insert(batch.rows))

    def prepare(self, messages: list[Message]) -> Batch:
        """Validate and score a batch into store rows; dead-letter what breaks the contract.

        Dead letters are flushed before this returns: the batch's offsets may be committed
        once its rows are persisted.
        """
        settings = self.settings
        score_fields = tweet_scorer(self.analyzer)  # scoring.score_tweet, its analyzer bound once
        batch = Batch(messages)
        rows = batch.rows
        extras = batch.extras
        dead = 0
        consumed = 0
        now = time.time()
        for msg in messages:
            error = msg.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    log.warning("worker %d: consume error: %s", self.index, error.str())
                continue
            consumed += 1
            try:
                tweet = parse_record(msg.value(), settings.max_text)
                polarity, subjectivity, w, score, label = score_fields(tweet.text, tweet.followers)
            except InvalidRecord as err:
                self.dead_letter(msg, err)
                dead += 1
                continue
            except Exception as exc:  # a bug must not stop the stream: set the message aside, say why
                log.exception("worker %d: could not score message at offset %s", self.index, msg.offset())
                self.dead_letter(msg, InvalidRecord("internal-error", f"{type(exc).__name__}: {exc}"))
                dead += 1
                continue
            ts_type, ts_ms = msg.timestamp()
            produced_at = ts_ms / 1000.0 if ts_type else None
            rows.append(
                (
                    tweet.id,
                    tweet.text,
                    tweet.created_at,
                    tweet.author,
                    tweet.author_id,
                    tweet.followers,
                    tweet.lang,
                    encode_keywords(tweet.keywords),
                    tweet.source,
                    polarity,
                    subjectivity,
                    w,
                    score,
                    label,
                    msg.partition(),
                    msg.offset(),
                    produced_at,
                    now,
                )
            )
            extras.append((tweet.keywords, score, polarity, label, produced_at))
        if dead and self.dlq.flush(30) > 0:
            raise RuntimeError("dead letters could not be delivered; not committing this batch")
        batch.consumed, batch.dead = consumed, dead
        return batch

    def record(self, batch: Batch, new_ids: set[str]) -> None:
        """Fold the newly stored rows of ``batch`` into the delta for the page."""
        rows = batch.rows
        stored_at = time.time()
        second = int(stored_at)
        delta = self.delta
        for row, (groups, score, polarity, label, produced_at) in zip(rows, batch.extras, strict=True):
            if row[0] not in new_ids:
                continue
            delta.add(second, groups, score, polarity, label)
            delta.add_author(row[3] or row[4], row[5], score)
            if produced_at is not None:
                delta.add_latency(stored_at - produced_at)
        for row in rows[-delta.recent_max :]:
            if row[0] in new_ids:
                delta.add_recent(
                    {
                        "id": row[0],
                        "text": row[1][:RECENT_TEXT_MAX],
                        "created_at": row[2],
                        "author": row[3],
                        "followers": row[5],
                        "keywords": row[7],
                        "polarity": row[9],
                        "subjectivity": row[10],
                        "score": row[12],
                        "label": row[13],
                        "scored_at": row[17],
                    }
                )
        stored = len(new_ids)
        delta.count(consumed=batch.consumed, stored=stored, duplicates=len(rows) - stored, dead=batch.dead)


def worker_main(
    index: int,
    settings: ListenerSettings,
    deltas: Connection,
    stop: Any,
    budget: Synchronized[int] | None,
    parent_pid: int,
) -> None:
    """Entry point of a worker process (module level, so ``spawn`` can import it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    terminated = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: terminated.set())
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s worker-{index} %(levelname)s %(message)s")

    def should_stop() -> bool:
        # stop when told, when terminated, or when the parent is gone (no orphans)
        return stop.is_set() or terminated.is_set() or os.getppid() != parent_pid

    Worker(index, settings, deltas.send, Budget(budget), should_stop).run()


@dataclass
class Summary:
    consumed: int = 0
    stored: int = 0
    duplicates: int = 0
    dead: int = 0
    seconds: float = 0.0
    workers: int = 0

    @property
    def rate(self) -> float:
        return self.consumed / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"consumed {self.consumed}, stored {self.stored}, duplicates ignored {self.duplicates}, "
            f"dead-lettered {self.dead} in {self.seconds:.1f}s ({self.rate:,.0f} tweets/s)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": self.rate}


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
        self.max_messages = max_messages
        self.processes: list[SpawnProcess] = []
        self._drainer: threading.Thread | None = None
        self._draining = threading.Event()
        self._started = 0.0
        self._stopped = 0.0
        self._last_activity = 0.0
        self.restarts = 0

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> Listener:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, ensure: bool = True) -> None:
        try:  # open (and create) the store here, so a bad path is one clear error, not dying workers
            with Store(self.settings.store_path) as store:
                store.conn  # noqa: B018
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"can't open the store {self.settings.store_path} ({exc}); "
                              "pass a writable path with --store") from None
        if ensure:
            ensure_topics(self.settings.kafka)
        self._started = time.monotonic()
        self._draining.set()
        self._drainer = threading.Thread(target=self._drain, name="tweetpulse-deltas", daemon=True)
        self._drainer.start()
        self.processes = [self._spawn(i) for i in range(self.n_workers)]

    def _spawn(self, index: int) -> SpawnProcess:
        reader, writer = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(
            target=worker_main,
            name=f"tweetpulse-worker-{index}",
            args=(index, self.settings, writer, self._stop, self._budget, os.getpid()),
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
                delta = reader.recv()
            except Exception:  # the worker ended, or died in the middle of a message: its pipe is done
                with self._readers_lock:
                    self._readers.discard(reader)
                reader.close()
                continue
            self.aggregator.fold(delta)
        return bool(ready)

    # -- watching -------------------------------------------------------------------------
    def alive(self) -> int:
        return sum(p.is_alive() for p in self.processes)

    def check_workers(self) -> None:
        """Restart a worker that died (its partitions were rebalanced to the others meanwhile)."""
        if self._stop.is_set():
            return
        for i, process in enumerate(self.processes):
            if not process.is_alive() and self.restarts < self.max_restarts:
                log.warning("worker %d exited (code %s); restarting it", i, process.exitcode)
                self.restarts += 1
                self.processes[i] = self._spawn(i)

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
        )

    def wait(
        self,
        duration: float | None = None,
        idle_exit: float | None = None,
        on_tick: Callable[[Summary], None] | None = None,
        tick: float = 0.5,
    ) -> Summary:
        """Block until ``max_messages`` are handled, ``duration`` passes, or ``idle_exit`` seconds
        go by with nothing new. Ctrl-C / a kernel interrupt ends the wait; the caller stops."""
        start = time.monotonic()
        last_seen = -1
        last_change = start
        while True:
            time.sleep(tick)
            now = time.monotonic()
            self.check_workers()
            if not self.alive() and self.restarts >= self.max_restarts:
                raise ListenerFailed(f"every worker exited and {self.restarts} restarts were used up; "
                                     "the log above says why")
            summary = self.summary()
            if on_tick is not None:
                on_tick(summary)
            handled = summary.consumed
            if handled != last_seen:
                last_seen, last_change = handled, now
                self._last_activity = now
            if self.max_messages is not None and handled >= self.max_messages:
                return summary
            if duration is not None and now - start >= duration:
                return summary
            if idle_exit is not None and now - last_change >= idle_exit:
                return summary
