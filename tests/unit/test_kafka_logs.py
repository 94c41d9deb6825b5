"""librdkafka's log lines: reconnection failures told once per outage, the fresh-broker idempotence notice
at DEBUG, real warnings untouched."""

from __future__ import annotations

import logging

import pytest

from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.logs import FORGET_AFTER, ClientLog

FAIL = (
    "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT)"
)


def test_an_outage_is_one_line_down_and_one_line_up(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    client = ClientLog("127.0.0.1:9092", clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="tweetpulse.kafka.logs"):
        for _ in range(500):  # what one worker got in a 30 s outage before
            now[0] += 0.06
            client.log(logging.ERROR, "%s [%s] %s", "FAIL", "rdkafka#consumer-1", FAIL)
        client.reachable()
        client.reachable()
        client.log(logging.WARNING, "%s [%s] %s", "SESSTMOUT", "rdkafka#consumer-1", "session timed out")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert lines[0].startswith("Kafka at 127.0.0.1:9092: broker unavailable (") and "Connection refused" in lines[0]
    assert lines[1] == "Kafka at 127.0.0.1:9092 reachable again (499 failed connection attempts not logged)"
    assert "SESSTMOUT" in lines[2] and caplog.records[2].levelno == logging.WARNING


def test_a_new_outage_long_after_the_last_failure_is_told_again(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    client = ClientLog("b:9092", clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="tweetpulse.kafka.logs"):
        client.failed(FAIL)
        now[0] += FORGET_AFTER + 1  # nobody said it came back (an idle consumer), but nothing failed for long
        client.failed(FAIL)
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Kafka at b:9092: broker unavailable"] * 2


FMT = "%s [%s] %s"
# as confluent-kafka hands it over on a fresh broker (captured from kafka-setup.sh's broker)
PID_NOTICE = (
    "GETPID",
    "rdkafka#producer-1",
    "[thrd:main]: Failed to acquire idempotence PID from broker "
    "127.0.0.1:39192/1: Broker: Coordinator load in progress: retrying",
)


def levels(caplog: pytest.LogCaptureFixture, level: int, args: tuple[str, str, str]) -> list[int]:
    log = ClientLog("b:9092")
    with caplog.at_level(logging.DEBUG, logger="tweetpulse.kafka.logs"):
        log.log(level, FMT, *args)
    return [r.levelno for r in caplog.records]


def test_the_idempotence_pid_notice_goes_to_debug(caplog: pytest.LogCaptureFixture) -> None:
    assert levels(caplog, logging.WARNING, PID_NOTICE) == [logging.DEBUG]
    assert "Coordinator load in progress" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    ("level", "args"),
    [
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
    assert isinstance(logger, ClientLog) and logger.logger.name == "tweetpulse.kafka.logs"


def test_not_shown_by_default_nor_with_verbose(caplog: pytest.LogCaptureFixture) -> None:
    """The CLI logs at WARNING (INFO with -v): the notice no longer reaches the console."""
    log = ClientLog("b:9092")
    with caplog.at_level(logging.INFO):
        log.log(logging.WARNING, FMT, *PID_NOTICE)
    assert caplog.records == []
