"""A known token appears nowhere: not in a message, a log line, the recording, the topic, a store row
or a page response, even when the X endpoint echoes the request's Authorization header back.

The real ``tweetpulse stream`` process talks to the local X server (FakeXServer with ``echo_auth``,
like a debugging proxy that quotes request headers in its error bodies) and the real broker; the
listener then stores what arrived and serves the page over HTTP.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.integration.test_stream_cli import assert_one_line_error, kafka_args, run
from tests.integration.test_streamer import read_topic
from tests.support.dash_client import callback_body, post_callback
from tests.support.mastodon_server import TOKEN as MASTODON_TOKEN
from tests.support.mastodon_server import FakeMastodon, make_status
from tests.support.x_server import (
    SEARCH_PATH,
    STREAM_PATH,
    TOKEN,
    FakeXServer,
    StreamScript,
    operational_disconnect_line,
    rate_limit_headers,
    too_many_requests_body,
)
from tweetpulse.dashboard import DashboardServer
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.demo import listener_app, page_aggregator
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.pipeline.pacing import Pacer
from tweetpulse.pipeline.streamer import stream
from tweetpulse.sources.mastodon.source import MastodonSource

MASK = "…" + TOKEN[-4:]
LEAK = f"btc is up, says the proxy: Authorization: Bearer {TOKEN}"


@pytest.fixture
def x() -> Iterator[FakeXServer]:
    with FakeXServer() as server:
        server.echo_auth = True
        server.add_user("11", "alice", followers=1200)
        server.add_tweet("100", "bitcoin to the moon", "11", created_at="2024-03-01T12:00:00.000Z")
        server.add_tweet("101", "eth is fine", "11", created_at="2024-03-01T12:00:01.000Z")
        server.add_tweet("102", LEAK, "11", created_at="2024-03-01T12:00:02.000Z")
        yield server


def stream_args(x: FakeXServer, mode: str, kafka: KafkaConfig, record: Path, limit: int) -> list[str]:
    return [
        "-v",
        "stream",
        "--source",
        "x",
        "--x-mode",
        mode,
        "--x-api-base",
        x.base_url,
        "--poll-interval",
        "0.2",
        "--limit",
        str(limit),
        "--record",
        str(record),
        *kafka_args(kafka),
        "--no-progress",
    ]


def assert_private_and_clean(record: Path) -> None:
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert TOKEN.encode() not in record.read_bytes()


def test_an_echoed_token_in_retries_is_masked(x: FakeXServer, kafka: KafkaConfig, tmp_path: Path) -> None:
    x.fail_next(SEARCH_PATH, 429, too_many_requests_body(), rate_limit_headers(reset_in=0))
    x.fail_next(SEARCH_PATH, 503, {"title": "Service Unavailable"})
    record = tmp_path / "raw.jsonl"
    result = run(stream_args(x, "poll", kafka, record, limit=3), tmp_path, timeout=120, X_BEARER_TOKEN=TOKEN)

    assert result.returncode == 0, result.stderr
    assert f"request had Authorization: Bearer {MASK}" in result.stderr  # the echo reached the warnings...
    assert TOKEN not in result.stdout + result.stderr  # ...masked
    assert_private_and_clean(record)
    assert all(TOKEN not in r.value["text"] for r in read_topic(kafka))


def test_an_echoed_token_in_a_fatal_error_is_masked(x: FakeXServer, kafka: KafkaConfig, tmp_path: Path) -> None:
    x.fail_next(STREAM_PATH, 403, {"title": "Forbidden", "detail": "not for you"}, times=5)
    args = stream_args(x, "stream", kafka, tmp_path / "raw.jsonl", limit=3)[1:]  # no -v: only the error line
    result = run(args, tmp_path, X_BEARER_TOKEN=TOKEN)

    line = assert_one_line_error(result, "X refused access to the filtered stream", f"Bearer {MASK}")
    assert TOKEN not in line and TOKEN not in result.stdout


def test_a_token_quoted_on_the_stream_reaches_no_store_row_or_page(
    x: FakeXServer, kafka: KafkaConfig, tmp_path: Path
) -> None:
    echo = operational_disconnect_line(f"reset; request had Authorization: Bearer {TOKEN}")
    x.script_stream(StreamScript(["100", echo], then="close"), StreamScript(["101", "102"]))
    record = tmp_path / "raw.jsonl"
    result = run(stream_args(x, "stream", kafka, record, limit=3), tmp_path, timeout=120, X_BEARER_TOKEN=TOKEN)

    assert result.returncode == 0, result.stderr
    assert "operational-disconnect" in result.stderr and TOKEN not in result.stdout + result.stderr
    assert_private_and_clean(record)
    texts = {r.key: r.value["text"] for r in read_topic(kafka, expected=3)}
    assert texts["102"] == LEAK.replace(TOKEN, MASK)

    store = tmp_path / "tweets.db"
    settings = ListenerSettings(kafka=kafka, group="secrets", store_path=str(store), batch_size=100)
    with Listener(settings, workers=1, max_messages=3, aggregator=page_aggregator()) as listener:
        listener.wait(duration=60)  # the three tweets above
        app = listener_app(listener)
        with DashboardServer(app, "127.0.0.1", 0) as server:
            page = post_callback(server.url, callback_body(app, "trend", [1, "cumulative"], [None]))
    assert page.status_code == 200 and MASK in page.text  # the masked tweet is on the page
    assert TOKEN not in page.text
    assert listener.summary().stored == 3
    for path in tmp_path.glob("tweets.db*"):
        assert TOKEN.encode() not in path.read_bytes()


def test_a_token_echoed_in_a_user_name_is_masked_in_the_author(kafka: KafkaConfig, tmp_path: Path) -> None:
    with FakeXServer() as server:
        server.add_user("12", f"proxy-{TOKEN}", followers=5)  # an echoing proxy puts the token in a user name
        server.add_tweet("200", "bitcoin again", "12", created_at="2024-03-01T12:00:00.000Z")
        record = tmp_path / "raw.jsonl"
        result = run(stream_args(server, "poll", kafka, record, limit=1), tmp_path, timeout=120, X_BEARER_TOKEN=TOKEN)

    assert result.returncode == 0, result.stderr
    (row,) = read_topic(kafka, expected=1)
    assert row.value["author"] == f"proxy-{MASK}"
    assert TOKEN not in orjson.dumps(row.value).decode()


def test_a_token_echoed_over_mastodon_sse_reaches_no_field_on_the_topic(kafka: KafkaConfig) -> None:
    echo = make_status(
        "301", f"<p>bitcoin, says a proxy: Bearer {MASTODON_TOKEN}</p>", tags=["btc"], acct=f"x{MASTODON_TOKEN}"
    )
    with FakeMastodon(sse_plan={"btc": [[("update", echo), "hold"]]}) as server:
        source = MastodonSource(server.url, MASTODON_TOKEN, transport="sse", groups={"bitcoin": ["btc"]})
        summary = stream(source, kafka, Pacer(limit=1, duration=30), progress=False)

    assert summary.delivered == 1
    (row,) = read_topic(kafka, expected=1)
    masked = "…" + MASTODON_TOKEN[-4:]
    assert row.value["text"] == f"bitcoin, says a proxy: Bearer {masked}"
    assert row.value["author"] == f"x{masked}"
    assert row.value["id"] == f"https://example.social/users/x{masked}/statuses/301"
    assert MASTODON_TOKEN not in orjson.dumps(row.value).decode()
