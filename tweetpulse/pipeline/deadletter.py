"""Messages that break the record contract are set aside, never dropped: the dead-letter policy.

A worker calls its :class:`DeadLetterPolicy` with each message it can't use and the reason, then
:meth:`~DeadLetterPolicy.flush`, which waits until every one of them is acknowledged and returns
those that could not be kept (:class:`Undelivered`): the worker commits nothing of their
partitions. :class:`DeadLetterTopic`, the policy the listener uses, produces the message's
original key, value and headers to ``<topic>.dlq`` with headers saying why (``tweetpulse.reason``,
``tweetpulse.error``) and where it came from (``tweetpulse.source.topic/partition/offset``).

Every ``tweetpulse.*`` header on the dead-letter topic is written here, once: a message's own
headers in that namespace are kept renamed ``original.tweetpulse.*`` (:func:`dead_letter_headers`).

A dead letter too large for the topic still leaves a trace (:func:`fit`): its value is cut to
what fits, and ``tweetpulse.truncated`` (the original size in bytes) and ``tweetpulse.sha256``
(of the whole value) say so. If the broker refuses even that, the letter is sent once more with
only its first :data:`TRACE_BYTES` bytes and our headers.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from confluent_kafka import KafkaError, KafkaException, Message

from tweetpulse.errors import InvalidRecord
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer

log = logging.getLogger(__name__)

Headers = list[tuple[str, str | bytes | None]]

NAMESPACE = "tweetpulse."
RENAMED = "original."  # a message's own tweetpulse.* header goes to the dead-letter topic as original.tweetpulse.*
DEFAULT_MESSAGE_MAX_BYTES = 1_000_000  # librdkafka's message.max.bytes
RECORD_OVERHEAD = 512  # bytes kept free for the record's framing besides key, value and headers
TRACE_BYTES = 1024  # what is left of a value when the broker refused the cut copy too


def dead_letter_headers(msg: Message, err: InvalidRecord) -> Headers:
    """``msg``'s own headers (``tweetpulse.*`` renamed ``original.tweetpulse.*``), then why it was set
    aside and where it came from: every ``tweetpulse.*`` header of a dead letter is ours, once."""
    own = msg.headers() or []
    pairs = own.items() if isinstance(own, dict) else own
    headers: Headers = [(RENAMED + key if key.startswith(NAMESPACE) else key, value) for key, value in pairs]
    headers += [
        ("tweetpulse.reason", err.reason.encode()),
        ("tweetpulse.error", err.detail.encode("utf-8", "replace")),
        ("tweetpulse.source.topic", (msg.topic() or "").encode()),
        ("tweetpulse.source.partition", str(msg.partition()).encode()),
        ("tweetpulse.source.offset", str(msg.offset()).encode()),
    ]
    return headers


def _size(value: str | bytes | None) -> int:
    return len(value.encode() if isinstance(value, str) else value or b"")


def headers_size(headers: Headers) -> int:
    return sum(len(key.encode()) + _size(value) + 8 for key, value in headers)


class Letter(NamedTuple):
    """One dead letter as it is produced: key, value and headers."""

    key: bytes | None
    value: bytes | None
    headers: Headers


def fit(letter: Letter, limit: int) -> Letter:
    """``letter`` as it fits in a record of at most ``limit`` bytes: unchanged when it does; else
    the value cut, with ``tweetpulse.truncated`` and ``tweetpulse.sha256`` saying so (and the
    message's own headers left out, and the key cut, when even they don't fit)."""
    key, value, headers = letter
    room = limit - RECORD_OVERHEAD
    if _size(key) + _size(value) + headers_size(headers) <= room:
        return letter
    original = value or b""
    ours = [(k, v) for k, v in headers if k.startswith(NAMESPACE)]
    marks: Headers = [
        ("tweetpulse.truncated", str(len(original)).encode()),
        ("tweetpulse.sha256", hashlib.sha256(original).hexdigest().encode()),
    ]
    kept = headers + marks
    if headers_size(kept) + _size(key) > room // 2:  # the message's own headers take the room: leave them out
        kept = [*ours, ("tweetpulse.headers.dropped", str(len(headers) - len(ours)).encode()), *marks]
    if key is not None and len(key) > room // 4:
        key = key[: room // 4]
    space = max(0, room - _size(key) - headers_size(kept))
    return Letter(key, original[:space], kept)


class Undelivered(NamedTuple):
    """A dead letter that could not be kept: where its message was, and why."""

    topic: str
    partition: int
    offset: int
    error: str


class DeadLetterPolicy(Protocol):
    """What a worker does with a message it can't use."""

    def __call__(self, msg: Message, err: InvalidRecord) -> None:
        """Set ``msg`` aside because of ``err`` (never raises: a failure is reported by :meth:`flush`)."""
        ...

    def flush(self) -> list[Undelivered]:
        """Wait until everything set aside since the last flush is kept; return what could not be."""
        ...

    def close(self) -> None: ...


