"""What runs in Spark's Python workers: one micro-batch partition, scored and stored, as Arrow batches.

:func:`process_partition` is the ``mapInArrow`` function of ``tweetpulse spark``. Its input is the
Kafka source's rows as Arrow record batches (:data:`INPUT_COLUMNS`); for each batch it does what a
listener worker does with one consumed batch (:meth:`tweetpulse.worker.Worker.prepare` and
``process``), with the same code: each value through :func:`tweetpulse.models.record_fields` (the
record rule) and :func:`tweetpulse.scoring.tweet_scorer` (the scorer), what breaks the contract to
:class:`tweetpulse.deadletter.DeadLetterTopic` (the same ``tweetpulse.*`` headers, the same
size rules), the dead letters flushed, then the tweets inserted into the store (ids already
stored are ignored). It yields one row of counts per batch (:data:`COUNTS_SCHEMA`); nothing else
goes back to the driver.

A dead letter the topic did not acknowledge fails the task (:class:`DeadLettersLost`): the
micro-batch is not committed to the checkpoint, the query stops, and its next run does the batch
again. The analyzer is built once per Python worker (:func:`worker_analyzer`): Spark reuses its
Python workers from batch to batch.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from tweetpulse.deadletter import DeadLetterPolicy, DeadLetterTopic, Headers
from tweetpulse.errors import InvalidRecord, TweetpulseError
from tweetpulse.models import record_fields
from tweetpulse.scored import ScoredTweet
from tweetpulse.scoring import SentimentAnalyzer, make_analyzer, tweet_scorer
from tweetpulse.settings import ListenerSettings
from tweetpulse.stores import TweetStore, open_store

if TYPE_CHECKING:
    import pyarrow as pa
    from confluent_kafka import Message

log = logging.getLogger(__name__)

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
    """One row of the Kafka source in the shape :class:`~tweetpulse.deadletter.DeadLetterTopic` reads a
    consumed message: ``key()``, ``value()``, ``headers()``, ``topic()``, ``partition()``, ``offset()``."""

    __slots__ = ("_headers", "_key", "_offset", "_partition", "_topic", "_value")

    def __init__(
        self, key: bytes | None, value: bytes | None, topic: str, partition: int, offset: int, headers: Headers
    ) -> None:
        self._key, self._value, self._topic = key, value, topic
        self._partition, self._offset, self._headers = partition, offset, headers

    def key(self) -> bytes | None:
        return self._key

    def value(self) -> bytes | None:
        return self._value

    def headers(self) -> Headers:
        return self._headers

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset


@functools.cache
def _analyzer(scorer: str, neutral_band: float | None, cache_size: int) -> SentimentAnalyzer:
    return make_analyzer(scorer, neutral_band, cache_size=cache_size)


def worker_analyzer(settings: ListenerSettings) -> SentimentAnalyzer:
    """The ``--scorer`` analyzer of ``settings``, built once per Python worker (then reused)."""
    return _analyzer(settings.scorer, settings.neutral_band, settings.cache_size)


def process_partition(settings: ListenerSettings, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function (bound to ``settings`` with :func:`functools.partial`)."""
    import pyarrow as pa

    dead_letters = DeadLetterTopic(settings.kafka)  # its producer is made only if a message needs it
    try:
        with open_store(settings.store_path) as store:
            for batch in batches:
                counts = process_batch(settings, batch, store, dead_letters)
                yield pa.RecordBatch.from_pylist([counts._asdict()], schema=pa.schema(_COUNT_FIELDS))
    finally:
        dead_letters.close()


_COUNT_FIELDS = [(name, "int64") for name in Counts._fields]


def process_batch(
    settings: ListenerSettings, batch: pa.RecordBatch, store: TweetStore, dead_letters: DeadLetterPolicy
) -> Counts:
    """Validate, score, dead-letter and store one Arrow batch of Kafka rows; return what it came to."""
    analyzer = worker_analyzer(settings)
    score_fields = tweet_scorer(analyzer)
    scorer_name, max_text = analyzer.name, settings.max_text
    values = batch.column("value").to_pylist()
    partitions = batch.column("partition").to_pylist()
    offsets = batch.column("offset").to_pylist()
    produced = batch.column("produced_ms").to_pylist()
    tweets: list[ScoredTweet] = []
    dead = 0
    now = time.time()
    for i, raw in enumerate(values):
        try:
            fields = record_fields(raw, max_text)
            polarity, subjectivity, w, score, label = score_fields(fields.text, fields.followers)
        except Exception as exc:
            dead_letters(_message(batch, i), _invalid(exc, offsets[i]))
            dead += 1
            continue
        ms = produced[i]
        # fmt: off
        tweets.append(ScoredTweet(
            *fields, polarity, subjectivity, w, score, label,
            partitions[i], offsets[i], None if ms is None else ms / 1000.0, now, scorer_name,
        ))
        # fmt: on
    if dead:
        lost = dead_letters.flush()
        if lost:
            first = lost[0]
            raise DeadLettersLost(
                f"{len(lost)} dead letter(s) not kept by {settings.kafka.dlq_topic}, the first from "
                f"{first.topic}[{first.partition}]@{first.offset}: {first.error}; nothing of this micro-batch "
                "was committed: fix the dead-letter topic, then start tweetpulse spark again"
            )
    stored = len(store.insert(tweets)) if tweets else 0
    return Counts(len(values), stored, len(tweets) - stored, dead)


def _invalid(exc: Exception, offset: int) -> InvalidRecord:
    if isinstance(exc, InvalidRecord):
        return exc
    # a bug must not stop the stream: set the message aside, say why (as the listener's worker does)
    log.exception("could not score message at offset %s", offset)
    return InvalidRecord("internal-error", f"{type(exc).__name__}: {exc}")


def _message(batch: pa.RecordBatch, i: int) -> Message:
    """Row ``i`` of ``batch`` as the dead-letter policy reads a message (only dead rows pay for this)."""
    row: dict[str, Any] = {name: batch.column(name)[i].as_py() for name in INPUT_COLUMNS}
    headers: Headers = [(h["key"], h["value"]) for h in row["headers"] or ()]
    kafka_row = KafkaRow(row["key"], row["value"], row["topic"], row["partition"], row["offset"], headers)
    return cast("Message", kafka_row)
