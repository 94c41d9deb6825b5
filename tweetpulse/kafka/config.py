"""How to reach Kafka: where the cluster is, which topic, extra librdkafka settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tweetpulse.errors import ConfigError
from tweetpulse.kafka.logs import ClientLog

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_TOPIC = "tweets"
DEFAULT_PARTITIONS = 12  # shared evenly by 1, 2, 3, 4, 6 or 12 workers
DEFAULT_KAFKA_TIMEOUT = 15.0  # seconds to wait for the cluster to answer before saying it doesn't


def default_bootstrap() -> str:
    """``KAFKA_BOOTSTRAP_SERVERS`` when set, else the local broker of ``kafka-setup.sh``."""
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or DEFAULT_BOOTSTRAP


def dlq_topic_for(topic: str) -> str:
    """The dead-letter topic that goes with ``topic``."""
    return f"{topic}.dlq"


@dataclass(frozen=True)
class KafkaConfig:
    """How to reach the cluster. Plain data: safe to pass to worker processes.

    ``timeout``: how long to wait for the cluster to answer (readiness, topic creation).
    """

    bootstrap_servers: str = field(default_factory=default_bootstrap)
    topic: str = DEFAULT_TOPIC
    extra: dict[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_KAFKA_TIMEOUT

    @property
    def dlq_topic(self) -> str:
        return dlq_topic_for(self.topic)

    @property
    def status_topic(self) -> str:
        """Where the streamer says how its source is doing (compacted, one record per source)."""
        return f"{self.topic}.status"

    def client_conf(self, **overrides: Any) -> dict[str, Any]:
        """A librdkafka configuration: bootstrap servers, then ``overrides``, then the user's extras.

        The user's ``-X`` settings come last so they can tune anything for their cluster.
        """
        # librdkafka's own log lines go through Python logging instead of raw stderr, an outage told
        # once rather than at every reconnection attempt
        servers = self.bootstrap_servers
        conf: dict[str, Any] = {"bootstrap.servers": servers, "logger": ClientLog(servers)}
        conf.update(overrides)
        conf.update(self.extra)
        return conf


def parse_client_settings(pairs: list[str] | None = None, config_file: str | None = None) -> dict[str, str]:
    """librdkafka settings from a properties file and ``key=value`` pairs (pairs win).

    The file uses the Java client's ``client.properties`` format: ``key=value`` lines, ``#`` comments.
    """
    settings: dict[str, str] = {}
    if config_file:
        path = Path(config_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"can't read Kafka config file {config_file}: {exc.strerror}; check the path") from None
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith(("#", "!")):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise ConfigError(f"{config_file}:{number}: expected key=value, got {line!r}")
            settings[key.strip()] = value.strip()
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                f"-X {pair!r}: expected a librdkafka setting as key=value, e.g. -X security.protocol=SASL_SSL"
            )
        settings[key.strip()] = value.strip()
    return settings
