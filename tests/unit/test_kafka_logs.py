"""librdkafka's log lines: the fresh-broker idempotence notice at DEBUG, real warnings untouched."""

from __future__ import annotations

import logging

import pytest

from tweetpulse.config import KafkaConfig
from tweetpulse.kafka.logs import LibrdkafkaLog

FMT = "%s [%s] %s"
# as confluent-kafka hands it over on a fresh broker (captured from kafka-setup.sh's broker)
PID_NOTICE = (
    "GETPID",
    "rdkafka#producer-1",
    "[thrd:main]: Failed to acquire idempotence PID from broker "
    "127.0.0.1:39192/1: Broker: Coordinator load in progress: retrying",
)


def levels(caplog: pytest.LogCaptureFixture, level: int, args: tuple[str, str, str]) -> list[int]:
    log = LibrdkafkaLog(logging.getLogger("tweetpulse.kafka"))
    with caplog.at_level(logging.DEBUG, logger="tweetpulse.kafka"):
        log.log(level, FMT, *args)
    return [r.levelno for r in caplog.records]


def test_the_idempotence_pid_notice_goes_to_debug(caplog: pytest.LogCaptureFixture) -> None:
    assert levels(caplog, logging.WARNING, PID_NOTICE) == [logging.DEBUG]
    assert "Coordinator load in progress" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    ("level", "args"),
    [
        (
            logging.ERROR,
            (
                "FAIL",
                "rdkafka#producer-1",
                "[thrd:127.0.0.1:1/bootstrap]: Connect to ipv4#127.0.0.1:1 failed: Connection refused",
            ),
        ),
        (
            logging.WARNING,
            (
                "GETPID",
                "rdkafka#producer-1",
                "[thrd:main]: Failed to acquire idempotence PID from broker "
                "b:9092/1: Broker: Cluster authorization failed: retrying",
            ),
        ),
        (
            logging.WARNING,
            (
                "CONFWARN",
                "rdkafka#consumer-1",
                "[thrd:app]: Configuration property acks is a producer "
                "property and will be ignored by this consumer instance",
            ),
        ),
    ],
)
def test_real_warnings_keep_their_level(
    level: int, args: tuple[str, str, str], caplog: pytest.LogCaptureFixture
) -> None:
    assert levels(caplog, level, args) == [level]


def test_every_client_gets_the_filtering_logger() -> None:
    logger = KafkaConfig().client_conf()["logger"]
    assert isinstance(logger, LibrdkafkaLog) and logger.logger.name == "tweetpulse.kafka"


def test_not_shown_by_default_nor_with_verbose(caplog: pytest.LogCaptureFixture) -> None:
    """The CLI logs at WARNING (INFO with -v): the notice no longer reaches the console."""
    log = LibrdkafkaLog(logging.getLogger("tweetpulse.kafka"))
    with caplog.at_level(logging.INFO):
        log.log(logging.WARNING, FMT, *PID_NOTICE)
    assert caplog.records == []
