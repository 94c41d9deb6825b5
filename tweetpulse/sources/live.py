"""What the free live sources (Bluesky, Mastodon) share: backoff, a bounded set of ids already
produced, a deadline, their connection state, and the redaction of a token from text."""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tweetpulse.closing import Closing
from tweetpulse.errors import SourceError
from tweetpulse.options import Option, positive_float, positive_int
from tweetpulse.secrets import redact
from tweetpulse.sources.base import SkippedRows

log = logging.getLogger(__name__)

StatusCallback = Callable[["LiveStatus"], None]

DEFAULT_POLL_INTERVAL = 30.0  # seconds between searches of a service that is polled (X recent search, Mastodon tags)


def language(text: str) -> str | None:
    """``--lang``: a language code, or None for ``any`` (keep every language)."""
    code = text.strip()
    return None if code.lower() in ("any", "all", "") else code


# the options several live sources share (each source's spec lists the ones it takes)
RECORD = Option(
    "--record",
    "record_path",
    "write every raw API line / produced post's raw event to this JSONL file (x, bluesky, mastodon)",
    metavar="PATH",
)
LANG = Option(
    "--lang",
    "lang",
    "keep posts in this language only (default: %(default)s; 'any' keeps all)",
    language,
    "en",
    metavar="CODE",
)
GIVE_UP_AFTER = Option(
    "--give-up-after",
    "give_up_after",
    "stop after N failed connects in a row when nothing was ever received (default: keep retrying)",
    positive_int,
    metavar="N",
)
POLL_INTERVAL = Option(
    "--poll-interval",
    "poll_interval",
    "seconds between searches of X (--x-mode poll) or of Mastodon's tag timelines (no token) "
    "(poll mode; default: %(default)s)",
    positive_float,
    DEFAULT_POLL_INTERVAL,
    metavar="S",
)


class Backoff:
    """Waits that double after each failure, from ``first`` up to ``cap`` seconds; ``reset()`` after
    a success. ``scale`` multiplies every wait (tests use a tiny one); the unscaled wait is reported."""

    def __init__(self, first: float = 1.0, cap: float = 60.0, scale: float = 1.0) -> None:
        self.first, self.cap, self.scale = first, cap, scale
        self._next = first

    def next(self) -> float:
        wait, self._next = self._next, min(self._next * 2, self.cap)
        return wait

    def reset(self) -> None:
        self._next = self.first


class SeenIds:
    """The ids produced lately (the newest ``size``): a resumed stream's repeats are dropped."""

    def __init__(self, size: int = 200_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """Remember ``key``; False when it was already there."""
        if key in self._ids:
            return False
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True

    def __contains__(self, key: str) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)


