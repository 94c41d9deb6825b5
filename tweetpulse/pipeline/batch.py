"""One poll batch from messages to scored rows: :func:`prepare_batch`, shared by the listener's
workers (:mod:`tweetpulse.pipeline.worker`) and ``tweetpulse spark``'s Python workers
(:mod:`tweetpulse.spark.partitions`).

With a scorer that has a compiled message path (:class:`~tweetpulse.scorers.scoring.MessageScorer`:
the default TextBlob scorer with the compiled core built), one call takes the batch from message
to row; the messages it leaves, and every message with another scorer, go through the Python path
(:func:`prepare_rows`): the values validated at once, scored at once, rows built. Both give the
same rows, bit for bit, and the same dead letters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from confluent_kafka import KafkaError, Message

from tweetpulse.errors import InvalidRecord
from tweetpulse.pipeline.deadletter import DeadLetterPolicy, Undelivered
from tweetpulse.records import RecordFields, ScoredTweet, records_fields
from tweetpulse.scorers.scoring import MessageScorer, ScoreFields, Scorer, score_texts

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Batch:
    """One consumed batch on its way to the store: its messages, and the tweets scored from them.

    ``messages`` are those whose offsets may be stored once the tweets are persisted: the
    partitions in ``stopped`` (a dead letter not kept) are taken out of it, and of the counts.
    """

    messages: Sequence[Message]
    tweets: list[ScoredTweet] = field(default_factory=list)
    consumed: int = 0
    dead: int = 0
    stopped: list[Undelivered] = field(default_factory=list)

    def hold_back(self, undelivered: list[Undelivered], dead_partitions: Sequence[int | None]) -> None:
        """Take the partitions of ``undelivered`` out of the batch: nothing of them is stored or committed."""
        held = {u.partition for u in undelivered}
        self.messages = [m for m in self.messages if m.partition() not in held]
        self.tweets = [t for t in self.tweets if t.kafka_partition not in held]
        self.consumed = sum(1 for m in self.messages if m.error() is None)
        self.dead -= sum(1 for p in dead_partitions if p in held)
        self.stopped = undelivered


def prepare_batch(
    messages: Sequence[Message],
    scorer: Scorer,
    max_text: int,
    dead_letter: DeadLetterPolicy,
    now: float,
    who: str = "worker",
) -> Batch:
    """Validate and score a batch; hand what breaks the contract to the dead-letter policy.

    Dead letters are flushed before this returns: the offsets of ``batch.messages`` may be
    committed once its tweets are persisted (a partition whose dead letter was not kept is
    taken out of the batch: see :meth:`Batch.hold_back`). ``now`` is the batch's ``scored_at``;
    ``who`` names the caller in log lines. The listener's workers and ``tweetpulse spark``'s
    Python workers (:mod:`tweetpulse.spark.partitions`) both prepare their batches here.
    """
    batch = Batch(messages)
    usable = []
    for msg in messages:
        error = msg.error()
        if error is None:
            usable.append(msg)
        elif error.code() != KafkaError._PARTITION_EOF:
            log.warning("%s: consume error: %s", who, error.str())
    batch.consumed = len(usable)
    dead_partitions: list[int | None] = []
    # the compiled engine takes the whole batch from message to row when the scorer has it
    # (TextBlobScorer.score_messages); what it leaves (None) goes through the Python path below
    compiled = None
    if isinstance(scorer, MessageScorer):
        try:
            compiled = scorer.score_messages(usable, max_text, now)
        except Exception:  # a bug there must not stop the stream: the Python path takes the batch
            log.exception("%s: the compiled batch path failed; the batch goes through the Python path", who)
    if compiled is None:
        rows = prepare_rows(usable, scorer, max_text, dead_letter, dead_partitions, now, who)
    else:
        left = [msg for msg, row in zip(usable, compiled, strict=True) if row is None]
        rest = iter(prepare_rows(left, scorer, max_text, dead_letter, dead_partitions, now, who) if left else ())
        rows = [next(rest) if row is None else row for row in compiled]  # in message order
    batch.tweets = [row for row in rows if row is not None]
    batch.dead = len(dead_partitions)
    if dead_partitions:
        undelivered = dead_letter.flush()
        if undelivered:
            batch.hold_back(undelivered, dead_partitions)
    return batch


def prepare_rows(
    messages: Sequence[Message],
    scorer: Scorer,
    max_text: int,
    dead_letter: DeadLetterPolicy,
    dead_partitions: list[int | None],
    now: float,
    who: str,
) -> list[ScoredTweet | None]:
    """Each message's row, in order, through the Python path: the values validated at once
    (:func:`tweetpulse.records.records_fields`: the compiled decoder when built), scored at once
    (:func:`score_records`); a message that breaks the contract, or whose scoring failed, goes to
    ``dead_letter`` with the reason, its partition to ``dead_partitions``, ``None`` to the rows."""
    rows: list[ScoredTweet | None] = []
    valid: list[tuple[int, Message, RecordFields]] = []
    for msg, fields in zip(messages, records_fields([m.value() for m in messages], max_text), strict=True):
        if isinstance(fields, InvalidRecord):
            dead_letter(msg, fields)
            dead_partitions.append(msg.partition())
            rows.append(None)
        else:
            valid.append((len(rows), msg, fields))
            rows.append(None)
    scorer_name = scorer.name
    for (at, msg, fields), scored in zip(valid, score_records(scorer, [f for _, _, f in valid], who), strict=True):
        if isinstance(scored, Exception):  # a bug must not stop the stream: set the message aside, say why
            dead_letter(msg, InvalidRecord("internal-error", f"{type(scored).__name__}: {scored}"))
            dead_partitions.append(msg.partition())
            continue
        ts_type, ts_ms = msg.timestamp()
        produced_at = ts_ms / 1000.0 if ts_type else None
        rows[at] = ScoredTweet.from_record(fields, scored, msg.partition(), msg.offset(), produced_at, now, scorer_name)
    return rows


def score_records(scorer: Scorer, records: Sequence[RecordFields], who: str) -> list[ScoreFields | Exception]:
    """The batch's scores in one call to the scorer; if that fails, each record again on its own, so
    only the ones that fail are set aside (with their exception)."""
    texts, followers = [r.text for r in records], [r.followers for r in records]
    try:
        return list(score_texts(scorer, texts, followers))
    except Exception:
        log.exception("%s: scoring a batch of %d failed; scoring it tweet by tweet", who, len(texts))
    out: list[ScoreFields | Exception] = []
    for text, count in zip(texts, followers, strict=True):
        try:
            out.extend(score_texts(scorer, [text], [count]))
        except Exception as exc:
            out.append(exc)
    return out
