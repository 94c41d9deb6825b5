"""BlueskySource against local Jetstream and AppView stand-ins that speak the real protocols."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.jetstream_server import (
    T0,
    Connection,
    FakeAppView,
    FakeJetstream,
    account_event,
    delete_event,
    identity_event,
    like_event,
    post_event,
)
from tweetpulse.errors import SourceError
from tweetpulse.records import Tweet
from tweetpulse.sources.bluesky.jetstream import BlueskySource
from tweetpulse.sources.replay import ReplaySource

A, B, C = "did:plc:alice", "did:plc:bob", "did:plc:carol"


def timeline() -> list[Any]:
    return [
        identity_event(C, "carol.test", time_us=T0),
        post_event(A, "a1", "Bitcoin to the moon", time_us=T0 + 1_000_000, langs=["en"]),
        like_event(A, "l1", time_us=T0 + 1_500_000),
        post_event(B, "b1", "lunch was nice", time_us=T0 + 2_000_000, langs=["en"]),
        account_event(B, time_us=T0 + 2_500_000),
        post_event(B, "b2", "$ETH looking weak", time_us=T0 + 3_000_000, langs=["en", "de"]),
        delete_event(A, "a0", time_us=T0 + 3_500_000),
        post_event(A, "a1e", "bitcoin edit", time_us=T0 + 3_600_000, langs=["en"], operation="update"),
        b"{not json",
        post_event(C, "c1", "so much dogecoin", time_us=T0 + 4_000_000, langs=["de"]),
        post_event(C, "c2", "gm", time_us=T0 + 5_000_000, langs=["en"], tags=["doge"]),
    ]


def expected(followers: dict[str, int | None], authors: dict[str, str | None]) -> list[Tweet]:
    def post(did: str, rkey: str, text: str, keywords: list[str]) -> Tweet:
        return Tweet(
            id=f"at://{did}/app.bsky.feed.post/{rkey}",
            text=text,
            created_at="2024-09-09T19:46:02.102Z",
            author=authors.get(did),
            author_id=did,
            followers=followers.get(did),
            lang="en",
            keywords=keywords,
            source="bluesky",
        )

    return [
        post(A, "a1", "Bitcoin to the moon", ["bitcoin"]),
        post(B, "b2", "$ETH looking weak", ["ethereum"]),
        post(C, "c2", "gm", ["dogecoin"]),
    ]


@pytest.fixture
def appview() -> Iterator[FakeAppView]:
    with FakeAppView(profiles={A: ("alice.test", 120), B: ("bob.test", 0)}) as server:
        yield server


def collect(source: BlueskySource, n: int, timeout: float = 10.0) -> list[Tweet]:
    out: list[Tweet] = []
    started = time.monotonic()
    for tweet in source:
        out.append(tweet)
        if len(out) >= n or time.monotonic() - started > timeout:
            break
    source.close()
    return out


def test_posts_become_exact_records_and_the_rest_is_counted(appview: FakeAppView) -> None:
    with FakeJetstream(events=timeline()) as js:
        source = BlueskySource(js.url, appview.url, backoff_scale=0.01)
        got = collect(source, 3)
    # C is unknown to the AppView: followers null, the handle from its identity event
    assert got == expected({A: 120, B: 0}, {A: "alice.test", B: "bob.test", C: "carol.test"})
    counts = source.counts
    assert (counts.posts, counts.produced, counts.unmatched, counts.other_lang) == (5, 3, 1, 1)
    assert counts.ignored == 4  # like, account, delete, update (+ the identity below)
    assert source.skipped.count == 1 and "not JSON" in source.skipped.report()
    assert js.requests == ["/subscribe?wantedCollections=app.bsky.feed.post"]


def test_lang_any_keeps_every_language(appview: FakeAppView) -> None:
    with FakeJetstream(events=timeline()) as js:
        got = collect(BlueskySource(js.url, appview.url, lang=None), 4)
    assert [t.id.rsplit("/", 1)[1] for t in got] == ["a1", "b2", "c1", "c2"]
    assert got[2].lang == "de"


def test_a_dropped_connection_resumes_from_the_cursor_without_duplicates(appview: FakeAppView) -> None:
    # the first connection is cut after 6 events (the last, a delete, at T0 + 3.5 s); the second
    # starts 5 s before that
    plan = [Connection(6, "drop"), Connection(None, "hold")]
    with FakeJetstream(events=timeline(), plan=plan) as js:
        source = BlueskySource(js.url, appview.url, rewind=5.0, backoff_scale=0.01)
        got = collect(source, 3)
    assert got == expected({A: 120, B: 0}, {A: "alice.test", B: "bob.test", C: "carol.test"})
    assert js.cursors() == [None, T0 + 3_500_000 - 5_000_000]
    assert source.counts.duplicates == 2  # a1 and b2 were sent again after the resume
    assert source.counts.connections == 2 and source.live.retries == 1


def test_a_slow_appview_does_not_stall_the_stream() -> None:
    with FakeAppView(profiles={A: ("alice.test", 5)}, delay=3.0) as slow, FakeJetstream(events=timeline()) as js:
        source = BlueskySource(js.url, slow.url, profile_wait=0.3)
        started = time.monotonic()
        got = []
        for tweet in source:
            got.append(tweet)
            if len(got) == 3:
                break
        took = time.monotonic() - started
        source.close()
    assert [t.followers for t in got] == [None, None, None]
    assert took < 2.0, f"the stream waited {took:.1f}s for profiles"
    assert source.counts.no_followers == 3


def test_appview_rate_limit_and_errors_back_off_and_are_reported_once(
    appview: FakeAppView, caplog: pytest.LogCaptureFixture
) -> None:
    appview.rate_limit_next(reset_in=1)
    appview.fail_next(502, times=2)
    events = [
        post_event(A, "a1", "Bitcoin to the moon", time_us=T0, langs=["en"]),
        post_event(A, "a2", "btc again", time_us=T0 + 1, langs=["en"]),
    ]
    with caplog.at_level(logging.DEBUG, logger="tweetpulse"), FakeJetstream(events=events) as js:
        source = BlueskySource(js.url, appview.url, profile_wait=10.0, backoff_scale=0.01)
        got = collect(source, 2)
    assert [t.followers for t in got] == [120, 120]  # waited through the back-off, within the bound
    assert [len(call) for call in appview.calls] == [1, 1, 1, 1]  # 429, 502, 502, then the answer
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name == "tweetpulse.sources.bluesky.profiles"
    ]
    assert len(warnings) == 2, warnings  # the trouble once, and the recovery
    assert "rate-limits profile lookups (429)" in warnings[0] and "followers null meanwhile" in warnings[0]
    assert "answers profile lookups again" in warnings[1]


def test_profiles_are_batched_25_at_a_time_and_cached(appview: FakeAppView) -> None:
    dids = [f"did:plc:user{i:02d}" for i in range(30)]
    appview.profiles.update({did: (f"u{i}.test", i) for i, did in enumerate(dids)})
    events = [post_event(did, f"r{i}", f"bitcoin #{i}", time_us=T0 + i, langs=["en"]) for i, did in enumerate(dids)]
    events += [post_event(dids[0], "again", "more bitcoin", time_us=T0 + 100, langs=["en"])]
    with FakeJetstream(events=events) as js:
        got = collect(BlueskySource(js.url, appview.url, profile_wait=3.0), 31)
    assert [t.followers for t in got] == [*range(30), 0]
    assert all(len(call) <= 25 for call in appview.calls)
    assert sorted(did for call in appview.calls for did in call) == sorted(dids)  # each author asked once


def test_a_wrong_endpoint_is_one_clear_error() -> None:
    with (
        FakeJetstream(reject_status=404) as js,
        BlueskySource(js.url, None) as source,
        pytest.raises(SourceError, match=r"refused the Jetstream subscription \(404\): check --bluesky-url"),
    ):
        list(source)


def test_duration_ends_a_quiet_stream() -> None:
    with FakeJetstream(events=[]) as js:
        started = time.monotonic()
        assert list(BlueskySource(js.url, None, duration=0.5)) == []
    assert time.monotonic() - started < 3


def test_the_recording_replays_to_the_same_posts(appview: FakeAppView, tmp_path: Path) -> None:
    raw = tmp_path / "raw.jsonl"
    with FakeJetstream(events=timeline()) as js:
        got = collect(BlueskySource(js.url, appview.url, record_path=raw), 3)
    replayed = list(ReplaySource(raw))
    assert ReplaySource(raw).format == "jetstream-jsonl"
    assert [(t.id, t.text, t.created_at, t.keywords, t.lang) for t in replayed] == [
        (t.id, t.text, t.created_at, t.keywords, t.lang) for t in got
    ]
    assert {t.source for t in replayed} == {"replay:jetstream-jsonl"}
