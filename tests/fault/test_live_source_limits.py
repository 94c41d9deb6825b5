"""Hostile live servers: the Bluesky (Jetstream + AppView) and Mastodon stand-ins
(tests/support/jetstream_server.py, mastodon_server.py: real websocket / HTTP on 127.0.0.1) send
what a broken or malicious server can, and the real client code keeps going, bounded and loud:

* follower counts past 2**64 and records the listener would dead-letter are fixed or skipped at
  the source (the record rule), never a crash;
* garbage rate-limit headers are ignored, not fatal to a background thread;
* a stream that says nothing, an event over the size limit, an endless event: a log line and a
  reconnect, never a silent hang or unbounded memory;
* the Mastodon token stays on the configured instance.
"""

from __future__ import annotations

import logging
import time
import tracemalloc
from typing import Any

import pytest

from tests.integration.test_streamer import read_topic
from tests.support.jetstream_server import T0, Connection, FakeAppView, FakeJetstream, identity_event, post_event
from tests.support.mastodon_server import TOKEN, FakeMastodon, make_status
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.pacing import Pacer
from tweetpulse.pipeline.streamer import stream
from tweetpulse.records import MAX_FOLLOWERS, Tweet, record_from_dict
from tweetpulse.sources.bluesky.jetstream import MAX_EVENT, MAX_HANDLE_CHARS, BlueskySource
from tweetpulse.sources.mastodon.source import MastodonSource

A, B, C = "did:plc:alice", "did:plc:bob", "did:plc:carol"


def take(source: BlueskySource | MastodonSource, n: int, timeout: float = 15.0) -> list[Tweet]:
    out: list[Tweet] = []
    started = time.monotonic()
    try:
        for tweet in source:
            out.append(tweet)
            if len(out) >= n or time.monotonic() - started > timeout:
                break
    finally:
        source.close()
    return out


def said(caplog: pytest.LogCaptureFixture, needle: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and needle in r.getMessage()]


def bluesky(jet: FakeJetstream, appview: FakeAppView | None = None, **kw: Any) -> BlueskySource:
    kw.setdefault("duration", 20)
    return BlueskySource(jet.url, appview.url if appview else None, backoff_scale=0.001, lang=None, **kw)


# --------------------------------------------------------------------------- the record rule (E, J)


@pytest.mark.parametrize("followers", [2**64, 2**64 + 7, MAX_FOLLOWERS + 1, -1])
def test_an_appview_count_out_of_range_is_unknown_not_a_crash(followers: int) -> None:
    events = [post_event(A, "a1", "bitcoin up", time_us=T0), post_event(B, "b1", "btc down", time_us=T0 + 1)]
    with (
        FakeJetstream(events=events) as jet,
        FakeAppView(profiles={A: ("alice.test", followers), B: ("bob.test", 5)}) as view,
    ):
        tweets = take(bluesky(jet, view, profile_wait=5.0), 2)

    assert [(t.id.rsplit("/", 1)[1], t.followers, t.author) for t in tweets] == [
        ("a1", None, "alice.test"),
        ("b1", 5, "bob.test"),
    ]
    for tweet in tweets:  # what the listener would get: every record passes its rule
        assert record_from_dict(tweet.to_dict()).id == tweet.id


@pytest.mark.parametrize("followers", [2**64, 2**63])
def test_a_mastodon_count_out_of_range_is_unknown_not_a_crash(followers: int) -> None:
    huge = make_status("101", "<p>bitcoin up</p>", tags=["btc"], followers=followers)
    fine = make_status("102", "<p>eth down</p>", tags=["eth"], followers=3)
    with FakeMastodon(statuses=[huge, fine]) as server:
        source = MastodonSource(server.url, None, transport="poll", poll_interval=0.05, duration=15)
        tweets = take(source, 2)

    assert sorted((t.id.rsplit("/", 1)[1], t.followers) for t in tweets) == [("101", None), ("102", 3)]
    assert all(record_from_dict(t.to_dict()) for t in tweets)


def test_a_count_past_2_64_reaches_the_topic_as_null_and_the_streamer_goes_on(kafka: KafkaConfig) -> None:
    huge = make_status("101", "<p>bitcoin up</p>", tags=["btc"], followers=2**64 + 1)
    fine = make_status("102", "<p>eth down</p>", tags=["eth"], followers=3)
    with FakeMastodon(statuses=[huge, fine]) as server:
        source = MastodonSource(server.url, None, transport="poll", poll_interval=0.05)
        summary = stream(source, kafka, Pacer(limit=2, duration=30), progress=False)

    assert summary.delivered == 2 and summary.failed == 0
    rows = {r.value["id"].rsplit("/", 1)[1]: r.value["followers"] for r in read_topic(kafka, expected=2)}
    assert rows == {"101": None, "102": 3}


