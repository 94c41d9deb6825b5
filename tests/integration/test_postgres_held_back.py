"""The PostgreSQL page says why it shows nothing new while a transaction is open elsewhere.

The store's tail reads only rows of transactions below the oldest one still open on the server
(see :mod:`tweetpulse.stores.postgres`), so an idle-in-transaction session anywhere holds the page
back. It used to freeze silently; the status line now names the transaction that holds it.
"""

from __future__ import annotations

import time

import psycopg

from benchmarks.tick import FakeClock
from tests.support.stores import scored_tweet as tweet
from tweetpulse.dashboard.callbacks import PageModel, tick
from tweetpulse.dashboard.standalone import StoreFollower
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.stores import open_store


def test_an_open_transaction_that_holds_the_page_back_is_named_on_it(pg_store_url: str) -> None:
    now = time.time()
    with open_store(pg_store_url) as writer:
        writer.insert([tweet(i, now - 5) for i in range(5)])
        follower = StoreFollower(pg_store_url, Aggregator())
        follower.backfill()
        model = PageModel(aggregator=follower.aggregator, groups=["overall", "bitcoin"], clock=FakeClock(now))
        model.notice = lambda: follower.notice
        try:
            assert follower.check_held_back() is None
            with psycopg.connect(pg_store_url) as blocker:
                pid = blocker.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
                blocker.execute("SELECT pg_current_xact_id()")  # an id: older than the writer's next one
                writer.insert([tweet(i, now - 1) for i in range(5, 9)])
                assert follower.poll_once() == 0  # held back
                notice = follower.check_held_back()
                assert notice is not None and f"pid {pid}" in notice and "idle in transaction" in notice
                status = tick(model, "cumulative", None)
                assert status["status.className"] == "tp-status stale"
                assert status["status-text.children"].startswith(notice)
                blocker.rollback()
            assert follower.poll_once() == 4
            assert follower.check_held_back() is None
            assert tick(model, "cumulative", None)["status-text.children"].startswith("live")
        finally:
            follower.stop()
