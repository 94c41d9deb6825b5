"""The tweet record contract: encode, decode, and every way a message can break it."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from tests.support.bad_messages import BAD_MESSAGES, GOOD
from tweetpulse.errors import InvalidRecord
from tweetpulse.models import RecordFields, Tweet, parse_record, record_fields
from tweetpulse.scored import ScoredTweet


def test_round_trip() -> None:
    tweet = Tweet(id="42", text="héllo 🚀", followers=3, keywords=["bitcoin"], source="sample")
    assert parse_record(tweet.to_json()) == tweet
    assert orjson.loads(tweet.to_json())["v"] == 1


def test_minimal_record_gets_defaults() -> None:
    tweet = parse_record(b'{"id": "7", "text": ""}')
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


def test_record_fields_are_a_tweets_fields_and_the_first_columns_of_a_scored_tweet() -> None:
    names = tuple(f.name for f in dataclasses.fields(Tweet))
    assert RecordFields._fields == names == ScoredTweet._fields[: len(names)]


@pytest.mark.parametrize(
    "record",
    [
        {**GOOD, "followers": 12, "keywords": ["bitcoin"], "author": "a"},  # the fast path
        {**GOOD, "v": 1.0, "followers": None, "source": None},  # only record_from_dict accepts a float version
    ],
)
def test_record_fields_equal_the_parsed_tweets_fields(record: dict[str, object]) -> None:
    raw = orjson.dumps(record)
    fields = record_fields(raw)
    assert type(fields) is RecordFields
    assert fields == dataclasses.astuple(parse_record(raw))
