"""Live-source faults: the X stand-in (tests/support/x_server.py, real HTTP on 127.0.0.1) misbehaves
the ways X and networks do, and the source reconnects with backoff, keeps going, loses no tweet
sent whole and reports each fault exactly once (one warning, one retry).

Bluesky and Mastodon stand-ins are being written on another branch; when they land, their faults
(firehose/streaming disconnects mid-frame, stalls, 429 and 503, malformed frames) get the same
tests here (TODO at merge: parametrize over the stand-ins in tests/support/).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_stream_cli import kafka_args, run
from tests.support.x_server import (
    SEARCH_PATH,
    STREAM_PATH,
    TOKEN,
    FakeXServer,
    StreamScript,
    rate_limit_headers,
    too_many_connections_body,
    too_many_requests_body,
)
from tests.unit.test_x_source import take
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.sources.x.poll import XPollSource
from tweetpulse.sources.x.stream import XStreamSource

GROUPS = {"bitcoin": ["bitcoin", "btc"], "ethereum": ["ethereum", "eth"]}
SOURCE_LOGGERS = ("tweetpulse.sources.x", "tweepy")


@pytest.fixture
def x() -> Iterator[FakeXServer]:
    with FakeXServer() as server:
        server.add_user("11", "alice", followers=1200)
        for i, text in enumerate(["btc up", "eth down", "bitcoin flat", "eth again", "btc once more"]):
            server.add_tweet(str(100 + i), text, "11", created_at=f"2024-03-01T12:00:0{i}.000Z")
        yield server


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith(SOURCE_LOGGERS)
    ]


def count(messages: list[str], needle: str) -> int:
    return sum(needle in m for m in messages)


def test_stream_rides_out_every_fault_and_reports_each_once(x: FakeXServer, caplog: pytest.LogCaptureFixture) -> None:
    x.fail_next(STREAM_PATH, 429, too_many_connections_body(), rate_limit_headers(reset_in=60))
    x.fail_next(STREAM_PATH, 503, {"title": "Service Unavailable", "detail": "try later"}, times=2)
    x.script_stream(
        StreamScript(["100", b"{not json", "101"], then="cut"),  # a malformed line, then a cut mid-line
        StreamScript(["102", 1.5, "103"]),  # a stall past the stall timeout: 103 goes down with it
        StreamScript(["104"]),
    )
    statuses: list[Any] = []
    source = XStreamSource(
        TOKEN, GROUPS, api_base=x.base_url, backoff_scale=0.001, stall_timeout=0.5, on_status=statuses.append
    )

    with caplog.at_level(logging.INFO):
        tweets = take(source, 4, timeout=30)

    assert [t.id for t in tweets] == ["100", "101", "102", "104"]
    assert x.stream_connections == 3
    assert source.retries == 5  # 429, 503 twice, the cut, the stall
    assert source.skipped.count == 1 and source.skipped.examples[0][1].startswith("not JSON")
    said = warnings(caplog)
    assert count(said, "rate limited") == 1
    assert count(said, "503 Service Unavailable") == 2
    assert count(said, "connection to X lost or timed out") == 2  # the cut and the stall
    assert count(said, "skipped line") == 1
    assert len(said) == 6, said
    assert [s.state for s in statuses].count("retrying") == 5


def test_poll_rides_out_429_and_503_and_reports_each_once(x: FakeXServer, caplog: pytest.LogCaptureFixture) -> None:
    x.fail_next(SEARCH_PATH, 429, too_many_requests_body(), rate_limit_headers(reset_in=0))
    x.fail_next(SEARCH_PATH, 503, {"title": "Service Unavailable"}, times=2)
    source = XPollSource(TOKEN, GROUPS, api_base=x.base_url, backoff_scale=0.001, interval=0.01, rate_limit_margin=0.01)

    with caplog.at_level(logging.INFO):
        tweets = take(source, 5, timeout=30)

    assert sorted(t.id for t in tweets) == ["100", "101", "102", "103", "104"]
    assert source.retries == 3
    said = warnings(caplog)
    assert count(said, "rate limited by X on recent search") == 1
    assert count(said, "503 Service Unavailable") == 2
    assert len(said) == 3, said


@pytest.mark.parametrize("mode", ["stream", "poll"])
def test_duration_holds_while_x_answers_500_and_429(x: FakeXServer, mode: str) -> None:
    path = STREAM_PATH if mode == "stream" else SEARCH_PATH
    x.fail_next(path, 500, {"title": "Internal Server Error"}, times=3)
    x.fail_next(path, 429, too_many_requests_body(), rate_limit_headers(reset_in=600), times=100)
    kind = XStreamSource if mode == "stream" else XPollSource
    source = kind(TOKEN, GROUPS, api_base=x.base_url, duration=3)  # real backoff: 5 s, 10 s … then 600 s

    started = time.monotonic()
    tweets = take(source, 1, timeout=60)
    elapsed = time.monotonic() - started

    assert tweets == [] and 2.5 <= elapsed <= 8, elapsed
    assert source.retries >= 1  # it was waiting out a failure when the time was up


def test_stream_cli_duration_holds_while_x_fails(x: FakeXServer, kafka: KafkaConfig, tmp_path: Path) -> None:
    x.fail_next(SEARCH_PATH, 500, {"title": "Internal Server Error"}, times=2)
    x.fail_next(SEARCH_PATH, 429, too_many_requests_body(), rate_limit_headers(reset_in=600), times=100)
    args = ["stream", "--source", "x", "--x-mode", "poll", "--x-api-base", x.base_url, "--duration", "4"]

    started = time.monotonic()
    result = run([*args, *kafka_args(kafka), "--no-progress"], tmp_path, timeout=120, X_BEARER_TOKEN=TOKEN)
    elapsed = time.monotonic() - started

    assert result.returncode == 0, result.stderr
    assert elapsed < 20, f"--duration 4 ran {elapsed:.0f}s"
