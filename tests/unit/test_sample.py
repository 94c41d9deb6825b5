"""The bundled synthetic sample: loads, looks like a crypto stream, and is reproducible."""

from __future__ import annotations

import gzip
import importlib.util
import re
import statistics
import sys
from collections import Counter
from itertools import islice
from pathlib import Path
from types import ModuleType

import orjson
import pytest

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet, record_from_dict
from tweetpulse.sources.sample import SampleSource, sample_bytes

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_sample.py"
BUNDLED = ROOT / "tweetpulse" / "data" / "sample_tweets.jsonl.gz"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def raw_records() -> list[dict[str, object]]:
    return [orjson.loads(line) for line in gzip.decompress(sample_bytes()).splitlines()]


@pytest.fixture(scope="module")
def tweets() -> list[Tweet]:
    return list(SampleSource())


@pytest.mark.unit
def test_bundled_file_is_small_and_valid(raw_records: list[dict[str, object]]) -> None:
    assert BUNDLED.stat().st_size < 500_000
    assert len(raw_records) == 5000
    for raw in raw_records:
        tweet = record_from_dict(raw)
        assert tweet.source == "sample"
        assert tweet.keywords
        assert len(tweet.text) <= 280


@pytest.mark.unit
def test_source_loads_and_restamps(tweets: list[Tweet], raw_records: list[dict[str, object]]) -> None:
    source = SampleSource()
    assert source.name == "sample"
    assert len(tweets) == 5000
    assert len({t.id for t in tweets}) == 5000
    assert [t.id for t in tweets] == [r["id"] for r in raw_records]
    assert all(t.source == "sample" for t in tweets)
    # re-stamped with the replay time, not the file's 2024 times
    assert all(t.created_at and re.match(r"\d{4}-\d\d-\d\dT", t.created_at) for t in tweets)
    assert not any(t.created_at and t.created_at.startswith("2024-03-05") for t in tweets)
    assert list(source) and source.skipped.count == 0


@pytest.mark.unit
def test_file_times_span_hours_when_kept() -> None:
    times = [t.created_at or "" for t in SampleSource(restamp=False)]
    assert times == sorted(times)
    first, last = times[0], times[-1]
    assert first.startswith("2024-03-05T14:") and last.startswith("2024-03-05T16:")


@pytest.mark.unit
def test_about_a_fifth_are_retweets_or_duplicates(tweets: list[Tweet]) -> None:
    seen: set[str] = set()
    repeats = retweets = 0
    for tweet in tweets:
        text = tweet.text
        if text.startswith("RT @"):
            retweets += 1
            text = text.split(": ", 1)[1]
        repeats += text in seen
        seen.add(text)
    assert 0.15 <= repeats / len(tweets) <= 0.25
    assert 0.05 <= retweets / len(tweets) <= 0.15


@pytest.mark.unit
def test_followers_are_heavy_tailed(tweets: list[Tweet]) -> None:
    followers = sorted(t.followers for t in tweets if t.followers is not None)
    assert len(followers) == len(tweets)
    median = statistics.median(followers)
    assert 20 <= median <= 1000
    assert followers[-1] >= 1_000_000  # a few whales
    assert statistics.mean(followers) > 5 * median
    top = followers[-len(followers) // 100 :]
    assert sum(top) > 0.3 * sum(followers)  # the top 1% hold most of the reach


@pytest.mark.unit
def test_mix_of_coins_languages_and_styles(tweets: list[Tweet]) -> None:
    groups = Counter(k for t in tweets for k in t.keywords)
    assert set(groups) == {"bitcoin", "ethereum", "dogecoin"}
    assert min(groups.values()) > 500
    langs = Counter(t.lang for t in tweets)
    assert langs["en"] / len(tweets) > 0.85 and len(langs) >= 4
    texts = [t.text for t in tweets]
    for marker in ("$BTC", "#", "https://t.co/", "@", "🚀", "not ", "n't"):
        assert sum(marker in text for text in texts) > 50, marker
    assert len({t.author for t in tweets}) > 500


@pytest.mark.unit
def test_loop_ids_stay_unique_and_matcher_applies() -> None:
    source = SampleSource(matcher=KeywordMatcher({"doge": ["doge", "dogecoin"]}), loop=True)
    tweets = list(islice(source, 10_500))
    ids = [t.id for t in tweets]
    assert len(set(ids)) == len(ids)
    assert ids[5000].endswith("-r2") and ids[10_000].endswith("-r3")
    assert {k for t in tweets for k in t.keywords} == {"doge"}
    assert source.passes == 3


@pytest.mark.unit
def test_generation_is_deterministic() -> None:
    script = load_script()
    assert script.build_bytes() == BUNDLED.read_bytes() == sample_bytes()
    assert script.build_bytes(50, seed=1) == script.build_bytes(50, seed=1)
    assert script.build_bytes(50, seed=1) != script.build_bytes(50, seed=2)


@pytest.mark.unit
def test_close_ends_an_endless_sample() -> None:
    source = SampleSource(loop=True)
    tweets = iter(source)
    assert len(list(islice(tweets, 10))) == 10
    source.close()
    assert next(tweets, None) is None
