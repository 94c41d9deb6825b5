"""The dead letter's headers and size: unambiguous headers, and a trace that always fits."""

from __future__ import annotations

import hashlib

from confluent_kafka import Message

from tweetpulse.errors import InvalidRecord
from tweetpulse.pipeline.deadletter import RECORD_OVERHEAD, Headers, Letter, dead_letter_headers, fit, headers_size


def bad(value: bytes, headers: Headers | None = None, key: bytes | None = b"k") -> Message:
    return Message(topic="tweets", partition=2, offset=41, key=key, value=value, headers=headers)


def names(headers: list[tuple[str, str | bytes | None]]) -> list[str]:
    return [key for key, _ in headers]


def test_a_message_cannot_spoof_the_dead_letter_headers() -> None:
    spoofed: Headers = [("tweetpulse.reason", b"fine"), ("tweetpulse.source.offset", b"-7"), ("kind", b"x")]
    headers = dead_letter_headers(bad(b"junk", spoofed), InvalidRecord("not-json", "no"))
    ours = [key for key in names(headers) if key.startswith("tweetpulse.")]
    assert sorted(ours) == sorted(set(ours))  # each of ours exactly once
    values = dict(headers)
    assert values["tweetpulse.reason"] == b"not-json" and values["tweetpulse.source.offset"] == b"41"
    # the message's own are kept, under a name outside our namespace
    assert values["original.tweetpulse.reason"] == b"fine" and values["original.tweetpulse.source.offset"] == b"-7"
    assert values["kind"] == b"x"


def test_a_letter_that_fits_is_sent_whole() -> None:
    letter = Letter(b"k", b"v" * 1000, [("kind", b"a"), ("tweetpulse.reason", b"not-json")])
    assert fit(letter, 1_000_000) is letter


def size(letter: Letter) -> int:
    return len(letter.key or b"") + len(letter.value or b"") + headers_size(letter.headers)


def test_a_letter_too_large_is_cut_and_says_so() -> None:
    value = b"\x00\xff" * 1_000_000  # 2 MB
    headers = dead_letter_headers(bad(value, [("kind", b"big")]), InvalidRecord("not-utf8", "bytes 1-2"))
    sent = fit(Letter(b"k", value, headers), 1_000_000)
    assert size(sent) <= 1_000_000 - RECORD_OVERHEAD
    assert sent.value == value[: len(sent.value or b"")] and len(sent.value or b"") > 900_000
    marks = dict(sent.headers)
    assert marks["tweetpulse.truncated"] == b"2000000"
    assert marks["tweetpulse.sha256"] == hashlib.sha256(value).hexdigest().encode()
    assert marks["tweetpulse.reason"] == b"not-utf8" and marks["kind"] == b"big"


def test_headers_and_key_too_large_are_left_out_and_cut() -> None:
    own: Headers = [(f"h{i}", b"x" * 1000) for i in range(100)]
    headers = dead_letter_headers(bad(b"v", own), InvalidRecord("not-json", "no"))
    sent = fit(Letter(b"K" * 50_000, b"v" * 10, headers), 20_000)
    assert size(sent) <= 20_000 - RECORD_OVERHEAD
    marks = dict(sent.headers)
    assert marks["tweetpulse.headers.dropped"] == b"100" and marks["tweetpulse.reason"] == b"not-json"
    assert not any(key.startswith("h") for key in marks)
    assert sent.key is not None and sent.key == b"K" * len(sent.key)
