"""tweepy's stream reconnect waits, made visible and interruptible.

tweepy's stream loop (``BaseStream._connect``) waits between reconnects by calling the module-level
``tweepy.streaming.sleep`` with its own backoff: 0, 0.25, 0.5 … 16 s after network errors, 5, 10 …
320 s after HTTP errors, from 60 s after a 429. :func:`install` replaces that name (once) with a
function that hands the wait to the waiter registered for the calling thread with :func:`waits_with`
(the stream source reports it, scales it and lets ``close()`` cut it short); other threads get the
original ``sleep``. :class:`OnceOnly` keeps tweepy's stream loop from reporting a fault the stream
source reports itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import tweepy.streaming

log = logging.getLogger(__name__)

Waiter = Callable[[float], None]

_waiters: dict[int, Waiter] = {}
_original_sleep: Callable[[float], None] = time.sleep
_installed = False
_install_lock = threading.Lock()


def _sleep(seconds: float) -> None:
    waiter = _waiters.get(threading.get_ident())
    if waiter is None:
        _original_sleep(seconds)
    else:
        waiter(seconds)


def install() -> None:
    """Route ``tweepy.streaming``'s backoff sleeps through the registered waiters (once)."""
    global _installed, _original_sleep
    with _install_lock:
        if _installed:
            return
        current = getattr(tweepy.streaming, "sleep", None)
        if not callable(current):
            log.warning("tweepy.streaming.sleep not found: stream backoff can't be reported or interrupted")
            return
        _original_sleep = current
        tweepy.streaming.sleep = _sleep
        _installed = True


@contextmanager
def waits_with(waiter: Waiter) -> Iterator[None]:
    """While inside, tweepy's backoff waits in this thread call ``waiter(seconds)`` instead of sleeping."""
    ident = threading.get_ident()
    _waiters[ident] = waiter
    try:
        yield
    finally:
        _waiters.pop(ident, None)


class OnceOnly(logging.Filter):
    """tweepy's stream loop logs every error answer and connection error at ERROR; the source reports
    each fault once itself (cause, and the wait before it retries), so tweepy's copy is dropped
    unless its logger is set to DEBUG (then it stays, as DEBUG)."""

    DUPLICATES = ("HTTP error response text:", "Connection error:")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and isinstance(record.msg, str) and record.msg.startswith(self.DUPLICATES):
            if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
                return False
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


if not any(isinstance(f, OnceOnly) for f in logging.getLogger("tweepy.streaming").filters):
    logging.getLogger("tweepy.streaming").addFilter(OnceOnly())
