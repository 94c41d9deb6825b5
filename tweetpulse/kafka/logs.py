"""librdkafka's log lines, into Python logging: the harmless start-up notices of a fresh broker at DEBUG."""

from __future__ import annotations

import logging
from typing import Any

# (facility, words in the line): transient notices librdkafka logs as warnings although it retries and
# succeeds on its own. On every fresh broker the first idempotent producer is told the transaction
# coordinator is still loading: "Failed to acquire idempotence PID from broker ...: Broker: Coordinator
# load in progress: retrying".
HARMLESS: tuple[tuple[str, tuple[str, ...]], ...] = (("GETPID", ("PID", "Coordinator load in progress", "retrying")),)


def harmless(facility: str, line: str) -> bool:
    return any(facility == fac and all(word in line for word in words) for fac, words in HARMLESS)


class LibrdkafkaLog:
    """What confluent-kafka's ``logger`` setting calls: ``log(level, "%s [%s] %s", facility, client, line)``.

    Passes every line on to ``logger`` at its own level, except the :data:`HARMLESS` ones, which go
    at DEBUG (``-v`` does not show them either; configure ``tweetpulse.kafka`` at DEBUG to see them).
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def log(self, level: int, msg: str, *args: Any) -> None:
        if level > logging.DEBUG and len(args) == 3 and harmless(str(args[0]), str(args[2])):
            level = logging.DEBUG
        self.logger.log(level, msg, *args)
