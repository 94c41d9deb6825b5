"""``tweetpulse stream`` as a user runs it: a real process, the real broker, the fake X API over HTTP.

Pacing into the broker, live X (filtered stream and recent-search polling) → Kafka → a recording
that replays to the same records, one-line errors for bad tokens and bad arguments, and Ctrl-C
that loses nothing already produced.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.integration.test_streamer import by_id, read_topic, topic_size
from tests.support.broker import delete_topics
from tests.support.x_server import STREAM_PATH, TOKEN, FakeXServer, StreamScript, unauthorized_body
from tweetpulse.kafka.config import KafkaConfig

TWEETPULSE = str(Path(sys.executable).parent / "tweetpulse")


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "X_BEARER_TOKEN")}
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, timeout: float = 60.0, **env: str) -> subprocess.CompletedProcess[str]:
    """``tweetpulse ARGS`` in ``cwd`` (so no stray twitter_credentials.py is picked up)."""
    return subprocess.run(
        [TWEETPULSE, *args], cwd=cwd, env=cli_env(**env), capture_output=True, text=True, timeout=timeout
    )


def kafka_args(kafka: KafkaConfig, topic: str | None = None) -> list[str]:
    return ["--topic", topic or kafka.topic, "--bootstrap-servers", kafka.bootstrap_servers]


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """A non-zero exit with exactly one line on stderr, containing every needle, and no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = stderr_lines(result)
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


