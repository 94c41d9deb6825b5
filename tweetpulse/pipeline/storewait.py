"""Waiting for a store that went away (a PostgreSQL restart, a lost connection): capped exponential
backoff, told in the log and, through the supervisor, on the page's health panel.

A listener worker calls the store through :func:`persist`: while the call raises
:class:`~tweetpulse.errors.StoreUnreachable` it waits 0.5, 1, 2, 4 … up to :data:`CAP` seconds
between attempts and tries the same call again (a batch's insert is one transaction that ignores
ids already stored, so a retry neither loses nor doubles a tweet; its offsets are committed only
after it succeeds). Each wait sends a :class:`StoreWaiting` notice; the first success after waiting
sends :class:`StoreBack`. Other store errors are not waited for: they are the caller's to report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from tweetpulse.errors import StoreUnreachable

log = logging.getLogger(__name__)

FIRST = 0.5
CAP = 30.0
T = TypeVar("T")


class StoreWaiting(NamedTuple):
    """Sent to the supervisor: worker ``worker`` can't reach the store and tries again in ``retry_in`` s."""

    worker: int
    attempt: int
    retry_in: float
    error: str
    since: float  # wall-clock time the store was first found unreachable

    def line(self) -> str:
        return f"store unreachable, retrying in {self.retry_in:.0f} s (attempt {self.attempt}): {self.error}"


class StoreBack(NamedTuple):
    """Sent to the supervisor: worker ``worker`` reached the store again after ``attempts`` failed tries."""

    worker: int
    attempts: int


class Stopping(Exception):
    """The worker was told to stop while it waited for the store (nothing of the batch was committed)."""


class Backoff:
    """Delays ``first``, ``2 × first`` … capped at ``cap`` seconds."""

    def __init__(self, first: float = FIRST, cap: float = CAP) -> None:
        self.first, self.cap = first, cap
        self.delay = first

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.delay * 2, self.cap)
        return delay


def persist(
    call: Callable[[], T],
    *,
    worker: int,
    notify: Callable[[StoreWaiting | StoreBack], None],
    should_stop: Callable[[], bool],
    backoff: Backoff | None = None,
    tick: float = 0.1,
) -> T:
    """``call()``, tried again with backoff while the store is unreachable; :class:`Stopping` when
    ``should_stop`` says so during a wait."""
    backoff = backoff or Backoff()
    attempt = 0
    since = 0.0
    while True:
        try:
            result = call()
        except StoreUnreachable as exc:
            attempt += 1
            since = since or time.time()
            notice = StoreWaiting(worker, attempt, backoff.next(), str(exc), since)
            log.warning("worker %d: %s", worker, notice.line())
            notify(notice)
            deadline = time.monotonic() + notice.retry_in
            while time.monotonic() < deadline:
                if should_stop():
                    raise Stopping from None
                time.sleep(min(tick, max(0.0, deadline - time.monotonic())))
            continue
        if attempt:
            log.warning("worker %d: the store answers again (after %d failed attempt(s))", worker, attempt)
            notify(StoreBack(worker, attempt))
        return result
