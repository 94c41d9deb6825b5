"""The tweet record contract: encode, decode, and every way a message can break it."""

from __future__ import annotations

import orjson
import pytest

from tweetpulse.errors import InvalidRecord
from tweetpulse.models import Tweet, parse_record

GOOD = {"v": 1, "id": "1", "text": "btc to the moon", "created_at": "2024-01-01T00:00:00Z", "author": "a",
        "author_id": "9", "followers": 10, "lang": "en", "keywords": ["bitcoin"], "source": "sample"}


def test_round_trip() -> None:
    tweet = Tweet(id="42", text="héllo 🚀", followers=3, keywords=["bitcoin"], source="sample")
    assert parse_record(tweet.to_json()) == tweet
    assert orjson.loads(tweet.to_json())["v"] == 1


def test_minimal_record_gets_defaults() -> None:
    tweet = parse_record(b'{"id": "7", "text": ""}')
    assert (tweet.followers, tweet.keywords, tweet.source) == (None, [], "unknown")


BAD: list[tuple[bytes | None, str]] = [
    (None, "empty"),
    (b"\xff\xfe\x00", "not-utf8"),
    (b"{not json", "not-json"),
    (b"", "not-json"),
    (b"[1, 2]", "not-object"),
    (b'"text"', "not-object"),
    (b"null", "not-object"),
    (orjson.dumps({**GOOD, "v": 2}), "unknown-version"),
    (orjson.dumps({**GOOD, "v": True}), "unknown-version"),
    (orjson.dumps({k: v for k, v in GOOD.items() if k != "id"}), "missing-id"),
    (orjson.dumps({**GOOD, "id": 5}), "bad-id"),
    (orjson.dumps({**GOOD, "id": ""}), "bad-id"),
    (orjson.dumps({k: v for k, v in GOOD.items() if k != "text"}), "missing-text"),
    (orjson.dumps({**GOOD, "text": ["a"]}), "bad-text"),
    (orjson.dumps({**GOOD, "text": "x" * 10_001}), "text-too-long"),
    (orjson.dumps({**GOOD, "followers": -1}), "bad-followers"),
    (orjson.dumps({**GOOD, "followers": 1.5}), "bad-followers"),
    (orjson.dumps({**GOOD, "followers": "10"}), "bad-followers"),
    (orjson.dumps({**GOOD, "followers": True}), "bad-followers"),
    (orjson.dumps({**GOOD, "keywords": "bitcoin"}), "bad-keywords"),
    (orjson.dumps({**GOOD, "keywords": [1]}), "bad-keywords"),
    (orjson.dumps({**GOOD, "author": 3}), "bad-author"),
    (orjson.dumps({**GOOD, "lang": ["en"]}), "bad-lang"),
    (orjson.dumps({**GOOD, "created_at": 1700000000}), "bad-created_at"),
    (orjson.dumps({**GOOD, "source": {}}), "bad-source"),
]


@pytest.mark.parametrize(("raw", "reason"), BAD)
def test_bad_records_name_their_reason(raw: bytes | None, reason: str) -> None:
    with pytest.raises(InvalidRecord) as info:
        parse_record(raw)
    assert info.value.reason == reason
    assert info.value.detail


def test_text_cap_is_configurable() -> None:
    raw = orjson.dumps({**GOOD, "text": "x" * 50})
    assert parse_record(raw, max_text=50).text == "x" * 50
    with pytest.raises(InvalidRecord):
        parse_record(raw, max_text=49)
