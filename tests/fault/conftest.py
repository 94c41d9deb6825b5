"""Fault-tier fixtures: a private broker of its own (kafka-setup.sh on other ports) that a test may stop and start."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import Broker, private_broker_run
from tweetpulse.kafka.config import KafkaConfig


@pytest.fixture(scope="module")
def private_broker() -> Iterator[Broker]:
    """A broker only this module's tests use, so stopping it hurts no other test."""
    yield from private_broker_run("private broker")


@pytest.fixture
def private_kafka(private_broker: Broker) -> KafkaConfig:
    from tweetpulse.kafka.admin import ensure_topics

    config = KafkaConfig(bootstrap_servers=private_broker.bootstrap, topic=f"tweets-{uuid.uuid4().hex[:10]}")
    ensure_topics(config, partitions=3)
    return config
