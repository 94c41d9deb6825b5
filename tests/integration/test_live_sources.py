"""Bluesky and Mastodon into the real broker, as a user runs them: ``tweetpulse stream`` and
``tweetpulse demo`` processes against the local Jetstream / AppView / Mastodon stand-ins."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.conftest import free_port
from tests.integration.test_stream_cli import assert_one_line_error, kafka_args, load_summary, run
from tests.integration.test_streamer import by_id, read_topic
from tests.support.jetstream_server import (
    T0,
    Connection,
    FakeAppView,
    FakeJetstream,
    identity_event,
    like_event,
    post_event,
)
from tests.support.mastodon_server import TOKEN, FakeMastodon, make_status
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.stores import read_frame

A, B = "did:plc:alice", "did:plc:bob"


def jetstream_events() -> list[Any]:
    return [
        identity_event(B, "bob.test", time_us=T0),
        post_event(A, "a1", "Bitcoin is doing great today!", time_us=T0 + 1_000_000, langs=["en"]),
        like_event(B, "l1", time_us=T0 + 1_100_000),
        post_event(B, "b1", "I hate how $ETH fees are terrible", time_us=T0 + 2_000_000, langs=["en"]),
        post_event(B, "b2", "nothing about coins", time_us=T0 + 2_500_000, langs=["en"]),
        post_event(A, "a2", "dogecoin, sure", time_us=T0 + 3_000_000, langs=["en"]),
    ]


def bluesky_record(
    did: str, rkey: str, text: str, keywords: list[str], author: str, followers: int | None
) -> dict[str, Any]:
    return {
        "v": 1,
        "id": f"at://{did}/app.bsky.feed.post/{rkey}",
        "text": text,
        "created_at": "2024-09-09T19:46:02.102Z",
        "author": author,
        "author_id": did,
        "followers": followers,
        "lang": "en",
        "keywords": keywords,
        "source": "bluesky",
    }


EXPECTED_BLUESKY = {
    r["id"]: r
    for r in (
        bluesky_record(A, "a1", "Bitcoin is doing great today!", ["bitcoin"], "alice.test", 1500),
        bluesky_record(B, "b1", "I hate how $ETH fees are terrible", ["ethereum"], "bob.test", None),
        bluesky_record(A, "a2", "dogecoin, sure", ["dogecoin"], "alice.test", 1500),
    )
}


def test_bluesky_into_the_broker_exactly_once_across_a_dropped_connection(kafka: KafkaConfig, tmp_path: Path) -> None:
    raw = tmp_path / "raw.jsonl"
    summary_path = tmp_path / "summary.json"
    # cut after a1 and b1 (identity, a1, b1 — the like is not sent: posts only); the resume repeats them
    plan = [Connection(3, "drop"), Connection(None, "hold")]
    with (
        FakeJetstream(events=jetstream_events(), plan=plan) as js,
        FakeAppView(profiles={A: ("alice.test", 1500)}) as appview,
    ):  # bob is unknown to the AppView
        result = run(
            [
                "stream",
                "--source",
                "bluesky",
                "--bluesky-url",
                js.url,
                "--bluesky-appview",
                appview.url,
                "--limit",
                "3",
                "--record",
                str(raw),
                "--no-progress",
                "--summary-json",
                str(summary_path),
                *kafka_args(kafka),
            ],
            tmp_path,
        )
        cursors = js.cursors()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert by_id(read_topic(kafka, expected=3)) == EXPECTED_BLUESKY  # exactly these, none twice
    assert cursors == [None, T0 + 2_000_000 - 5_000_000]  # resumed 5 s before the last event seen
    assert "Jetstream closed the connection" in result.stderr and "retrying in 1s" in result.stderr
    summary = load_summary(summary_path)
    assert (summary["delivered"], summary["failed"]) == (3, 0)
    assert len(raw.read_text().splitlines()) == 3  # the raw events of the produced posts


def test_a_wrong_jetstream_url_is_one_line(kafka: KafkaConfig, tmp_path: Path) -> None:
    with FakeJetstream(reject_status=404) as js:
        result = run(
            [
                "stream",
                "--source",
                "bluesky",
                "--bluesky-url",
                js.url.replace("/subscribe", "/nope"),
                "--no-progress",
                *kafka_args(kafka),
            ],
            tmp_path,
        )
    assert_one_line_error(result, "refused the Jetstream subscription (404)", "--bluesky-url")


MASTODON = [
    make_status(
        "101",
        "<p>Bitcoin is doing <b>great</b> today! <a href='#'>#<span>btc</span></a></p>",
        tags=["btc"],
        followers=77,
    ),
    make_status("102", "<p>ETH fees are terrible</p>", tags=["eth"], acct="bob@other.social", followers=0),
]


def mastodon_record(status: dict[str, Any], text: str, keywords: list[str]) -> dict[str, Any]:
    account = status["account"]
    return {
        "v": 1,
        "id": status["uri"],
        "text": text,
        "created_at": "2024-05-01T12:00:00.000Z",
        "author": account["acct"],
        "author_id": account["url"],
        "followers": account["followers_count"],
        "lang": "en",
        "keywords": keywords,
        "source": "mastodon",
    }


EXPECTED_MASTODON = {
    r["id"]: r
    for r in (
        mastodon_record(MASTODON[0], "Bitcoin is doing great today! #btc", ["bitcoin"]),
        mastodon_record(MASTODON[1], "ETH fees are terrible", ["ethereum"]),
    )
}


def test_mastodon_streaming_into_the_broker_until_the_duration(kafka: KafkaConfig, tmp_path: Path) -> None:
    plan: list[list[Any]] = [
        [("update", MASTODON[0]), ("delete", "9"), "drop"],
        [("update", MASTODON[0]), ("update", MASTODON[1]), "hold"],
    ]
    with FakeMastodon(ws_plan=plan) as server:
        started = time.monotonic()
        result = run(
            [
                "stream",
                "--source",
                "mastodon",
                "--mastodon-instance",
                server.url,
                "--duration",
                "4",
                "--no-progress",
                *kafka_args(kafka),
            ],
            tmp_path,
            MASTODON_ACCESS_TOKEN=TOKEN,
        )
        took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert by_id(read_topic(kafka, expected=2)) == EXPECTED_MASTODON
    assert took < 15, f"--duration 4 took {took:.0f}s"  # the quiet stream ended on time


def test_mastodon_polling_without_a_token(kafka: KafkaConfig, tmp_path: Path) -> None:
    with FakeMastodon(statuses=list(MASTODON)) as server:
        result = run(
            [
                "stream",
                "--source",
                "mastodon",
                "--mastodon-instance",
                server.url,
                "--limit",
                "2",
                "--poll-interval",
                "0.5",
                "--no-progress",
                *kafka_args(kafka),
            ],
            tmp_path,
        )
    assert result.returncode == 0, result.stderr
    assert "no access token, polling" in result.stderr  # it says so
    assert by_id(read_topic(kafka, expected=2)) == EXPECTED_MASTODON


def test_demo_with_bluesky_scores_live_posts_into_the_store(kafka: KafkaConfig, tmp_path: Path) -> None:
    store = tmp_path / "demo.db"
    with FakeJetstream(events=jetstream_events()) as js, FakeAppView(profiles={A: ("alice.test", 1500)}) as appview:
        result = run(
            [
                "demo",
                "--source",
                "bluesky",
                "--bluesky-url",
                js.url,
                "--bluesky-appview",
                appview.url,
                "--no-kafka-setup",
                "--workers",
                "1",
                "--duration",
                "10",
                "--port",
                str(free_port()),
                "--store",
                str(store),
                *kafka_args(kafka),
            ],
            tmp_path,
            timeout=90,
        )
    assert result.returncode == 0, result.stderr
    assert "live page at" in result.stdout
    frame = read_frame(store)
    assert sorted(frame["id"]) == sorted(EXPECTED_BLUESKY)
    assert set(frame["source"]) == {"bluesky"}
    row = frame.set_index("id").loc[f"at://{A}/app.bsky.feed.post/a1"]
    assert row["followers"] == 1500 and row["polarity"] > 0
