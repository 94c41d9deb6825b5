"""What a worker sends the page after each batch: a compact :class:`Delta` of the tweets it newly stored.

Workers never send every tweet to the page. Each one folds its newly stored tweets, one
:class:`~tweetpulse.records.ScoredTweet` at a time with :func:`fold`, into a :class:`DeltaBuilder`
(per-second, per-keyword-group sums, a few recent tweets, and the authors with the most influence
in the delta) and sends the delta down its own pipe to the listener, whose
:class:`~tweetpulse.live.aggregates.Aggregator` folds it in. The page that reads the store
(:mod:`tweetpulse.dashboard.standalone`) builds its deltas with the same :func:`fold`.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Sequence
from typing import Any, TypedDict

from tweetpulse.live.authors import ABS, AuthorEntry
from tweetpulse.live.groupcap import GroupCap
from tweetpulse.records import ScoredTweet

# one bucket: count, sum of score, sum of polarity, positives, negatives, neutrals
COUNT, SCORE, POLARITY, POS, NEG, NEU = range(6)
LABEL_SLOT = {"positive": POS, "negative": NEG, "neutral": NEU}
RECENT_TEXT_MAX = 280  # a recent tweet's text travels to the page cut to this length
Bucket = list[float]


class Delta(TypedDict, total=False):
    """One worker's news since its last delta (every key is optional to a reader: a delta may come from
    an older worker, or a test, with less)."""

    worker: int  # the worker's index
    buckets: list[tuple[int, str, Bucket]]  # (second, keyword group, bucket)
    recent: list[dict[str, Any]]  # the latest stored tweets, as rows of the page's table (recent_row)
    latencies: list[float]  # seconds from produce to stored, a bounded sample
    authors: tuple[int, list[tuple[Any, ...]]]  # (second, [(author, ABS, NET, TWEETS, FOLLOWERS)])
    counters: dict[str, int]  # consumed, stored, duplicates, dead
    sent_at: float  # unix seconds


def empty_bucket() -> Bucket:
    return [0, 0.0, 0.0, 0, 0, 0]


def add_counts(bucket: Bucket, label: str, count: int, score: float | None, polarity: float | None) -> None:
    """Add ``count`` tweets of ``label`` with these sums to ``bucket`` (an unknown label counts in no slot)."""
    bucket[COUNT] += count
    bucket[SCORE] += score or 0.0
    bucket[POLARITY] += polarity or 0.0
    slot = LABEL_SLOT.get(label)
    if slot is not None:
        bucket[slot] += count


def recent_row(tweet: ScoredTweet) -> dict[str, Any]:
    """What the page's latest-tweets table gets of a stored tweet."""
    return {
        "id": tweet.id,
        "text": (tweet.text or "")[:RECENT_TEXT_MAX],
        "created_at": tweet.created_at,
        "author": tweet.author,
        "followers": tweet.followers,
        "keywords": tweet.keywords,
        "polarity": tweet.polarity,
        "subjectivity": tweet.subjectivity,
        "score": tweet.score,
        "label": tweet.label,
        "scored_at": tweet.scored_at,
    }


