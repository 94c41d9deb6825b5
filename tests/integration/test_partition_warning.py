"""``listen`` says in one line when its workers can't share the topic's partitions evenly (issue 23 point 6)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.test_listener import make_tweets, produce
from tweetpulse.kafka.config import KafkaConfig

TWEETPULSE = str(Path(sys.executable).parent / "tweetpulse")


def listen(kafka: KafkaConfig, tmp_path: Path, workers: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            TWEETPULSE,
            "listen",
            "--workers",
            str(workers),
            "--no-dashboard",
            "--idle-exit",
            "1",
            "--store",
            str(tmp_path / f"w{workers}.db"),
            "--group",
            f"fit{workers}",
            "--topic",
            kafka.topic,
            "--bootstrap-servers",
            kafka.bootstrap_servers,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_uneven_and_idle_workers_are_warned_about_in_one_line(kafka: KafkaConfig, tmp_path: Path) -> None:
    produce(kafka, make_tweets(300, seed=61))  # the fixture's topic has 3 partitions
    uneven = listen(kafka, tmp_path, 2)
    assert uneven.returncode == 0, uneven.stderr
    warned = [line for line in uneven.stderr.splitlines() if "partitions" in line]
    assert len(warned) == 1 and "WARNING" in warned[0], uneven.stderr
    assert "2 workers share the topic's 3 partitions unevenly (2 and 1 each)" in warned[0]
    assert "consumed 300, stored 300" in uneven.stdout + uneven.stderr
    even = listen(kafka, tmp_path, 3)
    assert even.returncode == 0 and "partitions" not in even.stderr, even.stderr
    too_many = listen(kafka, tmp_path, 4)
    assert "4 workers but the topic has 3 partitions: 1 worker(s) will stand by idle" in too_many.stderr
