"""kafka-setup.sh: start/stop/status/topics on a real broker, and clear errors for broken setups."""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Broker, free_port
from tweetpulse.kafka.admin import partition_count, wait_ready
from tweetpulse.kafka.config import KafkaConfig


@pytest.fixture
def own_env(kafka_broker: Broker) -> Iterator[dict[str, str]]:
    """Settings for a second, private broker (own ports and state), cleaned up after."""
    state = Path(tempfile.mkdtemp(prefix="tweetpulse-kafka-own-"))
    env = {
        **kafka_broker.env,
        "KAFKA_PORT": str(free_port()),
        "KAFKA_CONTROLLER_PORT": str(free_port()),
        "KAFKA_STATE_DIR": str(state),
        "KAFKA_HEAP": "256m",
    }
    yield env
    Broker("", state, env).setup("stop")
    shutil.rmtree(state, ignore_errors=True)


def test_session_broker_answers_and_has_the_topics(kafka_broker: Broker) -> None:
    config = KafkaConfig(bootstrap_servers=kafka_broker.bootstrap)
    topics = wait_ready(config, timeout=10)
    assert "tweets" in topics and "tweets.dlq" in topics
    assert "prices" in topics and "prices.dlq" in topics  # tweetpulse prices' ticks
    # 12 partitions: 1, 2, 3, 4, 6 or 12 workers share them evenly (issue 23 point 6; it was 3)
    assert partition_count(config) == 12
    assert partition_count(KafkaConfig(bootstrap_servers=kafka_broker.bootstrap, topic="tweets.dlq")) == 1


def test_start_twice_status_stop_and_restart_downloads_nothing(kafka_broker: Broker, own_env: dict[str, str]) -> None:
    broker = Broker(f"127.0.0.1:{own_env['KAFKA_PORT']}", Path(own_env["KAFKA_STATE_DIR"]), own_env)
    first = broker.setup("start")
    assert first.returncode == 0, first.stderr
    assert "Kafka is up" in first.stdout
    assert "fetching" not in first.stdout  # the session already fetched the jars: cached
    again = broker.setup("start")
    assert again.returncode == 0 and "already running" in again.stdout
    status = broker.setup("status")
    assert status.returncode == 0 and f"127.0.0.1:{own_env['KAFKA_PORT']}" in status.stdout
    assert wait_ready(KafkaConfig(bootstrap_servers=broker.bootstrap), timeout=10)
    stopped = broker.setup("stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    down = broker.setup("status")
    assert down.returncode == 3 and "not running" in down.stdout
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", int(own_env["KAFKA_PORT"]))) != 0
    restarted = broker.setup("start")
    assert restarted.returncode == 0, restarted.stderr
    assert "fetching" not in restarted.stdout
    topics = broker.setup("topics")
    assert topics.returncode == 0 and "tweets.dlq" in topics.stdout.split()


def test_port_taken_is_explained(kafka_broker: Broker, own_env: dict[str, str]) -> None:
    taken = kafka_broker.bootstrap.rsplit(":", 1)[1]
    result = Broker("", None, own_env).setup("start", KAFKA_PORT=taken)
    assert result.returncode != 0
    assert f"port {taken} is taken" in result.stderr and "KAFKA_PORT" in result.stderr


def test_no_java_is_explained(own_env: dict[str, str]) -> None:
    result = Broker("", None, own_env).setup("start", JAVA="/nonexistent/java")
    assert result.returncode != 0
    assert "java not found" in result.stderr and "install a JDK" in result.stderr


def test_no_maven_is_explained(own_env: dict[str, str], tmp_path: Path) -> None:
    result = Broker("", None, own_env).setup("start", MVN="/nonexistent/mvn", KAFKA_LIBS_DIR=str(tmp_path / "libs"))
    assert result.returncode != 0
    assert "mvn not found" in result.stderr and "Maven" in result.stderr


def test_broker_not_answering_in_time_is_explained(own_env: dict[str, str]) -> None:
    result = Broker("", None, own_env).setup("start", KAFKA_START_TIMEOUT="0")
    assert result.returncode != 0
    assert "did not open port" in result.stderr and "KAFKA_START_TIMEOUT" in result.stderr
    assert "last lines of" in result.stderr  # the tail of the broker log comes with it
    status = Broker("", None, own_env).setup("status")
    assert status.returncode == 3  # the half-started broker was not left behind


def test_external_cluster_only_creates_topics(kafka_broker: Broker, own_env: dict[str, str]) -> None:
    result = Broker("", None, own_env).setup(
        "start", KAFKA_BOOTSTRAP_SERVERS=kafka_broker.bootstrap, TWEETS_TOPIC="external-check", TWEETS_PARTITIONS="4"
    )
    assert result.returncode == 0, result.stderr
    assert "nothing to start" in result.stdout and "external-check (4 partitions)" in result.stdout
    topics = wait_ready(KafkaConfig(bootstrap_servers=kafka_broker.bootstrap))
    assert {"external-check", "external-check.dlq"} <= set(topics)
    assert partition_count(KafkaConfig(bootstrap_servers=kafka_broker.bootstrap, topic="external-check")) == 4


def fake_kafka_home(root: Path, libs: Path) -> Path:
    """An installation laid out like Apache Kafka's binary distribution (bin/*.sh with the same
    arguments), whose scripts run the jars kafka-setup.sh fetched."""
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True)
    scripts = {
        "kafka-storage.sh": 'exec java -cp "$LIBS/*" kafka.tools.StorageTool "$@"',
        "kafka-topics.sh": 'exec java -Xmx256m -cp "$LIBS/*" org.apache.kafka.tools.TopicCommand "$@"',
        "kafka-server-start.sh": 'exec java $KAFKA_HEAP_OPTS $KAFKA_LOG4J_OPTS -cp "$LIBS/*" kafka.Kafka "$@"',
    }
    for name, body in scripts.items():
        script = bin_dir / name
        script.write_text(f'#!/usr/bin/env bash\nLIBS="{libs}"\n{body}\n')
        script.chmod(0o755)
    return root


def test_kafka_home_installation_is_used(kafka_broker: Broker, own_env: dict[str, str], tmp_path: Path) -> None:
    libs = Path(own_env.get("KAFKA_LIBS_DIR", Path(__file__).resolve().parents[2] / ".kafka" / "libs"))
    home = fake_kafka_home(tmp_path / "kafka", libs)
    broker = Broker(
        f"127.0.0.1:{own_env['KAFKA_PORT']}", Path(own_env["KAFKA_STATE_DIR"]), {**own_env, "KAFKA_HOME": str(home)}
    )
    started = broker.setup("start")
    assert started.returncode == 0, started.stderr
    assert f"from {home}" in started.stdout
    assert {"tweets", "tweets.dlq"} <= set(wait_ready(KafkaConfig(bootstrap_servers=broker.bootstrap)))
    assert broker.setup("stop").returncode == 0


def test_kafka_home_without_scripts_is_explained(own_env: dict[str, str], tmp_path: Path) -> None:
    result = Broker("", None, own_env).setup("start", KAFKA_HOME=str(tmp_path))
    assert result.returncode != 0 and "has no bin/kafka-topics.sh" in result.stderr