def load_summary(path: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


# -- pacing into the broker ---------------------------------------------------------------------
def test_rate_and_limit_into_the_broker(kafka: KafkaConfig, tmp_path: Path) -> None:
    summary_path = tmp_path / "out" / "summary.json"
    started = time.monotonic()
    result = run(
        [
            "stream",
            "--source",
            "sample",
            "--rate",
            "500",
            "--limit",
            "500",
            *kafka_args(kafka),
            "--no-progress",
            "--summary-json",
            str(summary_path),
        ],
        tmp_path,
    )
    took = time.monotonic() - started

    assert result.returncode == 0, result.stderr
    summary = load_summary(summary_path)
    assert {k: summary[k] for k in ("read", "produced", "delivered", "failed", "skipped", "interrupted")} == {
        "read": 500,
        "produced": 500,
        "delivered": 500,
        "failed": 0,
        "skipped": 0,
        "interrupted": False,
    }
    assert summary["seconds"] >= 0.5 and took >= 0.5  # 500 tweets at 500/s take about a second
    assert summary["rate"] == pytest.approx(500 / summary["seconds"])
    assert result.stdout.startswith("read 500, produced 500, delivered 500, failed 0, skipped rows 0 in ")
    records = by_id(read_topic(kafka, expected=500))
    assert all(r["source"] == "sample" for r in records.values())


# -- live X → Kafka -----------------------------------------------------------------------------
# the records expected for the tweets the default rules match (lang:en, no retweets), by id
X_EXPECTED: dict[str, dict[str, Any]] = {
    "100": {
        "text": "Bitcoin and #ethereum are both up today",
        "author": "alice",
        "author_id": "11",
        "followers": 1200,
        "keywords": ["bitcoin", "ethereum"],
        "created_at": "2024-03-01T12:00:00.000Z",
    },
    "101": {
        "text": "much $doge, very wow",
        "author": "bob",
        "author_id": "22",
        "followers": 5,
        "keywords": ["dogecoin"],
        "created_at": "2024-03-01T12:00:01.000Z",
    },
    "102": {
        "text": "btc dipped again",
        "author": "bob",
        "author_id": "22",
        "followers": 5,
        "keywords": ["bitcoin"],
        "created_at": "2024-03-01T12:00:02.000Z",
    },
    "103": {
        "text": "ETH gas fees are wild",
        "author": "carol",
        "author_id": "33",
        "followers": 0,
        "keywords": ["ethereum"],
        "created_at": "2024-03-01T12:00:03.000Z",
    },
}


@pytest.fixture
def x() -> Iterator[FakeXServer]:
    with FakeXServer() as server:
        server.add_user("11", "alice", followers=1200)
        server.add_user("22", "bob", followers=5)
        server.add_user("33", "carol", followers=0)
        for i, (tid, want) in enumerate(X_EXPECTED.items()):
            server.add_tweet(tid, want["text"], want["author_id"], created_at=f"2024-03-01T12:00:0{i}.000Z")
        server.add_tweet("104", "cats are nice", "11", created_at="2024-03-01T12:00:04.000Z")
        server.add_tweet("105", "RT btc to the moon", "22", created_at="2024-03-01T12:00:05.000Z", retweet=True)
        server.add_tweet("106", "le bitcoin monte", "33", created_at="2024-03-01T12:00:06.000Z", lang="fr")
        # the stream sends them all; X only passes on what the rules match
        server.script_stream(StreamScript(["100", "104", "101", 0.05, "105", "102", "106", "103"]))
        yield server


def assert_x_records(records: dict[str, dict[str, Any]], source: str) -> None:
    assert sorted(records) == sorted(X_EXPECTED)
    for tid, want in X_EXPECTED.items():
        assert records[tid] == {"v": 1, "id": tid, "lang": "en", "source": source, **want}


@pytest.mark.parametrize("mode", ["stream", "poll"])
def test_live_x_into_kafka_and_the_recording_replays(
    mode: str, x: FakeXServer, kafka: KafkaConfig, tmp_path: Path
) -> None:
    raw = tmp_path / "rec" / "raw.jsonl"
    summary_path = tmp_path / "summary.json"
    result = run(
        [
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
            "4",
            "--record",
            str(raw),
            *kafka_args(kafka),
            "--no-progress",
            "--summary-json",
            str(summary_path),
        ],
        tmp_path,
        X_BEARER_TOKEN=x.token,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summary = load_summary(summary_path)
    assert (summary["read"], summary["delivered"], summary["failed"], summary["skipped"]) == (4, 4, 0, 0)
    assert_x_records(by_id(read_topic(kafka, expected=4)), f"x:{mode}")
    assert TOKEN not in result.stderr + result.stdout  # the token never shows
    if mode == "stream":
        assert sorted(r.get("tag", "") for r in x.rules.values()) == ["bitcoin", "dogecoin", "ethereum"]
        # one line per tweet sent, byte for byte what the server sent; no keep-alives
        query = x.requests_to(STREAM_PATH)[0].query
        assert raw.read_bytes().splitlines() == [x.render_stream_line(tid, query) for tid in X_EXPECTED]
    else:
        pages = [orjson.loads(line) for line in raw.read_bytes().splitlines()]
        assert len(pages) == 3  # one search page per keyword group
        assert sorted(t["id"] for page in pages for t in page.get("data", [])) == ["100", "100", "101", "102", "103"]

    # the recording replays through the CLI into another topic
    replayed = replace(kafka, topic=f"{kafka.topic}-replay")
    try:
        again = run(
            [
                "stream",
                "--source",
                "replay",
                "--dataset",
                str(raw),
                "--format",
                "x-v2-jsonl",
                *kafka_args(kafka, replayed.topic),
                "--no-progress",
            ],
            tmp_path,
        )
        assert again.returncode == 0, again.stderr
        if mode == "stream":
            assert_x_records(by_id(read_topic(replayed, expected=4)), "replay:x-v2-jsonl")
        else:
            # tweet 100 matched two groups, so it is on two pages of the recording: the same
            # record twice (same key; the listener stores it once)
            records = read_topic(replayed, expected=5)
            assert sorted(r.key for r in records) == ["100", "100", "101", "102", "103"]
            first, second = (r.value for r in records if r.key == "100")
            assert first == second
            assert_x_records(by_id(list({r.key: r for r in records}.values())), "replay:x-v2-jsonl")
    finally:
        delete_topics(replayed, [replayed.topic, replayed.dlq_topic, replayed.status_topic])


@pytest.mark.parametrize("mode", ["stream", "poll", "stream-connect"])
def test_a_bad_x_token_is_one_line(mode: str, x: FakeXServer, kafka: KafkaConfig, tmp_path: Path) -> None:
    token = "not-the-right-token-at-all"
    if mode == "stream-connect":  # the rules calls pass, X refuses the stream connection itself
        x.fail_next(STREAM_PATH, 401, unauthorized_body())
        token = x.token
    result = run(
        [
            "stream",
            "--source",
            "x",
            "--x-mode",
            mode.removesuffix("-connect"),
            "--x-api-base",
            x.base_url,
            "--limit",
            "4",
            *kafka_args(kafka),
            "--no-progress",
        ],
        tmp_path,
        X_BEARER_TOKEN=token,
    )

    assert result.returncode == 2
    line = assert_one_line_error(result, "X rejected the bearer token (401 Unauthorized)", "X_BEARER_TOKEN")
    assert line.startswith("tweetpulse stream: error: ")
    assert token not in result.stderr + result.stdout
    assert topic_size(kafka) == 0


# -- bad arguments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needles"),
    [
        pytest.param(["--source", "replay"], ["--source replay needs --dataset PATH"], id="replay-without-dataset"),
        pytest.param(
            ["--source", "replay", "--dataset", "nowhere/tweets.csv"],
            ["can't open dataset nowhere/tweets.csv", "check the path"],
            id="missing-dataset",
        ),
        pytest.param(
            ["--source", "replay", "--dataset", "x.jsonl", "--format", "bogus"],
            ["--format", "'bogus'", "kaggle-entity", "--help"],
            id="bogus-format",
        ),
        pytest.param(["--rate", "-1"], ["--rate", "above 0"], id="negative-rate"),
        pytest.param(["--rate", "abc"], ["--rate", "expected a number, got 'abc'"], id="rate-not-a-number"),
        pytest.param(["-X", "nokey"], ["-X 'nokey'", "key=value"], id="X-without-value"),
    ],
)
def test_bad_arguments_are_one_line(args: list[str], needles: list[str], kafka: KafkaConfig, tmp_path: Path) -> None:
    result = run(["stream", *args, *kafka_args(kafka), "--no-progress"], tmp_path, timeout=30)

    assert_one_line_error(result, *needles)
    assert result.stdout == ""
    assert topic_size(kafka) == 0


# -- Ctrl-C -------------------------------------------------------------------------------------
def test_interrupt_flushes_and_loses_nothing(kafka: KafkaConfig, tmp_path: Path) -> None:
    summary_path = tmp_path / "summary.json"
    proc = subprocess.Popen(
        [
            TWEETPULSE,
            "stream",
            "--source",
            "sample",
            "--loop",
            "--rate",
            "2000",
            *kafka_args(kafka),
            "--no-progress",
            "--summary-json",
            str(summary_path),
        ],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while topic_size(kafka) < 1000 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert proc.poll() is None, f"the streamer ended on its own:\n{proc.stderr.read() if proc.stderr else ''}"
        time.sleep(1.0)  # well into the run: tweets queued, in flight and delivered
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert "Traceback" not in stderr
    assert proc.returncode == 0, stderr
    assert stdout.startswith("interrupted: read "), stdout
    summary = load_summary(summary_path)
    assert summary["interrupted"] is True and summary["failed"] == 0
    assert summary["delivered"] > 1000
    assert summary["produced"] == summary["delivered"]
    records = by_id(read_topic(kafka, expected=summary["delivered"]))  # nothing produced was lost
    assert len(records) == summary["delivered"]
    assert f"delivered {summary['delivered']}," in stdout