class DeltaBuilder:
    """Worker side: accumulate newly stored tweets until the next :meth:`take`.

    ``authors_max`` bounds the authors a delta carries: only those with the largest
    ``sum(|score|)`` in the delta travel (a cheap top-K, computed once per delta). ``groups``
    bounds the keyword groups it keeps buckets for (:class:`~tweetpulse.live.groupcap.GroupCap`).
    """

    def __init__(
        self,
        worker: int,
        recent_max: int = 20,
        latency_max: int = 200,
        authors_max: int = 25,
        groups: GroupCap | None = None,
    ) -> None:
        self.worker = worker
        self.recent_max = recent_max
        self.latency_max = latency_max
        self.authors_max = authors_max
        self.groups = groups if groups is not None else GroupCap()
        self._reset()

    def _reset(self) -> None:
        self.buckets: dict[tuple[int, str], Bucket] = {}
        self.recent: deque[ScoredTweet | dict[str, Any]] = deque(maxlen=self.recent_max)
        self.latencies: list[float] = []
        self.authors: dict[str, AuthorEntry] = {}
        self.last_second = 0
        self.counters = {"consumed": 0, "stored": 0, "duplicates": 0, "dead": 0}

    def add(self, second: int, groups: list[str], score: float, polarity: float, label: str) -> None:
        slot = LABEL_SLOT[label]
        buckets = self.buckets
        self.last_second = second
        for group in self.groups.names(groups):
            key = (second, group)
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = empty_bucket()
            bucket[COUNT] += 1
            bucket[SCORE] += score
            bucket[POLARITY] += polarity
            bucket[slot] += 1

    def add_author(self, author: str | None, followers: int | None, score: float) -> None:
        """Count one stored tweet towards its author's influence (tweets scoring 0 change nothing)."""
        if not author or not score:
            return
        magnitude = score if score > 0 else -score
        entry = self.authors.get(author)
        if entry is None:
            self.authors[author] = [magnitude, score, 1, followers or 0]
        else:  # [ABS, NET, TWEETS, FOLLOWERS], by position: this runs once per stored tweet
            entry[0] += magnitude
            entry[1] += score
            entry[2] += 1
            if followers is not None:
                entry[3] = followers

    def add_recent(self, tweet: ScoredTweet | dict[str, Any]) -> None:
        """Keep ``tweet`` among the delta's recent ones (a stored tweet becomes a row in :meth:`take`)."""
        self.recent.append(tweet)

    def add_latency(self, seconds: float) -> None:
        if len(self.latencies) < self.latency_max:
            self.latencies.append(seconds)

    def count(self, **increments: int) -> None:
        for name, value in increments.items():
            self.counters[name] += value

    def take(self) -> Delta | None:
        """The delta since the last call (``None`` when nothing happened), and start afresh."""
        if not self.buckets and not any(self.counters.values()):
            return None
        authors = self.authors
        if len(authors) > self.authors_max:
            top = heapq.nlargest(self.authors_max, authors.items(), key=lambda item: item[1][ABS])
        else:
            top = list(authors.items())
        delta: Delta = {
            "worker": self.worker,
            "buckets": [(s, g, b) for (s, g), b in self.buckets.items()],
            "recent": [recent_row(t) if isinstance(t, ScoredTweet) else t for t in self.recent],
            "latencies": self.latencies,
            "authors": (self.last_second, [(name, *entry) for name, entry in top]),
            "counters": self.counters,
            "sent_at": time.time(),
        }
        self._reset()
        return delta


def fold(delta: DeltaBuilder, tweet: ScoredTweet, stored_at: float | None = None) -> None:
    """Count one newly stored tweet into ``delta``: :func:`fold_all` of one."""
    fold_all(delta, (tweet,), stored_at)


def fold_all(delta: DeltaBuilder, tweets: Sequence[ScoredTweet], stored_at: float | None = None) -> None:
    """Count newly stored tweets into ``delta``, in order: the one way the workers and the store follower do it.

    ``stored_at`` is when they were stored (unix seconds); its second is each tweet's bucket and
    ``stored_at - produced_at`` its latency. A reader of the store only knows ``scored_at``: the default.
    (A worker folds its whole batch in one call: the builder's methods are looked up once.)
    """
    add, add_author, latencies = delta.add, delta.add_author, delta.latencies
    room = delta.latency_max - len(latencies)
    for tweet in tweets:
        at = tweet.scored_at if stored_at is None else stored_at
        score = tweet.score
        add(int(at), tweet.keywords, score, tweet.polarity, tweet.label)
        add_author(tweet.author or tweet.author_id, tweet.followers, score)
        if room > 0 and tweet.produced_at is not None:
            latencies.append(at - tweet.produced_at)
            room -= 1
    if delta.recent_max:
        delta.recent.extend(tweets[-delta.recent_max :])
