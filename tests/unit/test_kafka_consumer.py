"""The consumer's settings and the offsets it stores after a batch."""

from __future__ import annotations

from confluent_kafka import KafkaError, Message

from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.consumer import consumer_conf, next_offsets


def test_offsets_are_stored_by_hand_and_the_users_settings_win() -> None:
    kafka = KafkaConfig(bootstrap_servers="b:9092", extra={"session.timeout.ms": "45000"})
    conf = consumer_conf(kafka, "g", "latest")
    assert conf["group.id"] == "g" and conf["auto.offset.reset"] == "latest"
    assert conf["enable.auto.offset.store"] is False and conf["enable.auto.commit"] is True
    assert conf["session.timeout.ms"] == "45000" and conf["bootstrap.servers"] == "b:9092"


def test_next_offsets_are_one_past_the_last_message_of_each_partition() -> None:
    messages = [Message(topic="t", partition=p, offset=o) for p, o in [(0, 4), (1, 9), (0, 5), (1, 10)]]
    messages.append(Message(topic="t", partition=2, offset=99, error=KafkaError(KafkaError._PARTITION_EOF)))
    assert sorted((tp.topic, tp.partition, tp.offset) for tp in next_offsets(messages)) == [("t", 0, 6), ("t", 1, 11)]
    assert next_offsets([]) == []
