"""A taken page port is one line that says what to do, before the broker or the workers start."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.processes import run_tree
from tweetpulse.kafka.admin import wait_ready
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.stores.sqlite import SqliteStore as Store


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def tweetpulse(*args: str) -> subprocess.CompletedProcess[str]:
    return run_tree([sys.executable, "-m", "tweetpulse.cli", *args], cwd=ROOT, timeout=60)


@pytest.mark.parametrize("command", [["listen", "--workers", "1"], ["demo", "--no-kafka-setup", "--workers", "1"]])
def test_taken_port_is_one_line_and_nothing_starts(
    command: list[str], kafka: KafkaConfig, taken_port: int, tmp_path: Path
) -> None:
    topic = f"never-{uuid.uuid4().hex[:10]}"
    done = tweetpulse(
        *command,
        "--port",
        str(taken_port),
        "--topic",
        topic,
        "--store",
        str(tmp_path / "t.db"),
        "--bootstrap-servers",
        kafka.bootstrap_servers,
        "--duration",
        "5",
    )
    assert done.returncode == 2
    err = done.stderr.strip().splitlines()
    assert len(err) == 1, done.stderr
    assert err[0].startswith(f"tweetpulse {command[0]}: error: port {taken_port} ") and "(try --port N" in err[0]
    assert topic not in wait_ready(kafka)  # the listener never started: it would have created its topic
    assert not (tmp_path / "t.db").exists()  # nor opened its store


def test_dashboard_on_a_taken_port(taken_port: int, tmp_path: Path) -> None:
    with Store(tmp_path / "t.db") as store:
        store.conn  # noqa: B018  (creates the store)
    done = tweetpulse("dashboard", "--store", str(tmp_path / "t.db"), "--port", str(taken_port), "--duration", "5")
    assert done.returncode == 2
    err = done.stderr.strip().splitlines()
    assert len(err) == 1 and "is in use" in err[0] and "--port" in err[0], done.stderr