class Deadline:
    """``duration`` seconds from now (None: never), on the monotonic clock."""

    def __init__(self, duration: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.at = math.inf if duration is None else clock() + duration

    def left(self) -> float:
        return self.at - self._clock()

    def passed(self) -> bool:
        return self._clock() >= self.at


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """A snapshot of a live source's connection (what ``on_status`` receives)."""

    source: str
    state: str  # connecting | connected | retrying | polling | failing | disconnected
    produced: int
    retries: int
    last_error: str | None
    attempt: int = 0  # failed connects in a row (0 once connected)
    retry_in: float | None = None  # seconds until the next try, while retrying

    def __str__(self) -> str:
        text = f"{self.source}: {self.state}, {self.produced} posts, {self.retries} retries"
        return text + (f" (last: {self.last_error})" if self.last_error else "")


class LiveState:
    """A live source's connection state, reported through ``on_status`` and the log (thread-safe)."""

    def __init__(
        self, source: str, on_status: StatusCallback | None = None, give_up_after: int | None = None, where: str = ""
    ) -> None:
        self.source = source
        self.on_status = on_status
        self.give_up_after = give_up_after  # failed connects in a row, with nothing ever produced
        self.where = where  # what it connects to, for the give-up line
        self.state = "disconnected"
        self.retries = 0
        self.attempt = 0
        self.retry_in: float | None = None
        self.produced = 0
        self.last_error: str | None = None
        self._lock = threading.Lock()

    def set(self, state: str, error: str | None = None) -> None:
        with self._lock:
            self.state = state
            if error is not None:
                self.last_error = error
            if state in ("connected", "polling"):
                self.attempt, self.retry_in = 0, None
            snapshot = self.status()
        if self.on_status is not None:
            try:
                self.on_status(snapshot)
            except Exception:
                log.exception("the on_status callback failed (ignored)")

    def retrying(self, cause: str, wait: float) -> None:
        """Count a retry and report it (``"<cause>, retrying in 4s"``) as a warning; a
        :class:`~tweetpulse.errors.SourceError` instead once ``give_up_after`` connects in a row
        failed and nothing was ever produced."""
        self.retries += 1
        self.attempt += 1
        if self.give_up_after is not None and self.attempt >= self.give_up_after and not self.produced:
            self.retry_in = None
            self.set("failing", cause)
            raise SourceError(self.give_up_line(cause))
        self.retry_in = wait
        message = f"{cause}, retrying in {wait:.3g}s"
        log.warning("%s: %s (attempt %d)", self.source, message, self.attempt)
        self.set("retrying", message)

    def give_up_line(self, cause: str) -> str:
        where = self.where or self.source
        probe = where.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
        return (
            f"{self.source}: could not reach {where}: {self.attempt} connects failed and nothing was received "
            f"(last: {cause}); check the network and the address (e.g. curl -sI {probe}), "
            "or raise --give-up-after"
        )

    def status(self) -> LiveStatus:
        return LiveStatus(
            self.source, self.state, self.produced, self.retries, self.last_error, self.attempt, self.retry_in
        )


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def short(exc: BaseException, limit: int = 160) -> str:
    """One short line about an exception, for messages; a cut line keeps the cause at its end (the
    ``[Errno …] Name or service not known`` that requests buries after the URL)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if len(text) <= limit:
        return text
    causes = _ERRNO.findall(text)
    cause = causes[-1].strip()[:60] if causes else ""
    if cause:
        return f"{text[: limit - len(cause) - 6]}... ({cause})"
    return text[: limit - 3] + "..."


def open_recorder(path: str | os.PathLike[str] | None) -> Any:
    """A JSONL file that raw lines are appended to (one per line, flushed), or None without a path."""
    if path is None:
        return None
    from tweetpulse.sources.recorder import Recorder

    return Recorder(path)


class LiveSource(Closing):
    """What every live source (X, Bluesky, Mastodon) is besides its wire protocol: a
    :class:`~tweetpulse.sources.base.TweetSource` whose connection state is a :class:`LiveState`
    (:attr:`live`: connecting, connected, retrying with its attempt and wait, failing; reported through
    ``on_status``, the log and, by the streamer, the status topic), whose skipped rows are counted, and
    which reports progress on every post (live rates are low). A subclass calls :meth:`init_live` and
    defines ``name``, ``__iter__`` and ``close``; what it says goes through :func:`tweetpulse.secrets.redact`."""

    name: str
    progress_every = 1
    live: LiveState
    skipped: SkippedRows

    def init_live(self, live: LiveState) -> None:
        self.live = live
        self.skipped = SkippedRows()

    def status(self) -> LiveStatus:
        """A snapshot of the connection state (what ``on_status`` receives on every change)."""
        return self.live.status()

    @property
    def state(self) -> str:
        return self.live.state

    @property
    def retries(self) -> int:
        return self.live.retries

    @retries.setter
    def retries(self, value: int) -> None:
        self.live.retries = value

    @property
    def last_error(self) -> str | None:
        return self.live.last_error

    @last_error.setter
    def last_error(self, value: str | None) -> None:
        self.live.last_error = None if value is None else redact(value)

    @property
    def retry_in(self) -> float | None:
        return self.live.retry_in

    def _set_state(self, state: str, *, error: str | None = None, retry_in: float | None = None) -> None:
        """Move to ``state`` (its error redacted, the next try in ``retry_in`` seconds) and tell ``on_status``."""
        self.live.retry_in = retry_in
        self.live.set(state, None if error is None else redact(error))
