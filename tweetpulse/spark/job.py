"""The driver of ``tweetpulse spark``: the session, the streaming query, its end and its summary.

The query (:func:`start_query`) reads the tweets topic with Spark's Kafka source and writes each
micro-batch through ``foreachBatch`` (:class:`BatchWriter`): the batch's partitions go to the
Python workers as Arrow batches (``mapInArrow`` with
:func:`tweetpulse.spark.partitions.process_partition`), which score, dead-letter and store them,
and only their counts come back.

Exactly once: Spark writes a micro-batch's offset range to the checkpoint's offset log before it
runs the batch and marks it done in the commit log only after ``foreachBatch`` returned. A driver
that dies in between leaves the batch uncommitted, and the next run on the same checkpoint runs the
same offset range again; the store ignores the ids it already has (``insert`` returns only the new
ones), so each tweet is stored once. Dead letters, like the listener's, are at least once: a
replayed batch sends its dead letters again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tweetpulse.errors import ConfigError, TweetpulseError
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.spark.partitions import COUNTS_SCHEMA, Counts, process_partition
from tweetpulse.spark.runtime import connector_jars
from tweetpulse.stores import host_local, masked

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.streaming import StreamingQuery

log = logging.getLogger(__name__)

CHECKPOINTS = Path("data") / "spark"
# the Kafka source refuses these consumer settings (it manages offsets and deserialization itself)
SOURCE_REFUSES = frozenset(
    {"group.id", "auto.offset.reset", "enable.auto.commit", "key.deserializer", "value.deserializer"}
)


class SparkJobFailed(TweetpulseError):
    """The streaming query stopped with an error; nothing of the batch it was running was committed."""


def default_checkpoint(topic: str, store: str) -> str:
    """``data/spark/<topic>-<hash of the store>``: one checkpoint per topic and store, so pointing the job
    at another store starts that store from ``--from`` instead of skipping what the first one got."""
    digest = hashlib.sha256(store.encode()).hexdigest()[:12]
    return str(CHECKPOINTS / f"{topic}-{digest}")


@dataclass(frozen=True)
class SparkJob:
    """Everything the driver needs: the listener's settings (Kafka, store, scorer, ``--from``), where the
    checkpoint is, the master, the trigger and Spark settings."""

    settings: ListenerSettings
    checkpoint: str
    master: str = field(default_factory=lambda: f"local[{os.cpu_count() or 1}]")
    trigger: float | None = None  # seconds between micro-batches; None: the next starts when one ends
    max_offsets_per_trigger: int | None = None
    conf: dict[str, str] = field(default_factory=dict)

    def session_conf(self) -> dict[str, str]:
        """The session's settings: ours, then the user's ``--conf`` (which win)."""
        store = self.settings.store_path
        if host_local(store) and not self.master.startswith("local"):
            raise ConfigError(
                f"--store {masked(store)} is a file on this host, which the executors of {self.master} can't share: "
                "use a postgresql:// store on a cluster (or --master local[N])"
            )
        conf = {
            "spark.app.name": "tweetpulse",
            "spark.master": self.master,
            "spark.ui.showConsoleProgress": "false",
            "spark.log.level": "ERROR",
        }
        if not {"spark.jars", "spark.jars.packages"} & self.conf.keys():
            conf["spark.jars"] = ",".join(str(jar) for jar in connector_jars())
        return {**conf, **self.conf}


@dataclass
class SparkSummary:
    """What a run did (the same counts as ``listen``'s summary)."""

    consumed: int = 0
    stored: int = 0
    duplicates: int = 0
    dead: int = 0
    batches: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def rate(self) -> float:
        return self.consumed / self.seconds if self.seconds > 0 else 0.0

    def add(self, counts: Counts) -> None:
        with self.lock:
            self.consumed += counts.consumed
            self.stored += counts.stored
            self.duplicates += counts.duplicates
            self.dead += counts.dead
            self.batches += 1

    def line(self) -> str:
        return (
            f"consumed {self.consumed}, stored {self.stored}, duplicates ignored {self.duplicates}, "
            f"dead-lettered {self.dead} in {self.batches} micro-batches, {self.seconds:.1f}s "
            f"({self.rate:,.0f} tweets/s)"
        )

    def as_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in ("consumed", "stored", "duplicates", "dead", "batches")}
        return {**data, "seconds": self.seconds, "rate": self.rate}


