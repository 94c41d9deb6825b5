"""librdkafka's log lines, with an unreachable broker told once per change, not once per retry.

While a broker is down librdkafka logs a ``FAIL`` line at every reconnection attempt: about 500
ERROR lines from one worker in a 30 s outage. :class:`ClientLog`, the ``logger`` of every client
(:meth:`tweetpulse.kafka.config.KafkaConfig.client_conf`), turns them into one WARNING when the
connection is lost and one when the client's owner sees it work again (:meth:`ClientLog.reachable`:
a message consumed, a delivery acknowledged). Transient notices that librdkafka logs as warnings
although it retries and succeeds on its own (:data:`HARMLESS`) go at DEBUG; every other line passes
through unchanged.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

KAFKA_LOG = logging.getLogger(__name__)
FORGET_AFTER = 60.0  # seconds without a failure after which the next one is a new outage, told again
# (facility, words in the line): on every fresh broker the first idempotent producer is told the
# transaction coordinator is still loading: "Failed to acquire idempotence PID from broker ...:
# Broker: Coordinator load in progress: retrying".
HARMLESS: tuple[tuple[str, tuple[str, ...]], ...] = (("GETPID", ("PID", "Coordinator load in progress", "retrying")),)


def harmless(facility: str, line: str) -> bool:
    return any(facility == fac and all(word in line for word in words) for fac, words in HARMLESS)


class ClientLog:
    """The librdkafka ``logger`` of one client (it calls ``log(level, "%s [%s] %s", facility, client, text)``)."""

    def __init__(self, servers: str, logger: logging.Logger = KAFKA_LOG, clock: Any = time.monotonic) -> None:
        self.servers = servers
        self.logger = logger
        self.clock = clock
        self.down = False
        self.not_logged = 0
        self._last_failure = 0.0
        self._lock = threading.Lock()  # librdkafka's threads and the owner's both call in

    def log(self, level: int, msg: str, *args: Any) -> None:
        if args and args[0] == "FAIL":
            self.failed(str(args[-1]))
            return
        if level > logging.DEBUG and len(args) == 3 and harmless(str(args[0]), str(args[2])):
            level = logging.DEBUG  # -v does not show it either; configure tweetpulse.kafka.logs at DEBUG
        self.logger.log(level, msg, *args)

    def failed(self, detail: str) -> None:
        """A connection attempt failed: say so if the client was fine, else count it."""
        with self._lock:
            now = self.clock()
            told = self.down and now - self._last_failure < FORGET_AFTER
            self._last_failure = now
            if told:
                self.not_logged += 1
                return
            self.down, self.not_logged = True, 0
        self.logger.warning("Kafka at %s: broker unavailable (%s); retrying until it is back", self.servers, detail)

    def reachable(self) -> None:
        """The client's owner saw the cluster answer: say so once if it was unavailable."""
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down, count = False, self.not_logged
        self.logger.warning(
            "Kafka at %s reachable again (%d failed connection attempts not logged)", self.servers, count
        )


def client_log(conf: dict[str, Any]) -> ClientLog | None:
    """The :class:`ClientLog` of a client configuration (``None`` when the user put another logger)."""
    logger = conf.get("logger")
    return logger if isinstance(logger, ClientLog) else None
