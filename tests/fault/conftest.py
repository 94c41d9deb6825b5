"""Fault-tier fixtures: a private broker of its own (kafka-setup.sh on other ports) that a test may stop and start."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Broker, free_port
from tweetpulse.config import KafkaConfig


@pytest.fixture(scope="module")
def private_broker() -> Iterator[Broker]:
    """A broker only this module's tests use, so stopping it hurts no other test."""
    state = Path(tempfile.mkdtemp(prefix="tweetpulse-private-kafka-"))
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_HOME")}
    port = free_port()
    env.update(KAFKA_PORT=str(port), KAFKA_CONTROLLER_PORT=str(free_port()), KAFKA_STATE_DIR=str(state),
               KAFKA_HEAP="384m")
    broker = Broker(f"127.0.0.1:{port}", state, env)
    started = broker.setup("start")
    if started.returncode != 0:
        shutil.rmtree(state, ignore_errors=True)
        pytest.fail(f"the private broker did not start:\n{started.stdout}\n{started.stderr}", pytrace=False)
    try:
        yield broker
    finally:
        broker.setup("stop")
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def private_kafka(private_broker: Broker) -> KafkaConfig:
    from tweetpulse.kafka.admin import ensure_topics

    config = KafkaConfig(bootstrap_servers=private_broker.bootstrap, topic=f"tweets-{uuid.uuid4().hex[:10]}")
    ensure_topics(config, partitions=3)
    return config
