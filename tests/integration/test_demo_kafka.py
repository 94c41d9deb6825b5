"""The demo stops the Kafka broker it started (unless --keep-kafka, and then it says how to stop it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Broker, free_port


def answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def demo(tmp_path: Path, bootstrap: str, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tweetpulse.cli",
        "demo",
        "--workers",
        "1",
        "--rate",
        "50",
        "--port",
        str(free_port()),
        "--store",
        str(tmp_path / "demo.db"),
        "--bootstrap-servers",
        bootstrap,
        *args,
    ]


@pytest.mark.parametrize("keep", [False, True], ids=["stops-it", "keep-kafka"])
def test_demo_leaves_no_broker_behind_without_a_word(keep: bool, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_HOME")}
    env.update(
        KAFKA_PORT=str(port),
        KAFKA_CONTROLLER_PORT=str(free_port()),
        KAFKA_STATE_DIR=str(tmp_path / "kafka"),
        KAFKA_HEAP="384m",
    )
    setup = [str(ROOT / "kafka-setup.sh")]
    argv = demo(tmp_path, f"127.0.0.1:{port}", "--duration", "4", *(["--keep-kafka"] if keep else []))
    try:
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "starting Kafka" in done.stdout  # the demo started this broker itself
        if keep:
            assert "Kafka is still running" in done.stdout and "kafka-setup.sh stop" in done.stdout
            assert answers(port)
        else:
            assert "stopping the Kafka broker it started" in done.stdout
            assert not answers(port)
            status = subprocess.run([*setup, "status"], env=env, capture_output=True, text=True, timeout=30)
            assert status.returncode == 3 and "not running" in status.stdout + status.stderr
    finally:
        subprocess.run([*setup, "stop"], env=env, capture_output=True, timeout=60)


def test_demo_leaves_a_broker_it_did_not_start_running(kafka_broker: Broker, tmp_path: Path) -> None:
    bootstrap = kafka_broker.bootstrap
    argv = demo(tmp_path, bootstrap, "--duration", "2", "--topic", f"demo-{free_port()}")
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Kafka" not in done.stdout.replace("live page", "")  # not started, not stopped, nothing to say
    assert answers(int(bootstrap.rsplit(":", 1)[1]))
