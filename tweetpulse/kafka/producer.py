"""A reliable producer for tweet records: idempotent, acks=all, batched, nothing dropped.

A tweet the cluster never acknowledges (an outage longer than ``message.timeout.ms``) is counted
and, with ``undelivered``, written to that file as a tweet record (JSONL) for
``tweetpulse stream --source replay --dataset FILE`` to re-send (:class:`UndeliveredFile`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from confluent_kafka import KafkaError, Message, Producer

from tweetpulse.closing import Closing
from tweetpulse.errors import KafkaUnavailable
from tweetpulse.kafka.clients import new_client
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.logs import FORGET_AFTER, ClientLog, client_log
from tweetpulse.records import Tweet, redact_record

log = logging.getLogger(__name__)

PRODUCER_DEFAULTS: dict[str, Any] = {
    "enable.idempotence": True,
    "acks": "all",
    "compression.type": "lz4",
    "linger.ms": 20,
    "batch.size": 1_000_000,
    "queue.buffering.max.messages": 500_000,
    "queue.buffering.max.kbytes": 512 * 1024,
}


UNREACHABLE = frozenset((KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._RESOLVE))


@dataclass
class ProducerStats:
    produced: int = 0
    delivered: int = 0
    failed: int = 0
    last_error: str | None = None


class UndeliveredFile:
    """The tweets the cluster never acknowledged, one record a line, in a file made at the first one."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.ids: list[str] = []
        self._file: BinaryIO | None = None

    def add(self, key: bytes | str | None, value: bytes | None) -> None:
        if value is None:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab")
        self._file.write(value.rstrip(b"\n") + b"\n")
        self.ids.append(key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class TweetProducer(Closing):
    """Produces tweet records to the tweets topic, key = tweet id.

    Use it in a ``with`` block: the client is created on entry and flushed on exit, including
    on Ctrl-C. ``poll(0)`` after each produce serves delivery callbacks, which count delivered
    and failed messages; a full local queue is drained by polling, never by dropping.
    """

    def __init__(self, config: KafkaConfig, *, undelivered: UndeliveredFile | None = None, **overrides: Any) -> None:
        self.config = config
        self.undelivered = undelivered
        self.stats = ProducerStats()
        self._overrides = overrides
        self._producer: Producer | None = None
        self._log: ClientLog | None = None
        self._failing: str | None = None  # the last delivery error, and when it came
        self._failing_at = 0.0
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------
    def open(self) -> None:
        self._client()  # a bad setting is an error at the start of the with block

    def _client(self) -> Producer:
        if self._producer is None:
            conf = self.config.client_conf(**{**PRODUCER_DEFAULTS, **self._overrides})
            conf["error_cb"] = self._on_error
            conf["on_delivery"] = self._on_delivery
            self._log = client_log(conf)
            self._producer = new_client(Producer, conf)
        return self._producer

    def close(self, timeout: float = 30.0) -> int:
        """Flush what is queued; return how many messages could not be delivered in time.

        Those are purged, so their delivery reports count them as failed (and put them in the
        ``undelivered`` file): none is dropped without a word."""
        if self._producer is None:
            return 0
        left = self.flush(timeout)
        if left:
            log.error("%d message(s) still undelivered after %.0fs", left, timeout)
            self._producer.purge()
            self._producer.flush(5)  # serves the purged messages' delivery reports
        self._producer = None
        if self.undelivered is not None:
            self.undelivered.close()
        return left

    def flush(self, timeout: float = 30.0) -> int:
        if self._producer is None:
            return 0
        while True:
            try:
                return int(self._producer.flush(timeout))
            except KeyboardInterrupt:
                # a second Ctrl-C must not lose what is queued: keep flushing
                log.warning("interrupted: still flushing queued messages")

    # -- producing ------------------------------------------------------------------------
    def send(self, tweet: Tweet) -> None:
        redact_record(tweet)  # every source's records pass here: no token reaches the topic
        self.produce(tweet.id, tweet.to_json())

    def produce(
        self,
        key: str | bytes | None,
        value: bytes | None,
        topic: str | None = None,
        headers: list[tuple[str, str | bytes | None]] | None = None,
        on_delivery: Callable[[KafkaError | None, Message | None], None] | None = None,
    ) -> None:
        """Queue one message (``on_delivery``, if given, gets its delivery report instead of the stats)."""
        producer = self._client()
        target = topic or self.config.topic
        while True:
            try:
                if on_delivery is None:
                    producer.produce(target, value, key, headers=headers)
                else:
                    producer.produce(target, value, key, headers=headers, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)  # the local queue is full: wait for deliveries, then retry
        self.stats.produced += 1
        producer.poll(0)

    # -- callbacks ------------------------------------------------------------------------
    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is None:
            self.stats.delivered += 1
            if self._log is not None and self._log.down:
                self._log.reachable()
            return
        self.stats.failed += 1
        self.stats.last_error = err.str()
        now = time.monotonic()
        # one line when deliveries start failing, not one per tweet, nor one per flap while a cluster
        # comes back partition by partition: the same error is told again only after a quiet spell
        if err.str() != self._failing or now - self._failing_at > FORGET_AFTER:
            log.error(
                "delivery to %s failed: %s (and so may the next ones: they are counted, not logged)",
                msg.topic(),
                err.str(),
            )
        self._failing, self._failing_at = err.str(), now
        if self.undelivered is not None:
            self.undelivered.add(msg.key(), msg.value())

    def _on_error(self, err: KafkaError) -> None:
        self.stats.last_error = err.str()
        if err.fatal():
            raise KafkaUnavailable(f"the producer hit a fatal error: {err.str()}")
        if err.code() in UNREACHABLE and self._log is not None:
            self._log.failed(err.str())  # told once per outage, not at every retry
        else:
            log.warning("Kafka: %s", err.str())