class BatchWriter:
    """The ``foreachBatch`` function: the micro-batch's partitions scored and stored by the Python workers
    (:func:`~tweetpulse.spark.partitions.process_partition`), their counts added to ``summary``."""

    def __init__(self, settings: ListenerSettings, summary: SparkSummary) -> None:
        self.process = functools.partial(process_partition, settings)
        self.summary = summary

    def __call__(self, batch: DataFrame, epoch: int) -> None:
        rows = batch.mapInArrow(self.process, COUNTS_SCHEMA).collect()
        counts = Counts(*(sum(int(row[i]) for row in rows) for i in range(len(Counts._fields))))
        self.summary.add(counts)
        log.info("micro-batch %d: %s", epoch, counts)


def build_session(job: SparkJob) -> SparkSession:
    """A Spark session for ``job`` (a local master runs the Python workers on this interpreter)."""
    conf = job.session_conf()
    from pyspark.sql import SparkSession

    if job.master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local run's driver listens on this machine only
    # pyspark warns about pandas 3 wherever it checks pandas' version; the job hands Arrow batches to
    # the workers (mapInArrow) and uses no pandas path of pyspark
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def start_query(spark: SparkSession, job: SparkJob, summary: SparkSummary) -> StreamingQuery:
    """Start the streaming query: the tweets topic through :class:`BatchWriter`, checkpointed in ``job.checkpoint``."""
    kafka = job.settings.kafka
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", kafka.bootstrap_servers)
        .option("subscribe", kafka.topic)
        .option("startingOffsets", job.settings.start_from)
        .option("includeHeaders", "true")
    )
    for key, value in kafka.extra.items():
        if key in SOURCE_REFUSES:
            log.warning("-X %s is not passed to Spark's Kafka source: it sets that itself", key)
        else:
            reader = reader.option(f"kafka.{key}", value)
    if job.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(job.max_offsets_per_trigger))
    rows = reader.load().selectExpr(
        "key",
        "value",
        "topic",
        "partition",
        "offset",
        # the listener's produced_at: the message timestamp, when it has one
        "CASE WHEN timestampType >= 0 THEN unix_millis(timestamp) END AS produced_ms",
        "headers",
    )
    writer = rows.writeStream.foreachBatch(BatchWriter(job.settings, summary)).option(
        "checkpointLocation", job.checkpoint
    )
    if job.trigger:
        writer = writer.trigger(processingTime=f"{job.trigger} seconds")
    return writer.queryName("tweetpulse").start()


def wait(
    query: StreamingQuery,
    summary: SparkSummary,
    idle_exit: float | None,
    duration: float | None,
    stop: threading.Event,
    tick: int = 1,
) -> None:
    """Until ``duration`` passes, ``idle_exit`` seconds go by with nothing new and the source caught up,
    or ``stop`` is set (or the query stops: :func:`failure` says why)."""
    start = last_change = time.monotonic()
    seen = -1
    while not stop.is_set() and not query.awaitTermination(tick):
        now = time.monotonic()
        if summary.consumed != seen:
            seen, last_change = summary.consumed, now
        if duration is not None and now - start >= duration:
            return
        if idle_exit is not None and now - last_change >= idle_exit and caught_up(query):
            return


def caught_up(query: StreamingQuery) -> bool:
    """The query has started, runs no batch and its source has nothing new."""
    status = query.status
    started = query.lastProgress is not None or str(status["message"]).startswith("Waiting")
    return started and not status["isTriggerActive"] and not status["isDataAvailable"]


_OUR_ERROR = re.compile(r"^tweetpulse(?:\.\w+)+: (.+)$", re.MULTILINE)


def failure(text: str) -> str:
    """One line for a failed query: our own error's message when a Python worker raised one, else the first
    line of Spark's."""
    ours = _OUR_ERROR.findall(text)
    if ours:
        return str(ours[-1])
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return f"{first[:300]} (the Spark log above has the details)"


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event that Ctrl-C or SIGTERM sets (in the main thread), instead of interrupting a call into the JVM
    half-way; the previous handlers come back afterwards."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_spark(job: SparkJob, *, idle_exit: float | None = None, duration: float | None = None) -> SparkSummary:
    """Run the query until ``duration``, ``idle_exit`` or Ctrl-C / SIGTERM; stop it and the session (the
    batch running is finished or left uncommitted, never half-committed); return the counts."""
    summary = SparkSummary()
    spark = build_session(job)
    start = time.monotonic()
    try:
        with stop_on_signals() as stop:
            query = start_query(spark, job, summary)
            try:
                wait(query, summary, idle_exit, duration, stop)
            except Exception as exc:  # a failed query: StreamingQueryException (pyspark's, whatever its module)
                raise SparkJobFailed(f"the streaming query failed: {failure(str(exc))}") from None
            finally:
                if stop.is_set():
                    log.warning("stopping: a micro-batch still running is left uncommitted, the next run does it again")
                query.stop()
    finally:
        summary.seconds = time.monotonic() - start
        spark.stop()
    return summary
