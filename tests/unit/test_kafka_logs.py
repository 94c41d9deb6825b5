"""librdkafka's reconnection failures told once per outage, other lines passed through."""

from __future__ import annotations

import logging

import pytest

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