def test_bluesky_posts_the_listener_would_dead_letter_are_skipped_and_counted() -> None:
    events = [
        post_event(A, "e1", "", time_us=T0),  # empty text
        post_event(A, "e2", "   \n", time_us=T0 + 1),  # only white space
        post_event(A, "bad\x00key", "bitcoin with a NUL in its id", time_us=T0 + 2),
        post_event(A, "line\nbreak", "bitcoin with a line break in its id", time_us=T0 + 3),
        post_event(A, "k" * 300, "bitcoin with a 300-character id", time_us=T0 + 4),
        post_event(A, "ok", "bitcoin, a good one", time_us=T0 + 5, created_at="2024-13-45T99:99:99.999Z"),
    ]
    with FakeJetstream(events=events) as jet:
        source = bluesky(jet)
        tweets = take(source, 1)

    assert [t.id for t in tweets] == [f"at://{A}/app.bsky.feed.post/ok"]
    assert tweets[0].created_at is None  # month 13, day 45, 99:99:99: not a time
    assert source.skipped.count == 5
    reasons = [reason for _, reason in source.skipped.examples]
    assert reasons[:2] == ["no text", "no text"] and all(r.startswith("id must be") for r in reasons[2:])


# --------------------------------------------------------------------------- AppView 429 with garbage headers (H)


@pytest.mark.parametrize(
    "headers",
    [
        {"ratelimit-reset": "²"},
        {"retry-after": "²"},
        {"ratelimit-reset": "9" * 400},
        {"ratelimit-reset": "soon", "retry-after": "-5"},
    ],
)
def test_a_429_with_garbage_reset_headers_keeps_the_profile_lookups_alive(headers: dict[str, str]) -> None:
    events = [post_event(A, "a1", "bitcoin up", time_us=T0), post_event(B, "b1", "btc down", time_us=T0 + 1)]
    with (
        FakeJetstream(events=events) as jet,
        FakeAppView(profiles={A: ("alice.test", 10), B: ("bob.test", 20)}) as view,
    ):
        view.fail_next(429, headers=headers)
        source = bluesky(jet, view, profile_wait=10.0)
        tweets = take(source, 2)

    assert [t.followers for t in tweets] == [10, 20]  # the lookup thread lived through the 429
    assert len(view.calls) >= 2


# --------------------------------------------------------------------------- a quiet or oversized Jetstream (H)


def test_a_jetstream_that_goes_quiet_is_noticed_and_reconnected(caplog: pytest.LogCaptureFixture) -> None:
    events = [post_event(A, "a1", "bitcoin up", time_us=T0), post_event(A, "a2", "btc down", time_us=T0 + 1)]
    plan = [Connection(count=1, then="hold")]  # connected, one post, then nothing at all
    with FakeJetstream(events=events, plan=plan) as jet, caplog.at_level(logging.INFO):
        source = bluesky(jet, idle_timeout=0.5)
        tweets = take(source, 2)

    assert [t.id[-2:] for t in tweets] == ["a1", "a2"]
    assert len(jet.requests) == 2 and jet.cursors()[1] is not None  # resumed, from the cursor
    assert len(said(caplog, "Jetstream sent nothing for 0.5s")) == 1


def test_an_event_over_the_size_limit_is_skipped_past(caplog: pytest.LogCaptureFixture) -> None:
    big = post_event(A, "big", "bitcoin " + "x" * (MAX_EVENT + 10), time_us=T0 + 2_000)
    events = [
        post_event(A, "a1", "bitcoin before", time_us=T0),
        big,
        post_event(A, "a2", "bitcoin after", time_us=T0 + 2_500),
        post_event(A, "a3", "btc later", time_us=T0 + 9_000),
    ]
    with FakeJetstream(events=events) as jet, caplog.at_level(logging.INFO):
        source = bluesky(jet)
        tweets = take(source, 3)

    assert [t.id[-2:] for t in tweets] == ["a1", "a2", "a3"]
    assert 2 <= len(jet.requests) <= 14  # one reconnect per doubling of the skip, not forever
    assert source.counts.oversized == len(jet.requests) - 1
    assert said(caplog, f"over {MAX_EVENT} bytes")


def test_identity_handles_are_capped_by_total_size() -> None:
    handle = "h" * 200  # a handle may have up to 253 characters
    events: list[Any] = [identity_event(f"did:plc:{i:06d}", handle, time_us=T0 + i) for i in range(40_000)]
    events.append(identity_event(C, "x" * 1_000_000, time_us=T0 + 50_000))  # not a handle: ignored
    events.append(post_event(B, "b1", "bitcoin", time_us=T0 + 60_000))
    with FakeJetstream(events=events) as jet:
        source = bluesky(jet)
        take(source, 1, timeout=60)

    kept = sum(len(did) + len(h) for did, h in source._handles.items())
    assert kept <= MAX_HANDLE_CHARS and source._handle_chars <= MAX_HANDLE_CHARS
    assert C not in source._handles and source._handles  # the cap keeps the newest, not nothing


