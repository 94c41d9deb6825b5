"""The demo stops the Kafka broker it started (unless --keep-kafka, and then it says how to stop it)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Broker, free_port
from tests.support.processes import run_tree
from tweetpulse.stores import read_frame


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
        done = run_tree(argv, cwd=ROOT, env=env, timeout=240)
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
    done = run_tree(argv, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Kafka" not in done.stdout.replace("live page", "")  # not started, not stopped, nothing to say
    assert answers(int(bootstrap.rsplit(":", 1)[1]))


def test_each_demo_run_streams_fresh_tweets_into_a_fresh_store(kafka_broker: Broker, tmp_path: Path) -> None:
    """The demo looped the 5,000-tweet sample with renamed ids into one ever-growing data/demo.db:
    three runs held 65,815 rows and 4,402 distinct texts, while the page started from 0 each time."""
    topic = f"demo-{free_port()}"
    runs = []
    for run in (1, 2):
        summary = tmp_path / f"summary-{run}.json"
        argv = [
            sys.executable,
            "-m",
            "tweetpulse.cli",
            "demo",
            "--no-kafka-setup",
            "--workers",
            "1",
            "--rate",
            "200",
            "--duration",
            "8",
            "--port",
            str(free_port()),
            "--topic",
            topic,
            "--bootstrap-servers",
            kafka_broker.bootstrap,
            "--summary-json",
            str(summary),
        ]
        done = run_tree(argv, cwd=tmp_path, timeout=180)  # the default store is data/demo.db under the cwd
        assert done.returncode == 0, done.stdout + done.stderr
        runs.append((done.stdout, json.loads(summary.read_text())))
    (first_out, first), (second_out, second) = runs
    assert "a fresh store data/demo.db (--store PATH keeps one across runs)" in first_out
    assert "a fresh store data/demo.db (the last run's is now data/demo.previous.db" in second_out
    stores = {
        "previous": read_frame(tmp_path / "data" / "demo.previous.db"),
        "now": read_frame(tmp_path / "data" / "demo.db"),
    }
    for frame, summary in ((stores["previous"], first), (stores["now"], second)):
        assert len(frame) == summary["stored"] >= 200  # each store holds its own run only
        assert summary["duplicates"] == 0 and summary["dead"] == 0  # no id was delivered twice
        assert frame["text"].nunique() / len(frame) > 0.85  # composed on the fly: no loop of the sample
    assert not set(stores["previous"]["id"]) & set(stores["now"]["id"])
    assert len(set(stores["previous"]["text"]) & set(stores["now"]["text"])) < 0.05 * len(stores["now"])


def test_a_named_store_is_kept_across_runs_and_the_demo_says_so(kafka_broker: Broker, tmp_path: Path) -> None:
    argv = demo(
        tmp_path, kafka_broker.bootstrap, "--no-kafka-setup", "--duration", "2", "--topic", f"demo-{free_port()}"
    )
    done = run_tree(argv, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"adding to the store {tmp_path / 'demo.db'} (kept across runs)" in done.stdout
    assert not (tmp_path / "demo.previous.db").exists()
