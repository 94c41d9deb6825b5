"""The tweet record contract: encode, decode, and every way a message can break it."""

from __future__ import annotations

import orjson
import pytest

from tests.support.bad_messages import BAD_MESSAGES, GOOD
from tweetpulse.errors import InvalidRecord
from tweetpulse.models import Tweet, parse_record


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