def message_max_bytes(kafka: KafkaConfig) -> int:
    """The producer's ``message.max.bytes`` (the user's ``-X`` setting, else librdkafka's default)."""
    try:
        return int(kafka.extra.get("message.max.bytes", DEFAULT_MESSAGE_MAX_BYTES))
    except ValueError:
        return DEFAULT_MESSAGE_MAX_BYTES


class DeadLetterTopic:
    """The policy of the listener: produce to ``kafka.dlq_topic`` (the producer is made on the first one).

    ``timeout`` bounds how long a dead letter may wait for the broker's acknowledgement.
    """

    def __init__(self, kafka: KafkaConfig, timeout: float = 30.0) -> None:
        self.topic = kafka.dlq_topic
        self.timeout = timeout
        self.limit = message_max_bytes(kafka)
        settings: dict[str, Any] = {"linger.ms": 5, "message.timeout.ms": int(timeout * 1000)}
        self.producer = TweetProducer(kafka, **settings)
        self.waiting: dict[int, Undelivered] = {}  # id of a letter in flight → where its message was
        self.failed: list[Undelivered] = []
        self.retries: list[tuple[Letter, Undelivered]] = []  # refused for size: sent again as a trace
        self._next = 0

    def __call__(self, msg: Message, err: InvalidRecord) -> None:
        where = Undelivered(msg.topic() or "", msg.partition() or 0, msg.offset() or 0, "")
        self._send(Letter(msg.key(), msg.value(), dead_letter_headers(msg, err)), where, self.limit)

    def _send(self, letter: Letter, where: Undelivered, limit: int) -> None:
        sent = fit(letter, limit)
        if sent is not letter:
            log.warning(
                "dead letter from %s[%d]@%d is %d bytes, too large for %s: sending its first %d bytes",
                where.topic,
                where.partition,
                where.offset,
                len(letter.value or b""),
                self.topic,
                len(sent.value or b""),
            )
        self._next += 1
        ticket = self._next
        self.waiting[ticket] = where
        try:
            self.producer.produce(
                sent.key, sent.value, self.topic, sent.headers, on_delivery=self._reported(ticket, letter, limit)
            )
        except KafkaException as exc:
            self._reported(ticket, letter, limit)(exc.args[0], None)
        except (BufferError, TypeError, ValueError) as exc:
            self._fail(ticket, f"{type(exc).__name__}: {exc}")

    def _reported(self, ticket: int, letter: Letter, limit: int) -> Callable[[KafkaError | None, Message | None], None]:
        def delivered(error: KafkaError | None, _msg: Message | None) -> None:
            if error is None:
                self.waiting.pop(ticket, None)
            elif error.code() == KafkaError.MSG_SIZE_TOO_LARGE and limit > TRACE_BYTES + RECORD_OVERHEAD:
                # the topic takes less than the producer allows: leave a trace of what fits anyway
                # (sent by flush: a delivery callback must not produce)
                trace = Letter(letter.key, letter.value, [h for h in letter.headers if h[0].startswith(NAMESPACE)])
                self.retries.append((trace, self.waiting.pop(ticket)))
            else:
                self._fail(ticket, error.str())

        return delivered

    def _fail(self, ticket: int, error: str) -> None:
        where = self.waiting.pop(ticket)
        self.failed.append(where._replace(error=error))

    def flush(self) -> list[Undelivered]:
        while self.waiting or self.retries:
            for trace, where in self.retries:
                self._send(trace, where, TRACE_BYTES + RECORD_OVERHEAD)
            self.retries = []
            self.producer.flush(self.timeout + 5)  # message.timeout.ms makes every letter report by then
            if not self.retries:
                break
        for ticket in list(self.waiting):
            self._fail(ticket, f"not acknowledged by {self.topic} within {self.timeout:.0f}s")
        failed, self.failed = self.failed, []
        return failed

    def close(self) -> None:
        self.producer.close()
