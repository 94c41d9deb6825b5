"""The workers of one listener start together in one consumer-group generation, each with its share.

A listener's workers join the group a few milliseconds apart. With a broker that forms a group at
the first member's join (``group.initial.rebalance.delay.ms=0``), the first worker got every
partition and the others waited for two cooperative rebalance rounds, idle for a second or two, while
it worked alone (the start of every benchmark run). The broker ``kafka-setup.sh`` starts waits a
moment for the rest of a new group (Kafka's own default waits 3 s), so each worker's first
assignment is already its share.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.consumer import TweetConsumer

PARTITIONS = 6  # the kafka6 fixture's topic


def first_assignment(kafka: KafkaConfig, group: str, start_after: float, got: list[int]) -> None:
    """Join ``group`` at ``start_after`` (monotonic), poll until something is assigned, note how many."""
    while time.monotonic() < start_after:
        time.sleep(0.001)
    with TweetConsumer(kafka, group) as consumer:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            consumer.consume(100, 0.05)
            assigned = consumer._client().assignment()
            if assigned:
                got.append(len(assigned))
                break
        # stay in the group until the other member has its first assignment too
        while len(got) < 2 and time.monotonic() < deadline:
            consumer.consume(100, 0.05)


@pytest.mark.parametrize("apart", [0.0, 0.03])
def test_members_joining_together_each_get_their_share_first(kafka6: KafkaConfig, apart: float) -> None:
    group = f"join-{uuid.uuid4().hex[:8]}"
    got: list[int] = []
    start = time.monotonic() + 0.2
    members = [
        threading.Thread(target=first_assignment, args=(kafka6, group, start + i * apart, got)) for i in range(2)
    ]
    for member in members:
        member.start()
    for member in members:
        member.join(60)
    # never one member with all six (and the other idle) first: three each from the start
    assert sorted(got) == [PARTITIONS // 2, PARTITIONS // 2]
