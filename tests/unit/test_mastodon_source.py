"""MastodonSource against a local instance stand-in: websocket, server-sent events, tag polling."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.mastodon_server import TOKEN, FakeMastodon, Step, make_status
from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet
from tweetpulse.sources.mastodon.html import html_to_text
from tweetpulse.sources.mastodon.source import MastodonSource, hashtags, status_to_tweet
from tweetpulse.sources.replay import ReplaySource

BTC = make_status(
    "101",
    '<p>Bitcoin &amp; <a href="https://x.social/tags/btc" class="mention hashtag" rel="tag">'
    "#<span>btc</span></a> up!<br>second line</p><p>next</p>",
    tags=["btc", "bitcoin"],
    followers=7,
)
ETH = make_status("102", "<p>ETH is down</p>", tags=["eth"], acct="bob@other.social", followers=0)
DOGE_DE = make_status("103", "<p>Doge ist toll</p>", tags=["doge"], lang="de")
BOOST = make_status("104", "", tags=["btc"], reblog=BTC)


def record(status: dict[str, Any], text: str, keywords: list[str]) -> Tweet:
    account = status["account"]
    return Tweet(
        id=status["uri"],
        text=text,
        created_at="2024-05-01T12:00:00.000Z",
        author=account["acct"],
        author_id=account["url"],
        followers=account["followers_count"],
        lang=status["language"],
        keywords=keywords,
        source="mastodon",
    )


EXPECTED = [
    record(BTC, "Bitcoin & #btc up!\nsecond line\n\nnext", ["bitcoin"]),
    record(ETH, "ETH is down", ["ethereum"]),
]


def run(source: MastodonSource, n: int, timeout: float = 10.0) -> list[Tweet]:
    out: list[Tweet] = []
    source.duration = timeout
    for tweet in source:
        out.append(tweet)
        if len(out) >= n:
            break
    source.close()
    return out


def test_html_content_becomes_plain_text() -> None:
    assert (
        html_to_text(
            "<p>a &lt;b&gt; &#x1F680;<br/>c</p><p>d <span class='invisible'>https://</span><span>ex.com/x</span></p>"
        )
        == "a <b> \U0001f680\nc\n\nd https://ex.com/x"
    )
    assert html_to_text("<p>x<script>alert(1)</script></p>") == "x"
    assert html_to_text("plain") == "plain"


def test_hashtags_come_from_one_word_terms() -> None:
    assert hashtags({"bitcoin": ["bitcoin", "$btc", "#btc"], "x": ["two words"], "eth": ["eth"]}) == [
        "bitcoin",
        "btc",
        "eth",
    ]
    with pytest.raises(ConfigError, match="hashtag"):
        hashtags({"x": ["two words"]})


def test_a_boost_and_a_broken_status_make_no_record() -> None:
    matcher = KeywordMatcher()
    assert status_to_tweet(BOOST, matcher) == "boost"
    assert status_to_tweet({"content": "<p>btc</p>"}, matcher) == "status without uri/url"


def test_websocket_multiplexes_the_tags_and_drops_repeats_across_a_reconnect() -> None:
    plan: list[list[Any]] = [
        [("update", BTC), ("delete", "99"), ("status.update", BTC), ("update", DOGE_DE), "drop"],
        [("update", BTC), ("update", BOOST), ("update", ETH), "hold"],
    ]
    with FakeMastodon(ws_plan=plan) as server:
        source = MastodonSource(server.url, TOKEN, backoff_scale=0.01)
        got = run(source, 2)
    assert got == EXPECTED
    assert server.ws_paths[0] == "/api/v1/streaming?stream=hashtag&tag=bitcoin"
    assert server.ws_subscriptions[0] == ["bitcoin", "btc", "ethereum", "eth", "ether", "dogecoin", "doge"]
    counts = source.counts
    # BTC came once per matching subscription (bitcoin, btc) on both connections: 3 repeats
    assert (counts.duplicates, counts.boosts, counts.other_lang, counts.produced) == (3, 1, 1, 2)
    assert counts.other_events == 3  # the delete, and status.update once per subscription
    assert source.live.retries == 1


def test_sse_with_heartbeats_reconnects_after_a_drop() -> None:
    sse: dict[str, list[list[Step]]] = {
        "btc": [[("update", BTC), "thump", ("delete", "99"), "drop"], [("update", BTC), "thump", "hold"]],
        "eth": [["thump", 0.3, ("update", ETH), "hold"]],
    }
    with FakeMastodon(sse_plan=sse) as server:
        source = MastodonSource(server.url, TOKEN, transport="sse", backoff_scale=0.01)
        got = run(source, 2)
        time.sleep(0.3)  # the btc stream reconnects meanwhile
        calls = server.calls_to("/api/v1/streaming/hashtag?tag=btc")
    assert sorted(got, key=lambda t: t.id) == EXPECTED
    assert len(calls) == 2
    assert all(headers.get("Authorization") == f"Bearer {TOKEN}" for _, headers in server.requests)


def test_polling_uses_since_id_link_pages_and_the_rate_limit() -> None:
    with FakeMastodon(statuses=[BTC, DOGE_DE, BOOST]) as server:
        source = MastodonSource(server.url, None, poll_interval=0.2, backoff_scale=0.01, duration=15)
        got: list[Tweet] = []
        for tweet in source:
            got.append(tweet)
            if len(got) == 1:  # 45 new statuses arrive: more than one page of 40
                server.statuses.append({**ETH, "id": "105"})
                server.statuses.extend(make_status(str(200 + i), f"<p>btc {i}</p>", tags=["btc"]) for i in range(44))
                server.fail_next(429, headers={"X-RateLimit-Remaining": "0"})
            if len(got) == 46:
                break
        source.close()
    assert got[:2] == EXPECTED
    assert [t.text for t in got[2:]] == [f"btc {i}" for i in range(44)]  # oldest first, none missed
    polls = server.calls_to("/api/v1/timelines/tag/bitcoin")
    assert "since_id" not in polls[0] and "any%5B%5D=btc" in polls[0] and "limit=40" in polls[0]
    assert any("since_id=104" in p and "max_id=" in p for p in polls)  # the second page, down to since_id
    assert source.counts.duplicates == 0 and source.counts.other_lang == 1  # nothing read twice
    assert all("Authorization" not in headers for _, headers in server.requests)


def test_instances_that_hide_tag_timelines_get_one_clear_line() -> None:
    with (
        FakeMastodon(timelines_need_token=True) as server,
        pytest.raises(SourceError, match=r"only to signed-in users \(422\): set MASTODON_ACCESS_TOKEN"),
    ):
        run(MastodonSource(server.url, None), 1)


def test_a_bad_token_is_fatal_and_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    secret = "wrong-token-abcdefghijklmnop"
    with caplog.at_level(logging.DEBUG), FakeMastodon() as server:
        source = MastodonSource(server.url, secret)
        with pytest.raises(SourceError, match=r"refused the access token .* \(401\)") as info:
            run(source, 1)
    assert secret not in str(info.value)
    assert secret not in repr(source)
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")]  # not the stand-in
    assert all(secret not in message for message in ours)
    assert any("Authorization: Bearer …mnop" in message for message in ours)  # websockets logged it, masked


def test_streaming_needs_a_token() -> None:
    with pytest.raises(ConfigError, match="MASTODON_ACCESS_TOKEN"):
        MastodonSource("https://example.social", None, transport="websocket")


def test_the_recording_replays_to_the_same_records(tmp_path: Path) -> None:
    raw = tmp_path / "statuses.jsonl"
    with FakeMastodon(statuses=[BTC, ETH]) as server:
        got = run(MastodonSource(server.url, None, poll_interval=0.2, record_path=raw), 2)
    replayed = list(ReplaySource(raw))
    assert ReplaySource(raw).format == "mastodon-jsonl"
    for tweet in replayed:
        assert tweet.source == "replay:mastodon-jsonl"
        tweet.source = "mastodon"
    assert replayed == got
