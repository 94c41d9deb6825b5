"""Running ``tweetpulse spark`` in tests: a real Spark (``local[2]``, small heap) as a subprocess.

Spark comes from ``make spark``. A test that needs it and can't have it fails under ``CI=true``
and is skipped elsewhere with the command that installs it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from tweetpulse.errors import ConfigError
from tweetpulse.kafka.config import KafkaConfig

# two cores shared with other work: two task slots, a small driver heap, no web UI
SPARK_ARGS = [
    "--master",
    "local[2]",
    "--conf",
    "spark.driver.memory=512m",
    "--conf",
    "spark.ui.enabled=false",
    "--conf",
    "spark.sql.shuffle.partitions=2",
]


def require_spark() -> None:
    """Fail (under CI=true) or skip when pyspark or the connector's jars are missing."""
    from tweetpulse.spark.runtime import connector_jars

    try:
        connector_jars()
    except ConfigError as exc:
        message = f"Spark is not set up: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@dataclass
class SparkRun:
    """One ``tweetpulse spark`` process; :meth:`wait` gives its exit code and summary."""

    process: subprocess.Popen[str]
    summary_path: Path
    log_path: Path

    def wait(self, timeout: float = 300.0) -> tuple[int, dict[str, Any]]:
        code = self.process.wait(timeout)
        summary = json.loads(self.summary_path.read_text()) if self.summary_path.exists() else {}
        return code, summary

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the driver (the Python process) and wait until its JVM and Python workers are gone too."""
        children = psutil.Process(self.process.pid).children(recursive=True)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        _, alive = psutil.wait_procs(children, timeout=60)
        assert not alive, f"the driver's children outlived it: {alive}"


def start_spark(kafka: KafkaConfig, store: str, checkpoint: Path, out: Path, *extra: str) -> SparkRun:
    """Start ``tweetpulse spark`` on ``kafka``'s topic into ``store`` (its summary and log go under ``out``)."""
    out.mkdir(parents=True, exist_ok=True)
    runs = len(list(out.glob("summary-*.json"))) + len(list(out.glob("log-*.txt")))
    summary, log = out / f"summary-{runs}.json", out / f"log-{runs}.txt"
    args = [
        *("--bootstrap-servers", kafka.bootstrap_servers, "--topic", kafka.topic),
        *("--store", store, "--checkpoint", str(checkpoint), "--summary-json", str(summary)),
        *SPARK_ARGS,
        *extra,
    ]
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tweetpulse.cli", "spark", *args], stdout=sink, stderr=subprocess.STDOUT, text=True
        )
    return SparkRun(process, summary, log)


def run_spark(kafka: KafkaConfig, store: str, checkpoint: Path, out: Path, *extra: str) -> dict[str, Any]:
    """One run until it is idle for 3 s; its summary (the run must succeed)."""
    run = start_spark(kafka, store, checkpoint, out, "--idle-exit", "3", *extra)
    code, summary = run.wait()
    assert code == 0, run.log()[-4000:]
    return summary


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.2)
