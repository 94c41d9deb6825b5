"""A private Kafka broker for one benchmark session, and fresh topics on it (deleted afterwards); the
tests use its topic helpers.

:func:`private_broker` starts a single-node broker through ``./kafka-setup.sh start`` on two free
ports with its state in a temporary folder (the jars are the ones ``kafka-setup.sh`` keeps in
``.kafka/libs``, shared with ``make kafka`` and the tests), and always stops it again: on a normal
exit, on an error, on Ctrl-C and on SIGTERM. It never touches a broker on 9092.

Set ``TWEETPULSE_BENCH_BOOTSTRAP=host:port`` to benchmark against a broker you already run
instead (nothing is started or stopped then).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from tweetpulse.kafka.config import KafkaConfig

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "kafka-setup.sh"
BOOTSTRAP_ENV = "TWEETPULSE_BENCH_BOOTSTRAP"
HEAP = "512m"


class BrokerError(RuntimeError):
    """The private broker could not be started."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Broker:
    """Where the benchmark's broker is; ``state_dir`` is ``None`` for an external broker."""

    bootstrap: str
    state_dir: Path | None
    env: dict[str, str]
    started_in_s: float = 0.0
    warm_up_s: float = 0.0

    @property
    def private(self) -> bool:
        return self.state_dir is not None

    def setup(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run kafka-setup.sh against this broker."""
        return subprocess.run([str(SETUP), *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def describe(self) -> dict[str, object]:
        return {
            "bootstrap": self.bootstrap,
            "private": self.private,
            "heap": HEAP if self.private else None,
            "started_in_s": round(self.started_in_s, 1),
            "warm_up_s": round(self.warm_up_s, 1),
        }


class _Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so that ``finally`` blocks (stopping the broker) run."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(f"signal {signum}")


@contextmanager
def private_broker() -> Iterator[Broker]:
    """A broker for the session: ``TWEETPULSE_BENCH_BOOTSTRAP``'s, or a private one stopped afterwards."""
    external = os.environ.get(BOOTSTRAP_ENV)
    if external:
        broker = Broker(external, None, dict(os.environ))
        broker.warm_up_s = warm_up(broker)
        yield broker
        return
    state = Path(tempfile.mkdtemp(prefix="tweetpulse-bench-kafka-"))
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_HOME")}
    port, controller = free_port(), free_port()
    while controller == port:
        controller = free_port()
    env.update(
        KAFKA_PORT=str(port),
        KAFKA_CONTROLLER_PORT=str(controller),
        KAFKA_STATE_DIR=str(state),
        KAFKA_HEAP=HEAP,
        TWEETS_TOPIC=f"bench-{uuid.uuid4().hex[:8]}",
    )
    broker = Broker(f"127.0.0.1:{port}", state, env)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        started = time.monotonic()
        result = broker.setup("start")
        broker.started_in_s = time.monotonic() - started
        if result.returncode != 0:
            raise BrokerError(
                f"the benchmark broker did not start (kafka-setup.sh start exited "
                f"{result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        broker.warm_up_s = warm_up(broker)
        yield broker
    finally:
        # a second Ctrl-C while stopping must not leave a broker behind
        previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            broker.setup("stop", timeout=60)
        finally:
            signal.signal(signal.SIGINT, previous_int)
            signal.signal(signal.SIGTERM, previous)
            shutil.rmtree(state, ignore_errors=True)


def warm_up(broker: Broker, timeout: float = 60.0) -> float:
    """Make the broker's first-use costs happen before anything is timed; seconds taken.

    A new broker creates ``__consumer_offsets`` and loads its coordinators on the first consumer
    group and the first idempotent producer (seconds of "coordinator load in progress"); this
    produces a few records idempotently and consumes them in a group, committing, on a scratch topic.
    """
    from confluent_kafka import Consumer

    from tweetpulse.kafka.producer import TweetProducer

    started = time.monotonic()
    with fresh_topic(broker, partitions=1, prefix="warmup") as config:
        with TweetProducer(config) as producer:
            for i in range(10):
                producer.produce(str(i), b'{"id": "w", "text": "warm up"}')
        consumer = Consumer(
            config.client_conf(
                **{
                    "group.id": f"warmup-{uuid.uuid4().hex[:8]}",
                    "auto.offset.reset": "earliest",
                    "enable.auto.commit": False,
                }
            )
        )
        try:
            consumer.subscribe([config.topic])
            got = 0
            deadline = time.monotonic() + timeout
            while got < 10 and time.monotonic() < deadline:
                got += len([m for m in consumer.consume(10, 0.5) if m.error() is None])
            if got:
                consumer.commit(asynchronous=False)
        finally:
            consumer.close()
    return time.monotonic() - started


@contextmanager
def fresh_topic(broker: Broker, partitions: int = 3, prefix: str = "bench") -> Iterator[KafkaConfig]:
    """A KafkaConfig on ``broker`` with a new tweets topic (and its .dlq), deleted afterwards."""
    from tweetpulse.kafka.admin import ensure_topics

    config = KafkaConfig(bootstrap_servers=broker.bootstrap, topic=f"{prefix}-{uuid.uuid4().hex[:10]}")
    ensure_topics(config, partitions=partitions)
    try:
        yield config
    finally:
        # a failed clean-up must not hide the figure (the broker goes away anyway)
        with contextlib.suppress(Exception):
            delete_topics(config, [config.topic, config.dlq_topic, config.status_topic])


def delete_topics(config: KafkaConfig, topics: list[str], timeout: float = 15.0) -> None:
    """Delete ``topics`` (a topic already gone is fine): benchmarks and tests clean up their fresh topics."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient

    admin = AdminClient(config.client_conf())  # alive until the futures resolve
    for future in admin.delete_topics(topics, operation_timeout=timeout).values():
        try:
            future.result(timeout)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
                raise
