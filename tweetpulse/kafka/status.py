"""The source's state on a small Kafka topic, for a page that may run in another process.

The streamer (``tweetpulse stream``, the demo, ``streamer.ipynb``) publishes every change of its
live source's state (:class:`~tweetpulse.sources.live.LiveStatus`) to ``<topic>.status``
(compacted, one partition, key = the source's name) with :class:`StatusPublisher`; a listener's
page reads the latest record per source with :class:`StatusFollower` and shows it in the health
panel as one line (:func:`status_line`): connected, reconnecting (attempt n, next try in s), failing,
with the last error. The records come from the network: each is size-capped and checked field by
field, and only a few sources are kept.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any, TypedDict

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from tweetpulse.closing import Closing
from tweetpulse.kafka.clients import new_client
from tweetpulse.kafka.config import KafkaConfig

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 4096
MAX_TEXT = 300
MAX_SOURCES = 8
FORGET_STOPPED = 300.0
STATES = frozenset(("connecting", "connected", "retrying", "polling", "failing", "disconnected"))


class SourceStatus(TypedDict):
    source: str
    state: str
    attempt: int
    retry_in: float | None
    error: str | None
    produced: int
    at: float  # unix seconds when it was published


def status_record(status: Any, at: float | None = None) -> SourceStatus:
    """The record for a :class:`~tweetpulse.sources.live.LiveStatus`."""
    return SourceStatus(
        source=str(status.source)[:MAX_TEXT],
        state=str(status.state),
        attempt=int(getattr(status, "attempt", 0)),
        retry_in=getattr(status, "retry_in", None),
        error=None if status.last_error is None else str(status.last_error)[:MAX_TEXT],
        produced=int(status.produced),
        at=time.time() if at is None else at,
    )


def parse_status(value: bytes | None) -> SourceStatus | None:
    """A record read from the topic, or None when it isn't one (too big, not JSON, wrong fields)."""
    if value is None or len(value) > MAX_RECORD_BYTES:
        return None
    try:
        obj = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict):
        return None
    source, state, attempt, retry_in = obj.get("source"), obj.get("state"), obj.get("attempt"), obj.get("retry_in")
    error, produced, at = obj.get("error"), obj.get("produced"), obj.get("at")
    if not isinstance(source, str) or not source or state not in STATES:
        return None
    if not isinstance(attempt, int) or not isinstance(produced, int) or not isinstance(at, int | float):
        return None
    if not _count(attempt) or not _count(produced) or not _seconds(at):
        return None
    if retry_in is not None and not _seconds(retry_in):
        return None
    if error is not None and not isinstance(error, str):
        return None
    return SourceStatus(
        source=source[:MAX_TEXT],
        state=state,
        attempt=attempt,
        retry_in=None if retry_in is None else float(retry_in),
        error=None if error is None else error[:MAX_TEXT],
        produced=produced,
        at=float(at),
    )


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _seconds(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e11


def status_line(record: SourceStatus, now: float | None = None) -> str:
    """One line for the page: ``bluesky: reconnecting (attempt 3, next try in 4 s): <error>``."""
    now = time.time() if now is None else now
    name, state, error = record["source"], record["state"], record["error"]
    if state == "retrying":
        left = max(0.0, record["at"] + (record["retry_in"] or 0.0) - now)
        head = f"{name}: reconnecting (attempt {record['attempt']}, next try in {left:.0f} s)"
    elif state == "failing":
        head = f"{name}: failing"
    elif state in ("connected", "polling"):
        return f"{name}: {state}"
    else:
        head = f"{name}: {state}"
    return f"{head}: {error}" if error else head


class StatusPublisher(Closing):
    """``publish(status)`` sends a live source's state to the status topic (a small producer of its own:
    its records are not tweets and must not count as produced ones). Use in a ``with`` block."""

    def __init__(self, config: KafkaConfig) -> None:
        self.config = config
        self._producer: Producer | None = None
        self._lock = threading.Lock()  # a source reports from its own threads

    def publish(self, status: Any) -> None:
        record = status_record(status)
        try:
            with self._lock:
                self._send(record)
        except Exception:  # the status is for the page: never let it stop the stream
            log.debug("could not publish the source's status", exc_info=True)

    def _send(self, record: SourceStatus) -> None:
        if self._producer is None:
            self._producer = new_client(Producer, self.config.client_conf(**{"linger.ms": 0}))
        self._producer.produce(self.config.status_topic, orjson.dumps(record), record["source"].encode())
        self._producer.poll(0)

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.flush(3)
                self._producer = None


class StatusFollower:
    """The latest state of each source on the status topic (at most :data:`MAX_SOURCES`), read on each call."""

    def __init__(self, config: KafkaConfig, poll: float = 0.0) -> None:
        self.config = config
        self.poll = poll
        self.latest: dict[str, SourceStatus] = {}
        self._consumer: Consumer | None = None

    def __call__(self) -> dict[str, SourceStatus]:
        if self._consumer is None:
            conf = self.config.client_conf(
                **{"group.id": f"tweetpulse-status-{uuid.uuid4().hex[:8]}", "enable.auto.commit": False}
            )
            self._consumer = new_client(Consumer, conf)
            self._consumer.assign([TopicPartition(self.config.status_topic, 0, OFFSET_BEGINNING)])
        for message in self._consumer.consume(500, self.poll):
            if message.error() is not None:
                continue
            record = parse_status(message.value())
            if record is None:
                continue
            if record["source"] in self.latest or len(self.latest) < MAX_SOURCES:
                self.latest[record["source"]] = record
        return self.latest

    def line(self, now: float | None = None) -> str | None:
        """The line for the most recently published source (None before any, or when its streamer
        stopped more than :data:`FORGET_STOPPED` seconds ago: a finished run is no news)."""
        statuses = self()
        if not statuses:
            return None
        now = time.time() if now is None else now
        latest = max(statuses.values(), key=lambda r: r["at"])
        if latest["state"] == "disconnected" and now - latest["at"] > FORGET_STOPPED:
            return None
        return status_line(latest, now)

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None
