"""The producer's delivery failures: one log line when they start, not one per tweet nor one per flap."""

from __future__ import annotations

import logging

import pytest
from confluent_kafka import KafkaError, Message

import tweetpulse.kafka.producer as producer_module
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.logs import FORGET_AFTER
from tweetpulse.kafka.producer import TweetProducer

TIMED_OUT = KafkaError(KafkaError._MSG_TIMED_OUT)


def delivery_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "delivery to" in r.getMessage()]


def test_failures_flapping_with_successes_are_one_line_until_a_quiet_spell(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(producer_module.time, "monotonic", lambda: now[0])
    producer = TweetProducer(KafkaConfig(bootstrap_servers="127.0.0.1:1"))  # no client is made
    msg = Message(topic="tweets", key=b"1", value=b"{}")
    with caplog.at_level(logging.ERROR, logger="tweetpulse.kafka.producer"):
        for _ in range(3):  # a cluster coming back partition by partition: failures between successes
            for _ in range(50):
                now[0] += 0.1
                producer._on_delivery(TIMED_OUT, msg)
            producer._on_delivery(None, msg)
        assert len(delivery_lines(caplog)) == 1
        now[0] += FORGET_AFTER + 1  # a new outage, long after the last failure: told again
        producer._on_delivery(TIMED_OUT, msg)
    assert len(delivery_lines(caplog)) == 2
    assert producer.stats.failed == 151 and producer.stats.delivered == 3
