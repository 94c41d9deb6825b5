"""A consumer-group member for the tweets topic, whose offsets are stored only once results are persisted.

Use :class:`TweetConsumer` in a ``with`` block: the client is created and subscribed on entry
and closed on exit, which commits the offsets stored so far and leaves the group. Offsets are
never stored as messages arrive (``enable.auto.offset.store`` is off): the caller stores them
with :meth:`TweetConsumer.store_offsets` after the batch's results are safely stored, and the
client commits what was stored in the background. A crash therefore redelivers, never loses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from confluent_kafka import Consumer, Message, TopicPartition

from tweetpulse.closing import Closing
from tweetpulse.kafka.clients import new_client
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.logs import ClientLog, client_log

CONSUMER_DEFAULTS: dict[str, Any] = {
    # offsets are stored by hand once results are persisted, then committed in the background
    "enable.auto.commit": True,
    "enable.auto.offset.store": False,
    "auto.commit.interval.ms": 1000,
    "partition.assignment.strategy": "cooperative-sticky",
    "session.timeout.ms": 6000,  # a dead worker's partitions move on within seconds
    "heartbeat.interval.ms": 250,  # a rebalance (a worker restarted, a host joining) is heard of within 250 ms
    "fetch.wait.max.ms": 100,
}


def consumer_conf(kafka: KafkaConfig, group: str, start_from: str = "earliest") -> dict[str, Any]:
    """The librdkafka settings of a member of ``group`` (the user's ``-X`` settings still win)."""
    return kafka.client_conf(**{"group.id": group, "auto.offset.reset": start_from, **CONSUMER_DEFAULTS})


def next_offsets(messages: Sequence[Message]) -> list[TopicPartition]:
    """The offsets to commit after ``messages``: one past the last message of each partition."""
    last: dict[tuple[str, int], int] = {}
    for msg in messages:
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        if msg.error() is None and topic is not None and partition is not None and offset is not None:
            last[(topic, partition)] = offset
    return [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in last.items()]


class TweetConsumer(Closing):
    """One member of the consumer group ``group`` on ``kafka.topic``; the client is made on first use."""

    def __init__(self, kafka: KafkaConfig, group: str, start_from: str = "earliest") -> None:
        self.kafka = kafka
        self.group = group
        self.start_from = start_from
        self._consumer: Consumer | None = None
        self._log: ClientLog | None = None

    def open(self) -> None:
        self._client()  # a bad setting is an error at the start of the with block

    def _client(self) -> Consumer:
        if self._consumer is None:
            conf = consumer_conf(self.kafka, self.group, self.start_from)
            self._log = client_log(conf)
            self._consumer = new_client(Consumer, conf)
            self._consumer.subscribe([self.kafka.topic])
        return self._consumer

    def consume(self, max_messages: int, timeout: float) -> list[Message]:
        """Up to ``max_messages`` messages, waiting at most ``timeout`` seconds for them."""
        messages = self._client().consume(max_messages, timeout)
        if messages and self._log is not None and self._log.down and messages[-1].error() is None:
            self._log.reachable()  # a message came: the cluster answers again
        return messages

    def store_offsets(self, messages: Sequence[Message]) -> None:
        """Mark ``messages`` done, to be committed: call this only once their results are persisted."""
        offsets = next_offsets(messages)
        if offsets:
            self._client().store_offsets(offsets=offsets)

    def pause(self, partitions: Sequence[TopicPartition]) -> None:
        """Fetch no more from ``partitions`` (until they are assigned anew)."""
        if partitions:
            self._client().pause(list(partitions))

    def close(self) -> None:
        """Commit the offsets stored so far and leave the group."""
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            consumer.close()
