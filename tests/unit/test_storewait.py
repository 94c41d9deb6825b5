"""Waiting for an unreachable store: backoff, notices, and the line on the page's health panel."""

from __future__ import annotations

from typing import Any

import pytest
from dash import html

from tweetpulse.dashboard import panels
from tweetpulse.dashboard.health import listener_health
from tweetpulse.errors import StoreError, StoreUnreachable
from tweetpulse.pipeline.listener import Listener
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.storewait import Backoff, Stopping, StoreBack, StoreWaiting, persist

pytestmark = pytest.mark.unit


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first=0.5, cap=4)
    assert [backoff.next() for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]


def test_persist_waits_while_unreachable_then_says_it_is_back() -> None:
    notices: list[StoreWaiting | StoreBack] = []
    failures = iter([StoreUnreachable("db down"), StoreUnreachable("db starting"), None])

    def call() -> str:
        failure = next(failures)
        if failure is not None:
            raise failure
        return "stored"

    got = persist(call, worker=1, notify=notices.append, should_stop=lambda: False, backoff=Backoff(0.01, 0.02))
    assert got == "stored"
    waits = [n for n in notices if isinstance(n, StoreWaiting)]
    assert [(w.attempt, w.retry_in, w.error) for w in waits] == [(1, 0.01, "db down"), (2, 0.02, "db starting")]
    assert waits[0].since == waits[1].since  # the outage's start, not the attempt's
    assert notices[-1] == StoreBack(1, 2)


def test_persist_does_not_wait_for_other_store_errors_and_stops_when_told() -> None:
    def broken() -> None:
        raise StoreError("disk full")

    with pytest.raises(StoreError, match="disk full"):
        persist(broken, worker=0, notify=lambda n: None, should_stop=lambda: False)

    def down() -> None:
        raise StoreUnreachable("down")

    with pytest.raises(Stopping):
        persist(down, worker=0, notify=lambda n: None, should_stop=lambda: True, backoff=Backoff(5, 5))


def test_the_page_shows_the_store_wait_until_the_store_is_back() -> None:
    listener = Listener(ListenerSettings(store_path=":memory:"), workers=2)
    assert listener.store_status() is None
    listener.store_waits[0] = StoreWaiting(0, 3, 2.0, "can't connect to the store postgresql://h/db", 100.0)
    listener.store_waits[1] = StoreWaiting(1, 4, 8.0, "writing to the store failed", 100.0)
    line = listener.store_status()
    assert line == "store unreachable, retrying in 8 s (attempt 4): writing to the store failed"

    class Running:
        n_workers = 2

        def alive(self) -> int:
            return 2

        store_status = staticmethod(listener.store_status)

    sample: dict[str, Any] = listener_health(Running())()
    assert sample["store"] == line
    values = panels.health_values(
        consumed_rate=0, stored=0, duplicates=0, dead=0, p50=0, p99=0, sample=sample, show_workers=True
    )
    shown = values["health-alerts.children"]
    assert len(shown) == 1 and isinstance(shown[0], html.Div) and shown[0].children == line
    listener.store_waits.clear()
    assert "store" not in listener_health(Running())()
    assert (
        panels.health_values(
            consumed_rate=0, stored=0, duplicates=0, dead=0, p50=0, p99=0, sample={}, show_workers=False
        )["health-alerts.children"]
        == []
    )