# --------------------------------------------------------------------------- Mastodon (D, H)


def test_a_garbage_rate_limit_header_does_not_stop_the_poller() -> None:
    statuses = [make_status(str(100 + i), f"<p>bitcoin {i}</p>", tags=["btc"]) for i in range(3)]
    with FakeMastodon(statuses=statuses, timeline_headers={"X-RateLimit-Remaining": "²"}) as server:
        source = MastodonSource(server.url, None, transport="poll", poll_interval=0.05, duration=15)
        tweets = take(source, 3)

    assert len(tweets) == 3


def poll_with_link(server: FakeMastodon, link: str) -> list[Tweet]:
    """Poll ``server`` with the token while every page says ``Link: <link>; rel="next"``: the first
    poll takes one status, the second a full page of 40 (the one poll that would follow the link)."""
    server.statuses.append(make_status("100", "<p>bitcoin first</p>", tags=["btc"]))
    server.timeline_headers = {"Link": f'<{link}>; rel="next"'}
    source = MastodonSource(server.url, TOKEN, transport="poll", poll_interval=0.05, duration=10)
    tweets: list[Tweet] = []
    try:
        for tweet in source:
            tweets.append(tweet)
            if len(tweets) == 1:
                server.statuses.extend(
                    make_status(str(200 + i), f"<p>bitcoin {i}</p>", tags=["btc"]) for i in range(45)
                )
            if len(tweets) == 41:
                time.sleep(0.3)  # the paging that would follow the link is done by now
                break
    finally:
        source.close()
    return tweets


@pytest.mark.parametrize(
    "link",
    [
        "http://127.0.0.2:{port}/api/v1/timelines/tag/btc?max_id=1",  # another host
        "http://127.0.0.1:1/api/v1/timelines/tag/btc?max_id=1",  # another port
        "https://127.0.0.1:{port}/api/v1/timelines/tag/btc?max_id=1",  # another scheme
        "gopher://127.0.0.1:{port}/api/v1/timelines/tag/btc",
        "http://user:pw@127.0.0.1:{port}/api/v1/timelines/tag/btc",
    ],
)
def test_a_next_page_off_the_instance_is_refused_in_one_line(link: str, caplog: pytest.LogCaptureFixture) -> None:
    with FakeMastodon() as server, caplog.at_level(logging.INFO):
        port = server.url.rsplit(":", 1)[1]
        tweets = poll_with_link(server, link.format(port=port))
        calls = list(server.requests)

    assert len(tweets) == 41
    assert calls and all("max_id" not in path for path, _ in calls)  # never the link
    assert all(headers.get("Authorization") == f"Bearer {TOKEN}" for _, headers in calls)
    refused = said(caplog, "not following the tag timeline's next page")
    assert len(refused) == 1 and TOKEN not in refused[0]
    assert not said(caplog, "retrying")  # refused, not retried forever
    assert not said(caplog, "no access token")  # a token was given: the log must not say otherwise


def test_a_next_page_on_another_host_never_sees_the_token() -> None:
    with FakeMastodon() as server, FakeMastodon() as other:
        poll_with_link(server, f"{other.url}/api/v1/timelines/tag/btc?max_id=205".replace("127.0.0.1", "localhost"))

    assert other.requests == []  # the other host was never asked, so it never saw the token
    assert len(server.calls_to("/api/v1/timelines/tag/")) >= 2


def test_an_endless_server_sent_event_is_dropped_in_bounded_memory(caplog: pytest.LogCaptureFixture) -> None:
    flood = "data: " + "z" * 65_530 + "\n"  # 64 KiB data lines, and no blank line to end the event
    after = make_status("201", "<p>bitcoin after the flood</p>", tags=["btc"])
    script: list[Any] = [("raw", flood)] * 400 + [("raw", "\n"), ("update", after), "hold"]  # 25 MiB, then a post
    with FakeMastodon(sse_plan={"btc": [script]}) as server, caplog.at_level(logging.INFO):
        source = MastodonSource(server.url, TOKEN, transport="sse", groups={"bitcoin": ["btc"]}, duration=30, lang=None)
        tracemalloc.start()
        try:
            tweets = take(source, 1, timeout=30)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert [t.text for t in tweets] == ["bitcoin after the flood"]
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert len(said(caplog, "dropped a server-sent event over")) == 1
