"""A corpus of messages that break the tweet record contract, each with the reason it must get."""

from __future__ import annotations

import orjson

GOOD = {
    "v": 1,
    "id": "1",
    "text": "btc to the moon",
    "created_at": "2024-01-01T00:00:00Z",
    "author": "a",
    "author_id": "9",
    "followers": 10,
    "lang": "en",
    "keywords": ["bitcoin"],
    "source": "sample",
}


def with_(**changes: object) -> bytes:
    return orjson.dumps({**GOOD, **changes})


def without(*names: str) -> bytes:
    return orjson.dumps({k: v for k, v in GOOD.items() if k not in names})


# (kind, value, reason)
BAD_MESSAGES: list[tuple[str, bytes | None, str]] = [
    ("tombstone", None, "empty"),
    ("empty value", b"", "not-json"),
    ("random bytes", b"\xff\xfe\x00\x01", "not-utf8"),
    ("latin-1 text", '{"id": "1", "text": "café"}'.encode("latin-1"), "not-utf8"),
    ("truncated json", b'{"id": "1", "text": "abc', "not-json"),
    ("trailing garbage", b'{"id": "1", "text": "a"} extra', "not-json"),
    ("single quotes", b"{'id': '1', 'text': 'a'}", "not-json"),
    ("NaN literal", b'{"id": "1", "text": "a", "followers": NaN}', "not-json"),
    ("byte order mark", b'\xef\xbb\xbf{"id": "1", "text": "a"}', "not-json"),
    ("lone surrogate", b'{"id": "1", "text": "\\ud800"}', "not-json"),
    ("too deeply nested", b"[" * 2000 + b"]" * 2000, "not-json"),
    ("plain text", b"bitcoin to the moon", "not-json"),
    ("json array", b'[{"id": "1", "text": "a"}]', "not-object"),
    ("json string", b'"a tweet"', "not-object"),
    ("json number", b"42", "not-object"),
    ("json null", b"null", "not-object"),
    ("json true", b"true", "not-object"),
    ("unknown version", with_(v=2), "unknown-version"),
    ("version as string", with_(v="1"), "unknown-version"),
    ("version as float", with_(v=1.0), "unknown-version"),
    ("version as boolean", with_(v=True), "unknown-version"),
    ("missing id", without("id"), "missing-id"),
    ("null id", with_(id=None), "missing-id"),
    ("numeric id", with_(id=123), "bad-id"),
    ("empty id", with_(id=""), "bad-id"),
    ("list id", with_(id=["1"]), "bad-id"),
    ("blank id", with_(id="   "), "bad-id"),
    ("id with NUL", with_(id="1\x00"), "bad-id"),
    ("id with a line break", with_(id="1\n2"), "bad-id"),
    ("id over the cap", with_(id="9" * 257), "bad-id"),
    ("missing text", without("text"), "missing-text"),
    ("null text", with_(text=None), "missing-text"),
    ("numeric text", with_(text=3.14), "bad-text"),
    ("empty text", with_(text=""), "blank-text"),
    ("blank text", with_(text=" \n\t "), "blank-text"),
    ("object text", with_(text={"en": "hi"}), "bad-text"),
    ("text over the cap", with_(text="x" * 10_001), "text-too-long"),
    ("negative followers", with_(followers=-5), "bad-followers"),
    ("fractional followers", with_(followers=10.5), "bad-followers"),
    ("string followers", with_(followers="1000"), "bad-followers"),
    ("boolean followers", with_(followers=True), "bad-followers"),
    ("followers beyond 64 bits", b'{"id": "1", "text": "a", "followers": 9223372036854775808}', "bad-followers"),
    ("keywords as string", with_(keywords="bitcoin"), "bad-keywords"),
    ("keywords of numbers", with_(keywords=[1, 2]), "bad-keywords"),
    ("numeric author", with_(author=7), "bad-author"),
    ("numeric author_id", with_(author_id=9), "bad-author_id"),
    ("numeric created_at", with_(created_at=1700000000), "bad-created_at"),
    ("list lang", with_(lang=["en"]), "bad-lang"),
    ("object source", with_(source={"name": "x"}), "bad-source"),
]
