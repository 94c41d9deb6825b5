"""Small stores written directly, for the analysis tests (no broker needed to have something stored)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tweetpulse.store import COLUMNS, ScoredTweet, Store

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
NOW = T0


def scored_tweet(i: int, scored_at: float = NOW, keywords: list[str] | None = None) -> ScoredTweet:
    """Scored tweet ``i``: some fields left unknown by ``i`` (author, followers, produced_at)."""
    return ScoredTweet(
        id=f"t{i}",
        text=f"text {i}",
        created_at=None if i % 5 == 0 else f"2023-11-14T22:{i % 60:02d}:00Z",
        author=None if i % 2 else f"user{i}",
        author_id=str(i),
        followers=None if i % 3 == 0 else i,
        lang="en",
        keywords=keywords if keywords is not None else ["bitcoin"],
        source="test",
        polarity=0.5,
        subjectivity=0.25,
        weight=1.0,
        score=0.5,
        label="positive",
        kafka_partition=i % 3,
        kafka_offset=i,
        produced_at=None if i % 4 == 0 else scored_at - 0.1,
        scored_at=scored_at,
    )


def stored_row(
    i: int, polarity: float, followers: int | None, keywords: list[str], author: str | None, seconds: float, label: str
) -> dict[str, Any]:
    w = 1.0 if followers is None else math.log(followers + 1)
    return {
        "id": f"t{i}",
        "text": f"tweet {i}",
        "created_at": None,
        "author": author,
        "author_id": None,
        "followers": followers,
        "lang": "en",
        "keywords": keywords,
        "source": "test",
        "polarity": polarity,
        "subjectivity": 0.5,
        "weight": w,
        "score": w * polarity,
        "label": label,
        "kafka_partition": 0,
        "kafka_offset": i,
        "produced_at": T0 + seconds,
        "scored_at": T0 + seconds,
        "scorer": "textblob",
    }


def write_store(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Insert ``rows`` (dicts by column name; columns the store doesn't have are ignored)."""
    with Store(path) as store:
        fields: list[dict[str, Any]] = [{column: row.get(column) for column in COLUMNS} for row in rows]
        store.insert([ScoredTweet(**f) for f in fields])
    return path
