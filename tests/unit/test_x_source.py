"""The X API v2 sources against a local server speaking X's wire protocol (tests/support/x_server.py).

Everything goes through tweepy → requests → urllib3 over real HTTP/1.1 (chunked stream, keep-alives),
only the host differs (``api_base``). tweepy's backoff waits are kept but scaled down (``backoff_scale``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.support.x_server import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    SEARCH_PATH,
    STREAM_PATH,
    TOKEN,
    FakeXServer,
    StreamScript,
    not_enrolled_body,
    operational_disconnect_line,
    rate_limit_headers,
    too_many_connections_body,
    too_many_requests_body,
)
from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet
from tweetpulse.secrets import mask_token
from tweetpulse.sources.live import LiveStatus
from tweetpulse.sources.replay import ReplaySource
from tweetpulse.sources.x.credentials import load_bearer_token
from tweetpulse.sources.x.poll import XPollSource
from tweetpulse.sources.x.rules import build_rules
from tweetpulse.sources.x.stream import XStreamSource

pytestmark = pytest.mark.unit

GROUPS = {
    "bitcoin": ("bitcoin", "btc", "#bitcoin", "$btc"),
    "ethereum": ("ethereum", "eth", "ether", "$eth"),
    "dogecoin": ("dogecoin", "doge", "$doge"),
}
BTC_RULE = "(bitcoin OR btc OR #bitcoin OR $btc) lang:en -is:retweet"
MSG_401 = "X rejected the bearer token (401 Unauthorized): check X_BEARER_TOKEN / twitter_credentials.py"
MSG_NOT_ENROLLED = (
    "your X app is not attached to a Project with v2 access (client-not-enrolled): "
    "attach it in the developer portal, or replay a dataset with --source replay"
)
MSG_NOT_ENROLLED_STREAM = (
    "your X app is not attached to a Project with v2 access (client-not-enrolled): attach it in the developer "
    "portal (the filtered stream also needs the Pro level; with Basic use --x-mode poll), or replay a dataset "
    "with --source replay"
)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3
    while True:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not extra, f"threads left running: {[t.name for t in extra]}"


@pytest.fixture
def x() -> Iterator[FakeXServer]:
    with FakeXServer() as server:
        server.add_user("11", "alice", followers=1200)
        server.add_user("22", "bob", followers=5)
        server.add_tweet("100", "Bitcoin and #ethereum are both up today", "11", created_at="2024-03-01T12:00:00.000Z")
        server.add_tweet("101", "much $doge, very wow", "22", created_at="2024-03-01T12:00:01.000Z")
        server.add_tweet("102", "btc dipped again", "22", created_at="2024-03-01T12:00:02.000Z")
        yield server


class Statuses:
    """An on_status callback that keeps every snapshot."""

    def __init__(self) -> None:
        self.seen: list[LiveStatus] = []
        self._lock = threading.Lock()

    def __call__(self, status: LiveStatus) -> None:
        with self._lock:
            self.seen.append(status)

    @property
    def states(self) -> list[str]:
        with self._lock:
            return [s.state for s in self.seen]

    def retrying(self) -> list[LiveStatus]:
        with self._lock:
            return [s for s in self.seen if s.state == "retrying"]


def stream_source(x: FakeXServer, **kwargs: Any) -> XStreamSource:
    kwargs.setdefault("backoff_scale", 0.001)
    return XStreamSource(kwargs.pop("token", TOKEN), GROUPS, api_base=x.base_url, **kwargs)


def take(source: XStreamSource | XPollSource, n: int, timeout: float = 8.0) -> list[Tweet]:
    """Iterate until ``n`` tweets (or the timeout: then the source is closed and we get fewer)."""
    got: list[Tweet] = []
    timer = threading.Timer(timeout, source.close)
    timer.start()
    try:
        for tweet in source:
            got.append(tweet)
            if len(got) >= n:
                break
    finally:
        timer.cancel()
        timer.join()
        source.close()
    return got


# --------------------------------------------------------------------------- stream


def test_stream_yields_tweets_with_followers_and_keywords(x: FakeXServer) -> None:
    x.script_stream(StreamScript(["100", 0.05, "101"], fragment=True))
    statuses = Statuses()
    source = stream_source(x, on_status=statuses)

    tweets = take(source, 2)

    assert [t.id for t in tweets] == ["100", "101"]
    first, second = tweets
    assert first == Tweet(
        id="100",
        text="Bitcoin and #ethereum are both up today",
        created_at="2024-03-01T12:00:00.000Z",
        author="alice",
        author_id="11",
        followers=1200,
        lang="en",
        keywords=["bitcoin", "ethereum"],
        source="x:stream",
    )
    assert second.keywords == ["dogecoin"] and second.followers == 5 and second.author == "bob"
    (request,) = x.requests_to(STREAM_PATH)
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.query["expansions"] == "author_id"
    assert request.query["user.fields"] == "public_metrics"
    assert request.query["tweet.fields"] == "created_at,lang"
    assert statuses.states[:2] == ["connecting", "connected"]
    assert source.state == "disconnected" and statuses.states[-1] == "disconnected"
    assert source.retries == 0 and source.skipped.count == 0


def test_stream_reconnects_after_operational_disconnect(x: FakeXServer, caplog: pytest.LogCaptureFixture) -> None:
    x.script_stream(
        StreamScript(["100", operational_disconnect_line("Stream reset for maintenance")], then="close"),
        StreamScript(["102"]),
    )
    statuses = Statuses()
    source = stream_source(x, on_status=statuses)

    with caplog.at_level(logging.INFO, logger="tweetpulse.sources.x"):
        tweets = take(source, 2)

    assert [t.id for t in tweets] == ["100", "102"]
    assert x.stream_connections == 2
    assert source.retries == 1
    assert source.last_error is not None and "operational-disconnect: Stream reset for maintenance" in source.last_error
    assert statuses.states[:4] == ["connecting", "connected", "retrying", "connected"]
    assert statuses.retrying()[0].retry_in == 0
    assert any("reconnected" in r.getMessage() for r in caplog.records if r.name.startswith("tweetpulse.sources.x"))


def test_stream_reconnects_after_dropped_connection(x: FakeXServer) -> None:
    x.script_stream(StreamScript(["100"], then="abort"), StreamScript(["101"]))
    source = stream_source(x)

    tweets = take(source, 2)

    assert [t.id for t in tweets] == ["100", "101"]
    assert source.retries == 1
    assert source.last_error is not None and "connection to X lost" in source.last_error


def test_stream_429_backs_off_with_tweepys_wait_and_says_so(x: FakeXServer) -> None:
    x.fail_next(STREAM_PATH, 429, too_many_connections_body(), rate_limit_headers(reset_in=60))
    x.script_stream(StreamScript(["100"]))
    statuses = Statuses()
    source = stream_source(x, on_status=statuses)

    tweets = take(source, 1)

    assert [t.id for t in tweets] == ["100"]
    assert len(x.requests_to(STREAM_PATH)) == 2
    (retry,) = statuses.retrying()
    assert retry.retry_in == 60  # tweepy's first 429 wait
    assert retry.last_error is not None
    assert retry.last_error.startswith("rate limited (429 TooManyConnections")
    assert retry.last_error.endswith("retrying in 60s")
    assert source.retries == 1


def test_stream_close_interrupts_a_long_backoff(x: FakeXServer) -> None:
    x.fail_next(STREAM_PATH, 503, {"title": "Service Unavailable"}, times=5)
    statuses = Statuses()
    source = stream_source(x, on_status=statuses, backoff_scale=1.0)  # real 5 s wait
    source.start()
    deadline = time.monotonic() + 5
    while not statuses.retrying() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert statuses.retrying()[0].retry_in == 5
    started = time.monotonic()
    source.close()
    assert time.monotonic() - started < 1.5
    assert source.state == "disconnected"


def test_stream_gives_up_after_max_retries(x: FakeXServer) -> None:
    x.fail_next(STREAM_PATH, 503, {"title": "Service Unavailable", "detail": "try later"}, times=10)
    source = stream_source(x, max_retries=2)

    with pytest.raises(
        SourceError, match=r"gave up after 3 failed connection attempts \(last: X answered the stream request with 503"
    ):
        take(source, 1)
    assert len(x.requests_to(STREAM_PATH)) == 3


def test_malformed_lines_are_counted_and_skipped(x: FakeXServer) -> None:
    x.script_stream(StreamScript(["100", b"{not json", b"[1, 2]", b'{"data": {"id": "5"}}', b'{"meta": {}}', "101"]))
    source = stream_source(x)

    tweets = take(source, 2)

    assert [t.id for t in tweets] == ["100", "101"]
    assert source.skipped.count == 4
    assert [line for line, _ in source.skipped.examples] == [2, 3, 4, 5]
    reasons = [reason for _, reason in source.skipped.examples]
    assert reasons[0].startswith("not JSON") and reasons[1:] == [
        "not a JSON object",
        "no text",  # the shared v2 conversion's reason, the same as the x-v2-jsonl replay gives
        "neither data nor errors",
    ]
    assert x.stream_connections == 1  # the stream never stopped


def test_keywords_fall_back_to_the_text_without_tagged_rules(x: FakeXServer) -> None:
    untagged = b'{"data":{"id":"7","text":"$DOGE and eth","author_id":"99"},"matching_rules":[{"id":"1"}]}'
    x.script_stream(StreamScript([untagged]))
    source = XStreamSource(TOKEN, api_base=x.base_url)  # the default groups (tweetpulse.keywords)

    (tweet,) = take(source, 1)

    assert tweet.keywords == ["ethereum", "dogecoin"]
    assert tweet.followers is None and tweet.author is None and tweet.author_id == "99"
    assert sorted(r.get("tag", "") for r in x.rules.values()) == ["bitcoin", "dogecoin", "ethereum"]


def test_rules_are_replaced_not_piled_up(x: FakeXServer) -> None:
    stale_ids = x.set_rules(
        [("old OR stuff", "bitcoin"), (BTC_RULE, "bitcoin"), ("cats", None), (BTC_RULE + " x", "eth")]
    )

    first = stream_source(x)
    result = first.sync_rules()
    first.close()

    wanted = build_rules(GROUPS)
    assert sorted((r.get("tag"), r["value"]) for r in x.rules.values()) == sorted(wanted.items())
    assert stale_ids[1] in x.rules  # the identical rule was kept, not re-created
    assert result.kept == [BTC_RULE] and len(result.deleted) == 3 and len(result.added) == 2
    posts = len(x.requests_to("/2/tweets/search/stream/rules", "POST"))

    second = stream_source(x)
    again = second.sync_rules()
    second.close()

    assert again.deleted == [] and again.added == [] and len(again.kept) == 3
    assert len(x.rules) == 3
    assert len(x.requests_to("/2/tweets/search/stream/rules", "POST")) == posts  # nothing to change

    third = XStreamSource(TOKEN, GROUPS, include_retweets=True, api_base=x.base_url)
    changed = third.sync_rules()
    third.close()
    assert len(changed.deleted) == 3 and len(changed.added) == 3
    assert all("-is:retweet" not in r["value"] for r in x.rules.values())


def test_rule_values() -> None:
    rules = build_rules(GROUPS)
    assert rules["bitcoin"] == BTC_RULE
    assert rules["dogecoin"] == "(dogecoin OR doge OR $doge) lang:en -is:retweet"
    assert build_rules({"x": ["to the moon", "BTC", "btc"]}, lang=None, include_retweets=True) == {
        "x": '("to the moon" OR BTC)'
    }
    with pytest.raises(ConfigError):
        build_rules({"x": ()})
    with pytest.raises(ConfigError, match="over X's 512"):
        build_rules({"x": [f"word{i}" for i in range(100)]})


def test_stream_401_is_one_line(x: FakeXServer) -> None:
    source = stream_source(x, token="not-the-right-token-at-all")
    with pytest.raises(SourceError) as info:
        take(source, 1)
    assert str(info.value) == MSG_401
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_stream_403_not_enrolled_is_one_line(x: FakeXServer) -> None:
    x.not_enrolled = True
    source = stream_source(x)
    with pytest.raises(SourceError) as info:
        take(source, 1)
    assert str(info.value) == MSG_NOT_ENROLLED_STREAM


def test_stream_403_on_connect_stops_instead_of_retrying(x: FakeXServer) -> None:
    x.fail_next(STREAM_PATH, 403, not_enrolled_body(), times=10)
    statuses = Statuses()
    source = stream_source(x, on_status=statuses)
    with pytest.raises(SourceError) as info:
        take(source, 1)
    assert str(info.value) == MSG_NOT_ENROLLED_STREAM
    assert len(x.requests_to(STREAM_PATH)) == 1  # tweepy alone would retry forever
    assert statuses.states[-1] == "disconnected" and source.last_error == MSG_NOT_ENROLLED_STREAM


def test_stream_401_on_connect_is_one_line(x: FakeXServer) -> None:
    x.fail_next(STREAM_PATH, 401, {"title": "Unauthorized", "type": "about:blank", "status": 401})
    source = stream_source(x)
    with pytest.raises(SourceError) as info:
        take(source, 1)
    assert str(info.value) == MSG_401


def test_stream_usage_cap_is_fatal(x: FakeXServer) -> None:
    cap = {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap", "period": "Monthly"}
    x.fail_next(STREAM_PATH, 429, cap)
    source = stream_source(x)
    with pytest.raises(SourceError, match=r"^your X Project's monthly tweet cap is used up \(429 UsageCapExceeded"):
        take(source, 1)


def test_stream_record_path_keeps_raw_lines(x: FakeXServer, tmp_path: Path) -> None:
    record = tmp_path / "rec" / "raw.jsonl"
    x.script_stream(StreamScript(["100", "101", operational_disconnect_line()], then="close"), StreamScript(["102"]))
    source = stream_source(x, record_path=record)

    tweets = take(source, 3)

    assert [t.id for t in tweets] == ["100", "101", "102"]
    lines = record.read_bytes().splitlines()
    assert len(lines) == 4  # 3 tweets + the error line; no keep-alives
    query = x.requests_to(STREAM_PATH)[0].query
    assert lines[0] == x.render_stream_line("100", query)  # byte for byte what was sent
    objects = [orjson.loads(line) for line in lines]
    assert all(isinstance(o, dict) and ("data" in o or "errors" in o) for o in objects)
    assert objects[2]["errors"][0]["title"] == "operational-disconnect"
    assert [o["data"]["id"] for o in objects if "data" in o] == ["100", "101", "102"]
    _round_trip(record, tweets)


# Lines X could send that the live and the replay conversions once read differently: an offset
# time, an empty username and lang, a follower count as a string, a tag in another case, an int
# author id, a text over the cap, an item that is not an object, a tweet with no text. (A tweet
# without created_at, which X always sends when asked, is the one intended difference: the replay
# stamps it with the replay time.)
EDGE_LINES = [
    b'{"data":{"id":"7","text":"BTC up","author_id":"99","created_at":"2024-03-01T13:00:00+00:00","lang":""},'
    b'"includes":{"users":[{"id":"99","username":"","public_metrics":{"followers_count":"1200"}}]},'
    b'"matching_rules":[{"id":"1","tag":"Bitcoin"}]}',
    b'{"data":{"id":"8","text":"doge and eth","author_id":42,"created_at":"2024-03-01T13:00:01.250Z"},'
    b'"includes":{"users":[{"id":42,"username":"carol","public_metrics":{"followers_count":7.0}}]},'
    b'"matching_rules":[{"id":"2"}]}',
    b'{"data":{"id":"9","text":"' + b"b" * 10_001 + b'"}}',
    b'{"data":[{"id":"10","text":"eth page","created_at":"2024-03-01 13:00:02"},"not a tweet",{"id":"12"}]}',
]


def test_recorded_stream_replays_to_identical_tweets(x: FakeXServer, tmp_path: Path) -> None:
    """One X v2 conversion: what the live stream yields, its recording replays field by field."""
    record = tmp_path / "raw.jsonl"
    x.script_stream(StreamScript(["100", *EDGE_LINES, "101"]))
    source = stream_source(x, record_path=record)

    live = take(source, 5)

    assert [t.id for t in live] == ["100", "7", "8", "10", "101"]
    replay = ReplaySource(record, fmt="x-v2-jsonl", matcher=KeywordMatcher(GROUPS))
    replayed = list(replay)
    assert {t.source for t in replayed} == {"replay:x-v2-jsonl"} and {t.source for t in live} == {"x:stream"}
    assert [replace(t, source="x:stream") for t in replayed] == live  # every other field identical
    assert replay.skipped.examples == source.skipped.examples  # the same lines refused, for the same reasons
    assert [line for line, _ in source.skipped.examples] == [4, 5, 5]
    assert live[1] == Tweet(
        id="7",
        text="BTC up",
        created_at="2024-03-01T13:00:00Z",
        author_id="99",
        followers=1200,
        keywords=["bitcoin"],
        source="x:stream",
    )
    assert (live[2].author, live[2].author_id, live[2].followers, live[2].keywords) == (
        "carol",
        "42",
        7,
        ["ethereum", "dogecoin"],
    )


def _round_trip(record: Path, expected: list[Tweet]) -> None:
    """Replay the recording with the replay module and compare the records."""
    replayed = list(ReplaySource(record, fmt="x-v2-jsonl", matcher=KeywordMatcher(GROUPS)))
    assert [_comparable(t) for t in replayed] == [_comparable(t) for t in expected]


def _comparable(tweet: Tweet) -> dict[str, Any]:
    record = tweet.to_dict()
    record.pop("source")
    return record


# --------------------------------------------------------------------------- poll


def poll_source(x: FakeXServer, **kwargs: Any) -> XPollSource:
    kwargs.setdefault("backoff_scale", 0.001)
    kwargs.setdefault("interval", 0.01)
    return XPollSource(kwargs.pop("token", TOKEN), GROUPS, api_base=x.base_url, **kwargs)


def test_poll_pages_and_remembers_since_id(x: FakeXServer, tmp_path: Path) -> None:
    for i in range(25):
        x.add_tweet(str(1000 + i), f"btc tick {i}", "11")
    x.add_tweet("1030", "ether and bitcoin", "22")
    record = tmp_path / "poll.jsonl"
    source = poll_source(x, max_results=10, record_path=record)

    first = source.poll_once()

    ids = [t.id for t in first]
    assert ids == sorted(ids, key=int)  # oldest first
    assert set(ids) == {"100", "101", "102", *(str(1000 + i) for i in range(25)), "1030"}
    by_id = {t.id: t for t in first}
    assert by_id["1030"].keywords == ["bitcoin", "ethereum"]  # returned by both queries, yielded once
    assert by_id["100"].keywords == ["bitcoin", "ethereum"]
    assert by_id["101"].keywords == ["dogecoin"]
    assert by_id["1000"].followers == 1200 and by_id["1000"].author == "alice" and by_id["1000"].source == "x:poll"
    btc_requests = [r for r in x.requests_to(SEARCH_PATH) if r.query["query"] == BTC_RULE]
    assert len(btc_requests) == 3  # 28 hits, 10 per page
    assert "next_token" not in btc_requests[0].query and btc_requests[1].query["next_token"]
    assert btc_requests[0].query["expansions"] == "author_id"
    assert btc_requests[0].query["user.fields"] == "public_metrics"
    assert btc_requests[0].query["tweet.fields"] == "created_at,lang"
    assert source.since_ids == {"bitcoin": "1030", "ethereum": "1030", "dogecoin": "101"}

    x.add_tweet("1031", "new btc high", "11")
    x.add_tweet("1032", "eth gas fees", "22")
    second = take(source, 2)

    assert [(t.id, t.keywords) for t in second] == [("1031", ["bitcoin"]), ("1032", ["ethereum"])]
    latest = [r for r in x.requests_to(SEARCH_PATH) if r.query["query"] == BTC_RULE][-1]
    assert latest.query["since_id"] == "1030"
    pages = [orjson.loads(line) for line in record.read_bytes().splitlines()]
    assert len(pages) == source.pages and all("meta" in page for page in pages)
    assert sum(len(page.get("data", [])) for page in pages) == sum(p["meta"]["result_count"] for p in pages)
    # replayed: the same tweets (a tweet found by two queries is on two pages; pages are newest first)
    replayed = {t.id: t for t in reversed(list(ReplaySource(record, fmt="x-v2-jsonl", matcher=KeywordMatcher(GROUPS))))}
    assert sorted((_comparable(t) for t in replayed.values()), key=lambda r: int(r["id"])) == [
        _comparable(t) for t in first + second
    ]


def test_poll_waits_for_the_rate_limit_reset(x: FakeXServer) -> None:
    x.fail_next(SEARCH_PATH, 429, too_many_requests_body(), rate_limit_headers(reset_in=0))
    statuses = Statuses()
    source = poll_source(x, on_status=statuses, rate_limit_margin=0.05, max_polls=1)

    tweets = take(source, 10, timeout=5)

    assert [t.id for t in tweets] == ["100", "101", "102"]
    (retry,) = statuses.retrying()
    assert retry.last_error is not None and retry.last_error.startswith("rate limited by X on recent search (429")
    assert "retrying in" in retry.last_error and retry.retry_in is not None and retry.retry_in <= 1.1
    assert source.retries == 1 and source.state == "disconnected"


def test_poll_401_and_403_are_one_line(x: FakeXServer) -> None:
    with pytest.raises(SourceError) as info:
        take(poll_source(x, token="wrong-token-wrong-token"), 1)
    assert str(info.value) == MSG_401

    x.not_enrolled = True
    with pytest.raises(SourceError) as info:
        take(poll_source(x), 1)
    assert str(info.value) == MSG_NOT_ENROLLED


def test_poll_close_interrupts_the_interval(x: FakeXServer) -> None:
    source = poll_source(x, interval=60)
    got: list[Tweet] = []
    worker = threading.Thread(target=lambda: got.extend(source))
    worker.start()
    deadline = time.monotonic() + 5
    while len(got) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    source.close()
    worker.join(2)
    assert not worker.is_alive() and time.monotonic() - started < 1.5
    assert len(got) == 3


# --------------------------------------------------------------------------- credentials and secrets


def test_bearer_token_from_env_or_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, x: FakeXServer) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    assert load_bearer_token() is None

    creds = tmp_path / "twitter_credentials.py"
    creds.write_text('BEARER_TOKEN = "from-the-file-0123456789"\n')
    assert load_bearer_token() == "from-the-file-0123456789"

    monkeypatch.setenv("X_BEARER_TOKEN", "from-the-env-0123456789")
    assert load_bearer_token() == "from-the-env-0123456789"
    monkeypatch.delenv("X_BEARER_TOKEN")

    creds.write_text(f'CONSUMER_KEY = "{CONSUMER_KEY}"\nCONSUMER_SECRET = "{CONSUMER_SECRET}"\n')
    assert load_bearer_token(api_base=x.base_url) == TOKEN  # the old tutorial's keys, exchanged

    creds.write_text('ACCESS_TOKEN = "1-abc"\nACCESS_TOKEN_SECRET = "xyz"\n')
    with pytest.raises(ConfigError, match="has ACCESS_TOKEN but no BEARER_TOKEN"):
        load_bearer_token()

    creds.write_text('BEARER_TOKEN = ""\n')  # the example file, copied but not filled in
    with pytest.raises(ConfigError, match="defines no BEARER_TOKEN"):
        load_bearer_token()


def test_token_never_shows(x: FakeXServer, caplog: pytest.LogCaptureFixture) -> None:
    assert TOKEN not in mask_token(TOKEN)
    source = poll_source(x, max_polls=1)
    unstarted = stream_source(x)
    assert TOKEN not in repr(source) and TOKEN not in repr(unstarted)
    unstarted.close()
    with caplog.at_level(logging.DEBUG):
        take(source, 10, timeout=5)
    messages = [r.getMessage() for r in caplog.records]
    assert any("Bearer" in m for m in messages)  # tweepy's DEBUG log of the request headers...
    assert not any(TOKEN in m for m in messages)  # ...with the token masked
