"""A live source that can't connect is visible: the streamer publishes its state on ``<topic>.status``
(the real broker), a listener's page shows it in the health panel (its Dash callback over HTTP), and
``--give-up-after`` stops the streamer with one line. Before, the page only said "waiting for tweets"
while the streamer retried forever."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from tests.conftest import free_port
from tests.fault.harness import TWEETPULSE
from tests.integration.test_stream_cli import cli_env, kafka_args, run
from tests.support.dash_client import callback_body, post_callback
from tweetpulse.dashboard import DashboardServer, build_app, listener_health
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.pipeline.listener import Listener
from tweetpulse.pipeline.settings import ListenerSettings


def statuses(kafka: KafkaConfig, timeout: float = 10) -> list[dict[str, Any]]:
    """Every record on the status topic so far, oldest first."""
    consumer = Consumer(kafka.client_conf(**{"group.id": f"audit-{time.time()}", "enable.auto.commit": False}))
    consumer.assign([TopicPartition(kafka.status_topic, 0, OFFSET_BEGINNING)])
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batch = consumer.consume(100, 0.5)
            found += [orjson.loads(m.value() or b"{}") for m in batch if m.error() is None and m.value()]
            if not batch and found:
                break
    finally:
        consumer.close()
    return found


def alerts(response: dict[str, Any]) -> list[str]:
    children = response["response"]["health-alerts"]["children"]
    return [child["props"]["children"] for child in children]


def test_an_unreachable_bluesky_shows_reconnecting_on_the_page(kafka: KafkaConfig, tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{free_port()}/subscribe"  # nothing listens there: every connect is refused
    streamer = subprocess.Popen(
        [TWEETPULSE, "stream", "--source", "bluesky", "--bluesky-url", url, "--no-progress", *kafka_args(kafka)],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    listener = Listener(ListenerSettings(kafka=kafka, group="status-page", store_path=str(tmp_path / "t.db")), 1)
    app = build_app(Aggregator(), health=listener_health(listener))
    shown: list[str] = []
    try:
        with DashboardServer(app, "127.0.0.1", 0) as server:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                page = post_callback(server.url, callback_body(app, "trend", [1, "cumulative"], [None]))
                assert page.status_code == 200
                shown = alerts(page.json())
                if shown and "attempt 2" in shown[0]:
                    break
                time.sleep(0.5)
    finally:
        streamer.send_signal(signal.SIGINT)
        _out, err = streamer.communicate(timeout=30)
    assert shown and shown[0].startswith("bluesky: reconnecting (attempt 2, next try in "), shown
    assert "Connection refused" in shown[0] and url in shown[0]
    records = [r for r in statuses(kafka) if r["source"] == "bluesky"]
    retries = [(r["attempt"], r["retry_in"]) for r in records if r["state"] == "retrying"]
    assert retries[:2] == [(1, 1.0), (2, 2.0)]  # the attempts, and the backoff's waits
    assert records[-1]["state"] == "disconnected"  # its last word when it stopped
    assert "retrying in 1s" in err and "(attempt 1)" in err


def test_give_up_after_stops_bluesky_with_one_line(kafka: KafkaConfig, tmp_path: Path) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}/subscribe"
    argv = ["stream", "--source", "bluesky", "--bluesky-url", url, "--give-up-after", "2", "--no-progress"]
    result = run([*argv, *kafka_args(kafka)], tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"tweetpulse stream: error: bluesky: could not reach {url}: 2 connects failed")
    assert "Connection refused" in last and f"curl -sI http://127.0.0.1:{port}/subscribe" in last
    failing = [r for r in statuses(kafka) if r["source"] == "bluesky" and r["state"] == "failing"]
    assert failing and failing[-1]["attempt"] == 2


def test_mastodon_keeps_the_cause_and_gives_up(kafka: KafkaConfig, tmp_path: Path) -> None:
    instance = f"http://127.0.0.1:{free_port()}"
    argv = ["stream", "--source", "mastodon", "--mastodon-instance", instance, "--give-up-after", "2"]
    result = run([*argv, "--no-progress", *kafka_args(kafka)], tmp_path, MASTODON_ACCESS_TOKEN="")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "retrying in" in line]
    assert warnings and all("Connection refused" in line for line in warnings), result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"tweetpulse stream: error: mastodon: could not reach {instance}: 2 connects failed")
    assert "Connection refused" in last


def test_the_demo_gives_up_on_an_unreachable_source_with_one_line(kafka: KafkaConfig, tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{free_port()}/subscribe"
    argv = ["demo", "--source", "bluesky", "--bluesky-url", url, "--give-up-after", "2", "--no-kafka-setup"]
    argv += ["--workers", "1", "--duration", "60", "--port", str(free_port()), "--store", str(tmp_path / "d.db")]
    result = run([*argv, *kafka_args(kafka)], tmp_path, timeout=90)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"tweetpulse demo: error: bluesky: could not reach {url}: 2 connects failed"), last
