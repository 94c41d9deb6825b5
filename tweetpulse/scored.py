"""The scored tweet: what a worker makes of one record, what a store keeps, what the page folds.

:class:`ScoredTweet` is a named record in the store's column order, so a store writes it as it
is and reads it back the same way; nothing outside a store's own SQL reads it by position.
"""

from __future__ import annotations

from typing import NamedTuple


class ScoredTweet(NamedTuple):
    """One scored tweet, fields in the store's column order."""

    id: str
    text: str
    created_at: str | None
    author: str | None
    author_id: str | None
    followers: int | None
    lang: str | None
    keywords: list[str]  # names of the keyword groups the text matched
    source: str | None
    polarity: float
    subjectivity: float
    weight: float  # ln(followers + 1), 1.0 when followers is unknown
    score: float  # weight × polarity
    label: str  # positive, negative or neutral
    kafka_partition: int | None
    kafka_offset: int | None
    produced_at: float | None  # the Kafka message timestamp, unix seconds (None when it has none)
    scored_at: float  # unix seconds
    scorer: str = "textblob"  # the analyzer that scored it (its --scorer spec); last, so older stores gain it


COLUMNS: tuple[str, ...] = ScoredTweet._fields
