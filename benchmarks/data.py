"""Realistic tweet records for the benchmarks, the same for the same seed.

Texts come from a pool of distinct texts:

* the seeded generated corpus (:func:`tests.support.corpus.generate_tweets` with no repeats of
  its own: templated crypto tweets and deliberately chaotic ones -- emoji, URLs, emoticons,
  negations, odd whitespace and punctuation);
* the 5,000 tweets of the bundled sample (:class:`tweetpulse.sources.sample.SampleSource`);
* the real tweets of ``../shared/data/twitter_validation_sample.csv`` when it is present.

A stream of ``n`` records then takes, for each record, with probability ``repeat_fraction`` (0.2)
a text already sent (a retweet: half the time one of the last 300, else any earlier one), and
otherwise the next fresh text of the pool; once the pool is used up, fresh texts get a unique
``https://t.co/...`` link appended, so they stay distinct (a scorer's cache only helps with the
real repeats, as in live traffic).

Authors: 20,000 accounts; activity is heavily skewed (a few accounts tweet a lot) and followers
are log-normal (median about 150, mean about 2,000, a few accounts with millions); 2% of records
have ``followers = null`` (a source that doesn't know). Keywords come from the default
:class:`~tweetpulse.keywords.KeywordMatcher`, as the streamer would set them.
"""

from __future__ import annotations

import csv
import functools
import math
import random
from collections.abc import Iterator
from pathlib import Path

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet, utc_now_iso

ROOT = Path(__file__).resolve().parents[1]
SHARED_CSV = ROOT.parent / "shared" / "data" / "twitter_validation_sample.csv"
SEED = 20240305
REPEAT_FRACTION = 0.2
GENERATED_POOL = 30_000
AUTHORS = 20_000
NULL_FOLLOWERS = 0.02
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _shared_csv_texts() -> list[str]:
    if not SHARED_CSV.is_file():
        return []
    with SHARED_CSV.open(encoding="utf-8", newline="") as fh:
        return [row[3] for row in csv.reader(fh) if len(row) >= 4 and row[3].strip()]


def _sample_texts() -> list[str]:
    from tweetpulse.sources.sample import SampleSource

    return [tweet.text for tweet in SampleSource(restamp=False)]


@functools.cache
def text_pool(seed: int = SEED) -> tuple[str, ...]:
    """The distinct texts records are drawn from (shuffled with ``seed``)."""
    from tests.support.corpus import generate_tweets

    texts = [*generate_tweets(GENERATED_POOL, seed=seed, repeat_fraction=0.0), *_sample_texts(), *_shared_csv_texts()]
    pool = list(dict.fromkeys(t for t in texts if t.strip()))
    random.Random(seed).shuffle(pool)
    return tuple(pool)


def pool_sources() -> dict[str, int]:
    """How many texts each source contributes (before de-duplication), for the results' settings."""
    return {"generated": GENERATED_POOL, "bundled_sample": len(_sample_texts()), "shared_csv": len(_shared_csv_texts())}


@functools.cache
def _authors(seed: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int | None, ...]]:
    rng = random.Random(seed + 1)
    names = tuple(f"user{i:05d}" for i in range(AUTHORS))
    ids = tuple(str(10**15 + i * 7919) for i in range(AUTHORS))
    followers = tuple(min(int(rng.lognormvariate(5.0, 2.3)), 200_000_000) for _ in range(AUTHORS))
    return names, ids, followers


def _link(rng: random.Random) -> str:
    return " https://t.co/" + "".join(rng.choices(_ALPHABET, k=10))


def tweets(n: int, seed: int = SEED, repeat_fraction: float = REPEAT_FRACTION, id_prefix: str = "b") -> Iterator[Tweet]:
    """``n`` tweet records (ids ``<id_prefix><seed>-<i>``, unique within the stream)."""
    rng = random.Random(seed)
    pool = text_pool(seed)
    names, author_ids, follower_counts = _authors(seed)
    match = KeywordMatcher().match
    created = utc_now_iso()
    sent: list[str] = []
    fresh = 0
    for i in range(n):
        if sent and rng.random() < repeat_fraction:
            text = rng.choice(sent[-300:] if rng.random() < 0.5 else sent)
        else:
            text = pool[fresh % len(pool)]
            if fresh >= len(pool):
                text += _link(rng)
            fresh += 1
        sent.append(text)
        a = int(AUTHORS * rng.random() ** 3)  # skewed activity: low indices tweet most
        followers = None if rng.random() < NULL_FOLLOWERS else follower_counts[a]
        yield Tweet(
            id=f"{id_prefix}{seed}-{i}",
            text=text,
            created_at=created,
            author=names[a],
            author_id=author_ids[a],
            followers=followers,
            lang="en",
            keywords=match(text),
            source="bench",
        )


def records(n: int, seed: int = SEED, id_prefix: str = "b") -> list[tuple[bytes, bytes]]:
    """``(key, value)`` pairs of ``n`` records, as they travel on the tweets topic."""
    return [(t.id.encode(), t.to_json()) for t in tweets(n, seed, id_prefix=id_prefix)]


def write_jsonl(path: Path, n: int, seed: int = SEED, id_prefix: str = "b") -> Path:
    """Write ``n`` records as a ``jsonl`` dataset (one tweet record per line)."""
    with path.open("wb", buffering=1 << 20) as out:
        for tweet in tweets(n, seed, id_prefix=id_prefix):
            out.write(tweet.to_json())
            out.write(b"\n")
    return path


def describe(values: list[tuple[bytes, bytes]] | None = None) -> dict[str, object]:
    """The data's settings for results.json (and, given records, their measured repeat share)."""
    info: dict[str, object] = {
        "seed": SEED,
        "repeat_fraction": REPEAT_FRACTION,
        "pool": pool_sources(),
        "authors": AUTHORS,
        "followers": "log-normal(mu=5.0, sigma=2.3) per author, 2% null",
    }
    if values:
        import orjson

        texts = [orjson.loads(v)["text"] for _, v in values]
        info["repeated_text_share"] = round(1 - len(set(texts)) / len(texts), 3)
        info["mean_text_chars"] = round(math.fsum(map(len, texts)) / len(texts), 1)
    return info
