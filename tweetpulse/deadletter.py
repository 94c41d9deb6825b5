"""Messages that break the record contract are set aside, never dropped: the dead-letter policy.

A worker calls its :class:`DeadLetterPolicy` with each message it can't use and the reason, then
:meth:`~DeadLetterPolicy.flush` before it stores the batch's offsets. :class:`DeadLetterTopic`,
the policy the listener uses, produces the message's original key, value and headers to
``<topic>.dlq`` with headers saying why (``tweetpulse.reason``, ``tweetpulse.error``) and where
it came from (``tweetpulse.source.topic/partition/offset``).
"""

from __future__ import annotations

from typing import Protocol

from confluent_kafka import Message

from tweetpulse.config import KafkaConfig
from tweetpulse.errors import DeadLetterFailed, InvalidRecord
from tweetpulse.kafka.producer import TweetProducer

Headers = list[tuple[str, str | bytes | None]]


def dead_letter_headers(msg: Message, err: InvalidRecord) -> Headers:
    """``msg``'s own headers, then why it was set aside and where it came from."""
    headers: Headers = list(msg.headers() or [])  # type: ignore[arg-type]
    headers += [
        ("tweetpulse.reason", err.reason.encode()),
        ("tweetpulse.error", err.detail.encode("utf-8", "replace")),
        ("tweetpulse.source.topic", (msg.topic() or "").encode()),
        ("tweetpulse.source.partition", str(msg.partition()).encode()),
        ("tweetpulse.source.offset", str(msg.offset()).encode()),
    ]
    return headers


class DeadLetterPolicy(Protocol):
    """What a worker does with a message it can't use."""

    def __call__(self, msg: Message, err: InvalidRecord) -> None:
        """Set ``msg`` aside because of ``err``."""
        ...

    def flush(self) -> None:
        """Make sure what was set aside is kept; raise :class:`DeadLetterFailed` if it can't be."""
        ...

    def close(self) -> None: ...


class DeadLetterTopic:
    """The policy of the listener: produce to ``kafka.dlq_topic`` (the producer is made on the first one)."""

    def __init__(self, kafka: KafkaConfig, timeout: float = 30.0) -> None:
        self.topic = kafka.dlq_topic
        self.timeout = timeout
        self.producer = TweetProducer(kafka, **{"linger.ms": 5})
        self.pending = 0

    def __call__(self, msg: Message, err: InvalidRecord) -> None:
        self.producer.produce(msg.key(), msg.value(), self.topic, dead_letter_headers(msg, err))
        self.pending += 1

    def flush(self) -> None:
        if self.pending and self.producer.flush(self.timeout) > 0:
            raise DeadLetterFailed(
                f"dead letters could not be delivered to {self.topic} within {self.timeout:.0f}s; "
                "not committing this batch (it is consumed again once the broker takes writes)"
            )
        self.pending = 0

    def close(self) -> None:
        self.producer.close()
