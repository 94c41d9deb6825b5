"""The tweet record contract: encode, decode, and every way a message can break it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest

from tests.support.bad_messages import BAD_MESSAGES, GOOD
from tweetpulse.errors import InvalidRecord
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import RecordFields, ScoredTweet, Tweet, parse_record, record_fields, usable_text
from tweetpulse.sources.replay import ReplaySource
from tweetpulse.sources.x.v2 import tweets_from_v2


def test_round_trip() -> None:
    tweet = Tweet(id="42", text="héllo 🚀", followers=3, keywords=["bitcoin"], source="sample")
    assert parse_record(tweet.to_json()) == tweet
    assert orjson.loads(tweet.to_json())["v"] == 1


def test_minimal_record_gets_defaults() -> None:
    tweet = parse_record(b'{"id": "7", "text": "a"}')
    assert (tweet.followers, tweet.keywords, tweet.source) == (None, [], "unknown")


@pytest.mark.parametrize(("kind", "raw", "reason"), BAD_MESSAGES, ids=[k for k, _, _ in BAD_MESSAGES])
def test_bad_records_name_their_reason(kind: str, raw: bytes | None, reason: str) -> None:
    with pytest.raises(InvalidRecord) as info:
        parse_record(raw)
    assert info.value.reason == reason
    assert info.value.detail


def test_text_cap_is_configurable() -> None:
    raw = orjson.dumps({**GOOD, "text": "x" * 50})
    assert parse_record(raw, max_text=50).text == "x" * 50
    with pytest.raises(InvalidRecord):
        parse_record(raw, max_text=49)


@pytest.mark.parametrize(
    ("kind", "raw", "reason"),
    [case for case in BAD_MESSAGES if case[1] is not None and case[1].startswith(b"{")],
    ids=[k for k, raw, _ in BAD_MESSAGES if raw is not None and raw.startswith(b"{")],
)
def test_replay_skips_exactly_what_the_listener_dead_letters(
    kind: str, raw: bytes, reason: str, tmp_path: Path
) -> None:
    """One rule: a JSONL dataset row the listener would dead-letter is skipped by the replay, and
    the good row after it is replayed."""
    dataset = tmp_path / "rows.jsonl"
    dataset.write_bytes(raw + b"\n" + orjson.dumps({**GOOD, "id": "good"}) + b"\n")
    source = ReplaySource(dataset, fmt="jsonl")
    assert [t.id for t in source] == ["good"]
    assert source.skipped.count == 1


@pytest.mark.parametrize("text", ["", " ", "\n\t "])
def test_x_v2_items_with_blank_text_are_refused_as_the_listener_would(text: str) -> None:
    got = tweets_from_v2({"data": [{"id": "5", "text": text}]}, source="x:poll", matcher=KeywordMatcher({}))
    assert got.tweets == [] and got.problems == ["no text"]
    assert not usable_text(text)


def test_record_fields_are_a_tweets_fields_and_the_first_columns_of_a_scored_tweet() -> None:
    names = tuple(f.name for f in dataclasses.fields(Tweet))
    assert RecordFields._fields == names == ScoredTweet._fields[: len(names)]


@pytest.mark.parametrize(
    "record",
    [
        {**GOOD, "followers": 12, "keywords": ["bitcoin"], "author": "a"},  # the fast path
        {**GOOD, "followers": None, "source": None},  # the defaults filled in
    ],
)
def test_record_fields_equal_the_parsed_tweets_fields(record: dict[str, object]) -> None:
    raw = orjson.dumps(record)
    fields = record_fields(raw)
    assert type(fields) is RecordFields
    assert fields == dataclasses.astuple(parse_record(raw))
