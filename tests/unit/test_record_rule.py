"""The record rule applied at the source (issue 18 C/E/J) and the bounded readers of live feeds,
as pure functions: what each accepts, fixes, refuses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tweetpulse.records import (
    MAX_FOLLOWERS,
    MAX_ID,
    Tweet,
    fit_record,
    record_from_dict,
    redact_record,
    usable_followers,
)
from tweetpulse.secrets import forget_secret, register_secret
from tweetpulse.sources.base import SkippedRows, conform
from tweetpulse.sources.fields import iso_utc
from tweetpulse.sources.mastodon.poll import same_origin
from tweetpulse.sources.mastodon.sse import OVERSIZED, bounded_lines, sse_events

SECRET = "unit-secret-token-0123456789abcdef"
MASK = "…" + SECRET[-4:]


@pytest.fixture
def secret() -> Iterator[str]:
    register_secret(SECRET)
    yield SECRET
    forget_secret(SECRET)


@pytest.mark.parametrize(
    "value",
    ["2024-13-45T99:99:99.999Z", "2024-02-30T00:00:00Z", "2024-01-01T24:00:01Z", "2024-01-01 25:00:00", "x" * 80],
)
def test_a_time_that_is_not_a_real_time_is_none(value: str) -> None:
    assert iso_utc(value) is None


def test_real_times_keep_their_form() -> None:
    assert iso_utc("2024-09-09T19:46:02.102Z") == "2024-09-09T19:46:02.102Z"
    assert iso_utc("2024-02-29 23:59:59") == "2024-02-29T23:59:59Z"


@pytest.mark.parametrize(
    ("value", "kept"),
    [(0, 0), (MAX_FOLLOWERS, MAX_FOLLOWERS), (MAX_FOLLOWERS + 1, None), (2**64, None), (-1, None), (True, None)],
)
def test_follower_counts_out_of_range_are_unknown(value: object, kept: int | None) -> None:
    assert usable_followers(value) == kept


def test_fit_record_fixes_what_it_can_and_names_what_it_cannot() -> None:
    tweet = Tweet(id="1", text="bitcoin", followers=2**64, lang=7, keywords=["bitcoin", 3])  # type: ignore[arg-type,list-item]
    assert fit_record(tweet) is None
    assert (tweet.followers, tweet.lang, tweet.keywords) == (None, None, ["bitcoin"])
    assert record_from_dict(tweet.to_dict()).id == "1"  # what the listener accepts
    assert fit_record(Tweet(id="a\x00b", text="t")) is not None
    assert fit_record(Tweet(id="k" * (MAX_ID + 1), text="t")) is not None
    assert fit_record(Tweet(id="1", text="")) == "no text"


def test_conform_redacts_every_string_field_and_counts_what_it_refuses(secret: str) -> None:
    skipped = SkippedRows()
    tweet = Tweet(
        id=f"id-{secret}", text=f"t {secret}", author=f"a{secret}", author_id=secret, lang=secret, keywords=[secret]
    )
    assert conform(tweet, skipped, 1) is tweet
    assert secret not in repr(tweet.to_dict()) and tweet.author == f"a{MASK}" and tweet.id == f"id-{MASK}"
    assert conform(Tweet(id="x", text=" "), skipped, 7) is None
    assert skipped.count == 1 and skipped.examples == [(7, "no text")]


def test_redact_record_is_a_no_op_without_secrets() -> None:
    tweet = Tweet(id="1", text="plain")
    assert redact_record(tweet) is tweet and tweet.text == "plain"


def test_bounded_lines_drop_an_overlong_line_and_go_on() -> None:
    chunks = [b"ab", b"c\r\nde", b"f\n\n", b"x" * 30, b"y" * 30, b"\nok\n"]
    assert list(bounded_lines(chunks, 10)) == ["abc", "def", "", None, "ok"]


def test_an_event_over_the_limit_is_dropped_in_place() -> None:
    lines: list[str | None] = ["event: update", "data: aaaa", "data: bbbb", "data: cccc", "", "event: update"]
    events = list(sse_events(iter([*lines, "data: ok", ""]), max_event=12))
    assert events == [(OVERSIZED, ""), ("update", "ok")]
    assert list(sse_events(iter(["data: a", None, "data: b", "", "data: c", ""]))) == [
        (OVERSIZED, ""),
        ("message", "c"),
    ]


@pytest.mark.parametrize(
    ("url", "same"),
    [
        ("https://m.social/api/v1/x?max_id=1", True),
        ("https://m.social:443/api", True),
        ("https://M.SOCIAL/api", True),
        ("http://m.social/api", False),
        ("https://m.social.evil/api", False),
        ("https://evil/api?https://m.social", False),
        ("https://m.social:8443/api", False),
        ("https://u:p@m.social/api", False),
        ("gopher://m.social/api", False),
        ("https://m.social:99999/api", False),
        ("//m.social/api", False),
    ],
)
def test_same_origin(url: str, same: bool) -> None:
    assert same_origin(url, "https://m.social") is same
