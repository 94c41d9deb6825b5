"""What runs in Spark's Python workers: one micro-batch partition, scored and stored, as Arrow batches.

:func:`process_partition` is the ``mapInArrow`` function of ``tweetpulse spark``. Its input is the
Kafka source's rows as Arrow record batches (:data:`INPUT_COLUMNS`); each batch's rows become
message objects (:class:`KafkaRow`) and go through the listener worker's own batch code,
:func:`tweetpulse.pipeline.batch.prepare_batch`: each value through
:func:`tweetpulse.records.record_fields` (the record rule), the valid ones through
:func:`tweetpulse.scorers.scoring.score_texts` (the scorer, in one batch call), what breaks the
contract to :class:`tweetpulse.pipeline.deadletter.DeadLetterTopic` (the same ``tweetpulse.*``
headers, the same size rules), the dead letters flushed; then the tweets are inserted into the
store (ids already stored are ignored). It yields one row of counts per batch (:data:`COUNTS_SCHEMA`); nothing else
goes back to the driver.

A dead letter the topic did not acknowledge fails the task (:class:`DeadLettersLost`): the
micro-batch is not committed to the checkpoint, the query stops, and its next run does the batch
again. A store that can't be reached is waited for with the listener's backoff
(:func:`wait_for_store`). The scorer is built once per Python worker (:func:`worker_scorer`): Spark reuses its
Python workers from batch to batch.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast

from tweetpulse.errors import TweetpulseError
from tweetpulse.pipeline.batch import prepare_batch
from tweetpulse.pipeline.deadletter import DeadLetterPolicy, DeadLetterTopic, Headers
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.storewait import persist
from tweetpulse.scorers.scoring import Scorer, make_scorer
from tweetpulse.stores import TweetStore, open_store

if TYPE_CHECKING:
    import pyarrow as pa
    from confluent_kafka import Message

log = logging.getLogger(__name__)
T = TypeVar("T")

# the columns the query selects from the Kafka source, in this order (see tweetpulse.spark.job)
INPUT_COLUMNS = ("key", "value", "topic", "partition", "offset", "produced_ms", "headers")
COUNTS_SCHEMA = "consumed long, stored long, duplicates long, dead long"


class DeadLettersLost(TweetpulseError):
    """The dead-letter topic did not acknowledge some dead letters: the micro-batch must not be committed."""


class Counts(NamedTuple):
    """What one Arrow batch came to."""

    consumed: int
    stored: int
    duplicates: int
    dead: int


class KafkaRow:
    """One row of the Kafka source in the shape the listener's code reads a consumed message
    (:func:`tweetpulse.pipeline.batch.prepare_batch`, :class:`~tweetpulse.pipeline.deadletter.DeadLetterTopic`):
    ``error()``, ``value()``, ``key()``, ``headers()``, ``topic()``, ``partition()``, ``offset()``,
    ``timestamp()``. Its headers are read from the batch only when asked for (a dead letter)."""

    __slots__ = ("_batch", "_i", "_key", "_offset", "_partition", "_produced_ms", "_topic", "_value")

    def __init__(
        self,
        batch: pa.RecordBatch | None,
        i: int,
        key: bytes | None,
        value: bytes | None,
        topic: str,
        partition: int,
        offset: int,
        produced_ms: int | None,
    ) -> None:
        self._batch, self._i, self._key, self._value, self._topic = batch, i, key, value, topic
        self._partition, self._offset, self._produced_ms = partition, offset, produced_ms

    def error(self) -> None:
        return None  # the Kafka source delivers records, never errors in their place

    def key(self) -> bytes | None:
        return self._key

    def value(self) -> bytes | None:
        return self._value

    def headers(self) -> Headers:
        if self._batch is None:
            return []
        pairs = self._batch.column("headers")[self._i].as_py() or ()
        return [(h["key"], h["value"]) for h in pairs]

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def timestamp(self) -> tuple[int, int]:
        """As confluent-kafka gives it: (1, ms) with a create or log-append time, (0, -1) without."""
        return (0, -1) if self._produced_ms is None else (1, self._produced_ms)


def kafka_rows(batch: pa.RecordBatch) -> list[KafkaRow]:
    """The rows of an Arrow batch of :data:`INPUT_COLUMNS` as :class:`KafkaRow` messages."""
    columns = [batch.column(name).to_pylist() for name in INPUT_COLUMNS[:-1]]
    return [KafkaRow(batch, i, *row) for i, row in enumerate(zip(*columns, strict=True))]


@functools.cache
def _scorer(spec: str, neutral_band: float | None, cache_size: int) -> Scorer:
    return make_scorer(spec, neutral_band, cache_size=cache_size)


def worker_scorer(settings: ListenerSettings) -> Scorer:
    """The ``--scorer`` scorer of ``settings``, built once per Python worker (then reused)."""
    return _scorer(settings.scorer, settings.neutral_band, settings.cache_size)


def process_partition(settings: ListenerSettings, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function (bound to ``settings`` with :func:`functools.partial`)."""
    import pyarrow as pa

    dead_letters = DeadLetterTopic(settings.kafka)  # its producer is made only if a message needs it
    store = open_store(settings.store_path)
    try:
        wait_for_store(store.open)
        for batch in batches:
            counts = process_batch(settings, batch, store, dead_letters)
            yield pa.RecordBatch.from_pylist([counts._asdict()], schema=pa.schema(_COUNT_FIELDS))
    finally:
        store.close()
        dead_letters.close()


def wait_for_store(call: Callable[[], T]) -> T:
    """``call()`` on the store, waited for with the listener's backoff while the store is unreachable
    (:func:`tweetpulse.pipeline.storewait.persist`, told in the executor's log): the task waits, the micro-batch
    stays uncommitted until it succeeds, and stopping the query cancels the wait."""
    return persist(call, worker=_task_partition(), notify=lambda _notice: None, should_stop=lambda: False)


def _task_partition() -> int:
    from pyspark import TaskContext

    context = TaskContext.get()
    return context.partitionId() if context is not None else 0


_COUNT_FIELDS = [(name, "int64") for name in Counts._fields]


def process_batch(
    settings: ListenerSettings, batch: pa.RecordBatch, store: TweetStore, dead_letters: DeadLetterPolicy
) -> Counts:
    """Validate, score and dead-letter one Arrow batch of Kafka rows as a listener worker does
    (:func:`tweetpulse.pipeline.batch.prepare_batch`), then store it; return what it came to."""
    messages = cast("list[Message]", kafka_rows(batch))
    prepared = prepare_batch(messages, worker_scorer(settings), settings.max_text, dead_letters, time.time(), "spark")
    if prepared.stopped:
        first = prepared.stopped[0]
        raise DeadLettersLost(
            f"{len(prepared.stopped)} dead letter(s) not kept by {settings.kafka.dlq_topic}, the first from "
            f"{first.topic}[{first.partition}]@{first.offset}: {first.error}; nothing of this micro-batch "
            "was committed: fix the dead-letter topic, then start tweetpulse spark again"
        )
    tweets = prepared.tweets
    stored = len(wait_for_store(lambda: store.insert(tweets))) if tweets else 0
    return Counts(prepared.consumed, stored, len(tweets) - stored, prepared.dead)
