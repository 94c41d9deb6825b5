"""A live source over a websocket (Bluesky's Jetstream, the price feeds).

:func:`open_websocket` is one rule for what a failed connect means: a refusal retrying can't fix (400,
401, 403, 404) is a :class:`~tweetpulse.errors.SourceError` that says what to check, a URL that is none
is a :class:`~tweetpulse.errors.ConfigError`, and anything else (a network error, a timeout, another
status) is a cause to retry for, returned as one line. :class:`WebsocketSource` is the loop around it:
streamed once, connect → read → wait with backoff and connect again, until closed or out of time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Generic, NamedTuple, TypeVar

from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.sources.live import Backoff, Deadline, LiveSource, short

log = logging.getLogger(__name__)
T = TypeVar("T")


class Endpoint(NamedTuple):
    """What a source connects to, and how its messages name it."""

    name: str  # Jetstream, coinbase ...
    shown: str  # the URL as messages show it (the one the user gave)
    option: str  # the option that sets it: --bluesky-url, --coinbase-url ...
    refused: str  # what a refusal refused: "the Jetstream subscription", "the websocket" ...
    check: str  # what to check then: "a Jetstream /subscribe endpoint, e.g. wss://..."


def open_websocket(
    endpoint: Endpoint, url: str, *, open_timeout: float, max_size: int, user_agent: str
) -> ClientConnection | str:
    """A connection to ``url``, or the cause to retry for (see the module docs)."""
    try:
        return connect(url, open_timeout=open_timeout, max_size=max_size, user_agent_header=user_agent)
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (400, 401, 403, 404):
            raise SourceError(
                f"{endpoint.shown} refused {endpoint.refused} ({status}): check {endpoint.option} ({endpoint.check})"
            ) from None
        return f"{endpoint.name} answered {status}"
    except InvalidURI:
        raise ConfigError(f"{endpoint.option} {endpoint.shown!r} is not a valid websocket URL") from None
    except (OSError, InvalidHandshake, TimeoutError) as exc:
        return f"cannot reach {endpoint.name} at {endpoint.shown} ({short(exc)})"


class WebsocketSource(LiveSource, Generic[T]):
    """The reconnecting loop of a websocket source. A subclass calls :meth:`init_socket` (after
    ``init_live``) and defines ``_connect(failures)`` (a connection, or None after a retry's wait) and
    ``_read(ws, deadline)`` (the items of one connection; it calls :meth:`_retry` when it ends for a
    cause worth reconnecting for)."""

    duration: float | None

    def init_socket(self, backoff: Backoff) -> None:
        self._backoff = backoff
        self._ws: ClientConnection | None = None
        self._closed = False
        self._stop = threading.Event()
        self._started = False

    def _connect(self, failures: int) -> ClientConnection | None:
        raise NotImplementedError

    def _read(self, ws: ClientConnection, deadline: Deadline) -> Iterator[T]:
        raise NotImplementedError

    def _close_socket(self) -> bool:
        """Close the connection (from any thread): False when it was closed already."""
        if self._closed:
            return False
        self._closed = True
        self._stop.set()
        ws = self._ws
        if ws is not None:
            ws.close()
        return True

    def _closed_note(self) -> None:
        self.live.set("disconnected")
        log.info("%s closed: %s", self.name, getattr(self, "counts", ""))

    def _stream(self, what: str) -> Iterator[T]:
        """Connect, read, and connect again after a failure, until closed or ``duration`` has passed."""
        if self._started:
            raise SourceError(f"{what} streams once: create a new one")
        self._started = True
        deadline = Deadline(self.duration)
        failures = 0
        while not self._closed and not deadline.passed():
            ws = self._connect(failures)
            if ws is None:
                failures += 1
                continue
            failures = 0
            yield from self._read(ws, deadline)

    def _retry(self, cause: str) -> None:
        """Say why, then wait the next backoff (cut short by :meth:`close`)."""
        if self._closed:
            return
        wait = self._backoff.next()
        self.live.retrying(cause, wait)
        self._stop.wait(wait * self._backoff.scale)
