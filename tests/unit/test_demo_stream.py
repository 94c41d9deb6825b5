"""The demo's data: composed on the fly (no loops, rarely a repeated text), in a fresh store per run."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from itertools import islice
from pathlib import Path

import pytest
from textblob import TextBlob

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.pipeline.demo import fresh_demo_store
from tweetpulse.records import record_from_dict
from tweetpulse.sources.composer import ComposedSource

N = 12_000


@pytest.fixture(scope="module")
def stream() -> list[dict[str, object]]:
    clock = iter(range(1_700_000_000_000, 1_800_000_000_000, 5))  # ms, 200 tweets per second
    source = ComposedSource(seed=7, clock=lambda: next(clock) / 1000)
    return [tweet.to_dict() for tweet in islice(source, N)]


def test_the_stream_does_not_loop(stream: list[dict[str, object]]) -> None:
    texts = [str(t["text"]) for t in stream]
    originals = [t for t in texts if not t.startswith("RT @")]
    # the bundled sample looped every 5,000 tweets: 12,000 tweets held each text two or three times
    assert len(set(texts)) / len(texts) > 0.85
    assert len(set(originals)) / len(originals) > 0.85
    assert Counter(originals).most_common(1)[0][1] <= 10  # a short plain sentence recurs now and then, as on X
    first, second = texts[: N // 2], texts[N // 2 :]
    assert len(set(first) & set(second)) < 0.05 * len(second)  # the second half is not the first again


def test_ids_are_unique_and_grow_with_time(stream: list[dict[str, object]]) -> None:
    ids = [int(str(t["id"])) for t in stream]
    assert len(set(ids)) == N and ids == sorted(ids)


def test_every_tweet_is_a_valid_record_about_a_coin(stream: list[dict[str, object]]) -> None:
    for raw in stream:
        tweet = record_from_dict(raw)
        assert tweet.keywords and tweet.keywords == KeywordMatcher().match(tweet.text)
        assert len(tweet.text) <= 280 and tweet.created_at and re.match(r"\d{4}-\d\d-\d\dT", tweet.created_at)
    assert Counter(k for t in stream for k in t["keywords"]).keys() == {"bitcoin", "ethereum", "dogecoin"}  # type: ignore[attr-defined]
    followers = [int(t["followers"]) for t in stream]  # type: ignore[call-overload]
    assert statistics.median(followers) < statistics.mean(followers) / 2  # heavy-tailed, like real accounts
    retweets = sum(str(t["text"]).startswith("RT @") for t in stream) / N
    assert 0.05 < retweets < 0.15


def test_the_most_positive_tweets_are_different_tweets(stream: list[dict[str, object]]) -> None:
    """The analysis notebook's "most positive" table was one giveaway tweet ten times."""
    import math

    scored = sorted(
        stream[:4000],
        key=lambda t: math.log(int(t["followers"]) + 1) * TextBlob(str(t["text"])).sentiment.polarity,  # type: ignore[call-overload]
        reverse=True,
    )
    top = [str(t["text"]).removeprefix("RT @") for t in scored[:10]]
    assert len(set(top)) >= 8


def test_a_seed_repeats_a_stream_and_no_seed_does_not() -> None:
    def texts(seed: int | None) -> list[str]:
        return [t.text for t in islice(ComposedSource(seed=seed), 200)]

    assert texts(3) == texts(3)
    assert texts(3) != texts(4)
    assert texts(None) != texts(None)


def test_close_ends_the_stream() -> None:
    source = ComposedSource(seed=1)
    seen = 0
    for _ in source:
        seen += 1
        if seen == 10:
            source.close()
    assert seen == 10


def test_each_demo_run_gets_a_fresh_store_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "data" / "demo.db"
    assert fresh_demo_store(store) == str(store)
    assert "a fresh store" in capsys.readouterr().out and not store.exists()
    store.parent.mkdir()
    for run in ("one", "two"):
        store.write_text(run)
        Path(f"{store}-wal").write_text(f"{run}-wal")
        fresh_demo_store(store)
        out = capsys.readouterr().out
        assert f"a fresh store {store}" in out and "demo.previous.db" in out and "--store" in out
        assert not store.exists() and not Path(f"{store}-wal").exists()
    previous = tmp_path / "data" / "demo.previous.db"
    assert previous.read_text() == "two" and Path(f"{previous}-wal").read_text() == "two-wal"  # one run kept
