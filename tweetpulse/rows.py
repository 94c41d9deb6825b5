"""A poll batch to stored rows in one go: decode → validate → score → :class:`ScoredTweet`, batch-wise.

:func:`scored_rows` is a worker's hot path (:meth:`tweetpulse.worker.Worker.prepare`). Per poll
batch it makes one call to decode and validate every message value
(:func:`tweetpulse.models.records_fields`: the compiled core when built, else Python) and one call
to score every text (:func:`tweetpulse.scoring.batch_scorer`: the scorer's batch method), then
builds the rows. The rows are what the per-tweet rule gives (``record_fields`` + ``score_tweet``),
field for field: ``tests/unit/test_rows.py`` holds it to that.

A message that breaks the record contract comes back in ``rejected`` with its reason; so does one
whose scoring raised (a bug must not stop the stream): when the batch's scoring raises, the batch
is scored again tweet by tweet, and only the tweets that raise are set aside, as ``internal-error``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NamedTuple

from confluent_kafka import KafkaError, Message

from tweetpulse.errors import InvalidRecord
from tweetpulse.models import RecordFields, records_fields
from tweetpulse.scored import ScoredTweet
from tweetpulse.scoring import BatchScorer, ScoreFields, SentimentAnalyzer, batch_scorer

log = logging.getLogger(__name__)

_new = tuple.__new__  # builds a ScoredTweet from one tuple, without its Python-level __new__


class Rejected(NamedTuple):
    """A message of the batch that gives no row, and why (for the dead-letter policy)."""

    message: Message
    error: InvalidRecord


class Rows(NamedTuple):
    """What a poll batch gives: the rows, the messages set aside, and how many messages it held."""

    tweets: list[ScoredTweet]
    rejected: list[Rejected]
    consumed: int


def usable_messages(messages: Sequence[Message]) -> list[Message]:
    """The messages that carry a value (a consume error is logged, an end-of-partition event skipped)."""
    out = [m for m in messages if m.error() is None]
    if len(out) < len(messages):
        for m in messages:
            error = m.error()
            if error is not None and error.code() != KafkaError._PARTITION_EOF:
                log.warning("consume error: %s", error.str())
    return out


def scored_rows(
    messages: Sequence[Message], analyzer: SentimentAnalyzer, max_text: int, now: float, native: bool = True
) -> Rows:
    """The rows of a poll batch, scored by ``analyzer`` at ``now`` (see the module docs)."""
    usable = usable_messages(messages)
    decoded = records_fields([m.value() for m in usable], max_text, native=native)
    kept: list[Message] = []
    records: list[RecordFields] = []
    rejected: list[Rejected] = []
    for msg, fields in zip(usable, decoded, strict=True):
        if isinstance(fields, InvalidRecord):
            rejected.append(Rejected(msg, fields))
        else:
            kept.append(msg)
            records.append(fields)
    score = batch_scorer(analyzer)
    texts = [r.text for r in records]
    followers = [r.followers for r in records]
    try:
        scores: list[ScoreFields | None] = list(score(texts, followers))
    except Exception:  # a bug in the scorer: find the tweets it fails on, score the others
        scores = one_by_one(score, kept, texts, followers, rejected)
    scorer_name = analyzer.name
    tweets: list[ScoredTweet] = []
    append = tweets.append
    for msg, fields, scored in zip(kept, records, scores, strict=True):
        if scored is None:
            continue
        ts_type, ts_ms = msg.timestamp()
        # the record's fields are ScoredTweet's first columns, then the score's, then the message's
        # fmt: off
        append(_new(ScoredTweet, (
            *fields, *scored, msg.partition(), msg.offset(), ts_ms / 1000.0 if ts_type else None, now, scorer_name,
        )))
        # fmt: on
    return Rows(tweets, rejected, len(usable))


def one_by_one(
    score: BatchScorer,
    kept: Sequence[Message],
    texts: Sequence[str],
    followers: Sequence[int | None],
    rejected: list[Rejected],
) -> list[ScoreFields | None]:
    """Score tweet by tweet; a tweet whose scoring raises gets ``None`` and joins ``rejected``."""
    out: list[ScoreFields | None] = []
    for msg, text, count in zip(kept, texts, followers, strict=True):
        try:
            out.append(score((text,), (count,))[0])
        except Exception as exc:  # a bug must not stop the stream: set the message aside, say why
            log.exception("could not score message at offset %s", msg.offset())
            rejected.append(Rejected(msg, InvalidRecord("internal-error", f"{type(exc).__name__}: {exc}")))
            out.append(None)
    return out
