"""What the live price feeds share: a websocket that subscribes at once, reconnects with backoff,
drops ticks it already produced, and counts (never dies of) a malformed frame.

A feed module defines a :class:`WebsocketFeed` subclass with the exchange's subscribe messages and a
``handle(event)`` that turns one decoded frame into ticks (raising :class:`Malformed` for a frame that
breaks the exchange's protocol, :class:`~tweetpulse.errors.SourceError` for a refusal retrying can't
fix). Iterating yields each new tick once; iteration ends on :meth:`close` (any thread) or after
``duration`` seconds. A connection quiet for ``idle_timeout`` seconds (no tick, no heartbeat) is
dropped and made again: a feed never hangs silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.prices.records import PriceTick
from tweetpulse.sources.live import Backoff, Deadline, LiveState, SeenIds, StatusCallback, short
from tweetpulse.sources.websocket import Endpoint, WebsocketSource, open_websocket

log = logging.getLogger(__name__)
USER_AGENT = "tweetpulse (crypto prices beside sentiment; python websockets)"
MAX_FRAME = 2**20


class Malformed(Exception):
    """A frame that breaks the exchange's protocol (the message says how)."""


@dataclass(slots=True)
class FeedCounts:
    """What a feed saw: frames by kind, ticks produced and dropped, connections."""

    messages: int = 0
    ticks: int = 0
    produced: int = 0
    duplicates: int = 0  # ticks re-sent after a reconnect (same product and sequence)
    heartbeats: int = 0
    subscriptions: int = 0  # subscription acknowledgements
    errors: int = 0  # error messages from the exchange
    malformed: int = 0
    connections: int = 0


class WebsocketFeed(WebsocketSource[PriceTick]):
    """A live exchange feed (see the module docs), a :class:`~tweetpulse.sources.live.LiveSource` like the
    tweet sources (its state on the status topic, its skipped frames counted); subclasses set the class
    attributes and the protocol's hooks."""

    name = "feed"
    default_url = ""
    url_option = "--url"
    progress_every = 1

    def __init__(
        self,
        products: Sequence[str],
        url: str | None = None,
        *,
        duration: float | None = None,
        max_retries: float = float("inf"),
        backoff_scale: float = 1.0,
        open_timeout: float = 10.0,
        idle_timeout: float = 30.0,
        on_status: StatusCallback | None = None,
        give_up_after: int | None = None,
    ) -> None:
        self.url = url or self.default_url
        if urlsplit(self.url).scheme not in ("ws", "wss"):
            raise ConfigError(f"{self.url_option} must be a ws:// or wss:// URL, got {self.url!r}")
        self.products = tuple(products)
        self.duration = duration
        self.max_retries = max_retries
        self.open_timeout = open_timeout
        self.idle_timeout = idle_timeout
        self.counts = FeedCounts()
        self.init_live(LiveState(self.name, on_status, give_up_after, where=self.url))
        self.acknowledged = False  # this connection's subscription was acknowledged
        self.init_socket(Backoff(1.0, 60.0, backoff_scale))
        self._seen = SeenIds(100_000)

    # -- the exchange's protocol (subclasses) ----------------------------------------------------
    def subscribe_messages(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def handle(self, event: Any) -> list[PriceTick]:
        raise NotImplementedError

    # -- lifecycle --------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop (from any thread)."""
        if self._close_socket():
            self._closed_note()

    def __iter__(self) -> Iterator[PriceTick]:
        try:
            yield from self._stream(f"a {self.name} feed")
        finally:
            self.close()

    # -- connection -------------------------------------------------------------------------------
    def _connect(self, failures: int) -> ClientConnection | None:
        if failures > self.max_retries:
            raise SourceError(
                f"{self.name} at {self.url} gave up after {failures - 1} retries (last: {self.live.last_error})"
            )
        self.live.set("connecting")
        endpoint = Endpoint(self.name, self.url, self.url_option, "the websocket", f"default {self.default_url}")
        ws = open_websocket(
            endpoint, self.url, open_timeout=self.open_timeout, max_size=MAX_FRAME, user_agent=USER_AGENT
        )
        if isinstance(ws, str):
            self._retry(ws)
            return None
        ws.__enter__()  # the context-manager use websockets 14+ asks for; closed in _read's finally
        self._ws = ws
        if self._closed:
            ws.close()
            return None
        try:  # the exchange drops a connection that doesn't subscribe within seconds: at once
            for message in self.subscribe_messages():
                ws.send(orjson.dumps(message).decode())
        except ConnectionClosed as exc:
            ws.close()
            self._retry(f"{self.name} closed the connection before the subscription ({short(exc)})")
            return None
        self.acknowledged = False
        self.counts.connections += 1
        log.info("connected to %s at %s, subscribed to %s", self.name, self.url, ", ".join(self.products))
        self.live.set("connected")
        return ws

    def _read(self, ws: ClientConnection, deadline: Deadline) -> Iterator[PriceTick]:
        last = time.monotonic()
        try:
            while not self._closed and not deadline.passed():
                try:
                    message = ws.recv(timeout=0.1, decode=False)
                except TimeoutError:
                    if time.monotonic() - last > self.idle_timeout:
                        self._retry(f"{self.name} sent nothing for {self.idle_timeout:g}s (not even a heartbeat)")
                        return
                    continue
                last = time.monotonic()
                yield from self._on_frame(bytes(message))
        except ConnectionClosed as exc:
            if not self._closed:
                self._retry(f"{self.name} closed the connection ({short(exc)})")
        finally:
            self._ws = None
            ws.close()

    # -- frames -----------------------------------------------------------------------------------
    def _on_frame(self, raw: bytes) -> Iterator[PriceTick]:
        counts = self.counts
        counts.messages += 1
        try:
            event = orjson.loads(raw)
            ticks = self.handle(event)
        except orjson.JSONDecodeError as exc:
            self.malformed(f"not JSON ({short(exc, 60)})")
            return
        except Malformed as exc:
            self.malformed(str(exc))
            return
        if self.acknowledged:
            self._backoff.reset()  # subscribed: the next outage starts again at the first wait
        for tick in ticks:
            counts.ticks += 1
            if not self._seen.add(tick.id):
                counts.duplicates += 1
                continue
            counts.produced += 1
            self.live.produced += 1
            yield tick

    def malformed(self, detail: str) -> None:
        """Count a malformed frame; the first is logged, the rest only counted (see ``counts``)."""
        self.counts.malformed += 1
        self.skipped.add(self.counts.messages, detail)
        if self.counts.malformed == 1:
            log.warning(
                "%s sent a malformed frame (%s): skipped; later ones are counted, not logged", self.name, detail
            )

    def exchange_error(self, message: str) -> None:
        """An error message from the exchange: fatal before the subscription is acknowledged (retrying
        sends the same subscription), a logged warning afterwards."""
        self.counts.errors += 1
        if not self.acknowledged:
            raise SourceError(
                f"{self.name} refused the subscription: {message}; check --products (e.g. BTC-USD,ETH-USD)"
            )
        log.warning("%s sent an error: %s", self.name, message)
