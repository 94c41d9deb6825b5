"""The MongoDB store's documents: a scored tweet as the document kept for it, and back; the per-author
fold for servers without ``$max`` in ``$group``; whether a writer's lease belongs to a process that is gone.
See :mod:`tweetpulse.stores.mongodb` for why each field is there."""

from __future__ import annotations

import datetime as dt
import math
import os
import socket
from collections.abc import Iterable
from typing import Any

from tweetpulse.records import COLUMNS, ScoredTweet

HOST = socket.gethostname()
TIMES = {"produced_at": "produced_s", "scored_at": "scored_s"}
READ = {c: 1 for c in COLUMNS if c not in TIMES} | {"produced_s": 1, "scored_s": 1}  # what makes a ScoredTweet


def _date(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def dead_here(lease: dict[str, Any]) -> bool:
    """A lease left by a process of this host that is gone (a killed worker): no need to wait out its TTL."""
    pid = lease.get("pid")
    if lease.get("host") != HOST or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def document(tweet: ScoredTweet, seq: int) -> dict[str, Any]:
    """``tweet`` as the document stored for it (see the module docstring for the extra fields)."""
    doc: dict[str, Any] = tweet._asdict()
    doc["_id"] = doc.pop("id")
    doc["produced_at"], doc["scored_at"] = _date(tweet.produced_at), _date(tweet.scored_at)
    second = math.floor(tweet.scored_at)
    doc.update(
        produced_s=tweet.produced_at,
        scored_s=tweet.scored_at,
        second=second,
        minute=second // 60 * 60,
        who=tweet.author if tweet.author is not None else tweet.author_id,
        abs_score=abs(tweet.score),
        followers0=tweet.followers or 0,
        latency=None if tweet.produced_at is None else tweet.scored_at - tweet.produced_at,
        seq=seq,
    )
    return doc


def scored_tweet(doc: dict[str, Any]) -> ScoredTweet:
    """A stored document back as the :class:`ScoredTweet` it was made from (exact times)."""
    values: dict[str, Any] = {c: doc.get(c) for c in COLUMNS}
    values["id"] = doc["_id"]
    values["produced_at"], values["scored_at"] = doc.get("produced_s"), doc["scored_s"]
    values["keywords"] = list(doc.get("keywords") or [])
    return ScoredTweet(**values)


def fold_authors(docs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per minute and author (``who``): sums of |score| and score, the count and the most followers."""
    folded: dict[tuple[int, str], dict[str, Any]] = {}
    for doc in docs:
        key = (int(doc["minute"]), str(doc["who"]))
        group = folded.setdefault(key, {"_id": {"m": key[0], "w": key[1]}, "a": 0.0, "net": 0.0, "n": 0, "f": 0})
        group["a"] += doc["abs_score"]
        group["net"] += doc["score"]
        group["n"] += 1
        group["f"] = max(group["f"], int(doc.get("followers0") or 0))
    return list(folded.values())
