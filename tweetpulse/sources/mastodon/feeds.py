"""How statuses come from a Mastodon instance: three feeds, each a background thread that puts
the statuses it reads into a queue for :class:`tweetpulse.sources.mastodon.source.MastodonSource`. This
module holds what they share (:class:`FeedContext`) and the websocket feed; the other two are
:mod:`~tweetpulse.sources.mastodon.sse` and :mod:`~tweetpulse.sources.mastodon.poll`.

:class:`WebSocketFeed` (token)
    ``GET /api/v1/streaming?stream=hashtag&tag=<first>`` upgraded to a websocket on the
    instance's streaming URL, then ``{"type": "subscribe", "stream": "hashtag", "tag": …}`` for
    the other tags on the same connection. Each message is ``{"stream": [...], "event": …,
    "payload": …}``; an ``update``'s payload is the status as a JSON *string*.
:class:`SseFeed` (token)
    ``GET /api/v1/streaming/hashtag?tag=…`` as server-sent events, one connection per tag:
    ``event:`` and ``data:`` lines, a blank line ends an event, ``:thump`` comments keep it alive.
:class:`TagPoller` (no token needed)
    ``GET /api/v1/timelines/tag/<first>?any[]=<other>…&limit=40&since_id=…`` every ``interval``
    seconds, following ``Link: rel="next"`` pages down to ``since_id`` (only on the instance's own
    scheme, host and port: the token never goes anywhere else); it stays inside the rate
    limit (300 calls / 5 min per IP): when ``X-RateLimit-Remaining`` runs out, or on a 429, it
    waits until ``X-RateLimit-Reset``.

Events other than ``update`` (``delete``, ``status.update``, …) are counted, not produced. Lost
connections and server errors are retried with backoff (1 s … 60 s); 401 / 403 / 404 / 422 are
fatal and end the source with one clear line. The access token goes in the ``Authorization``
header only, and is masked in every message. A message or server-sent event over
:data:`MAX_EVENT` bytes is not read.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, urlsplit

import orjson
import requests
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect

from tweetpulse.errors import SourceError
from tweetpulse.secrets import redact, register_secret
from tweetpulse.sources.live import Backoff, LiveState, short

log = logging.getLogger(__name__)

USER_AGENT = "tweetpulse (live crypto sentiment)"
MAX_EVENT = 2**22  # bytes: the biggest websocket message or server-sent event read


class FeedItem(NamedTuple):
    """One event from a feed: its name and, for ``update``, the status object."""

    event: str
    status: dict[str, Any] | None


class Feed(Protocol):
    def start(self) -> None: ...

    def close(self) -> None: ...


class FeedContext:
    """What every feed needs: where to put events, the token, the state, the stop flag."""

    def __init__(
        self,
        instance: str,
        streaming: str,
        tags: list[str],
        token: str | None,
        live: LiveState,
        sink: queue.Queue[FeedItem],
        backoff_scale: float = 1.0,
    ) -> None:
        self.instance, self.streaming, self.tags, self.token = instance, streaming, tags, token
        if token:
            register_secret(token)  # whatever a feed says of it is masked (redact)
        self.live, self.sink, self.backoff_scale = live, sink, backoff_scale
        self.stop = threading.Event()
        self.fatal: SourceError | None = None
        self.other_events = 0
        self.bad_payloads = 0

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def fail(self, message: str) -> None:
        """A problem the user must fix: the source ends with this message."""
        self.fatal = SourceError(redact(message))
        self.live.set("disconnected", str(self.fatal))
        self.stop.set()

    def wait(self, seconds: float) -> None:
        self.stop.wait(seconds * self.backoff_scale)

    def retry(self, backoff: Backoff, cause: str, wait: float | None = None) -> None:
        if self.stop.is_set():
            return
        delay = backoff.next() if wait is None else wait
        try:
            self.live.retrying(redact(cause), delay)
        except SourceError as exc:  # --give-up-after: the source ends with this line
            self.fatal = exc
            self.stop.set()
            return
        self.wait(delay)

    def on_event(self, event: str, payload: Any) -> None:
        """An event from a stream: an ``update`` goes to the sink, the rest is counted."""
        if event != "update":
            self.other_events += 1
            return
        try:
            status = orjson.loads(payload) if isinstance(payload, str | bytes) else payload
        except orjson.JSONDecodeError:
            status = None
        if not isinstance(status, dict):
            self.bad_payloads += 1
            return
        self.sink.put(FeedItem(event, status))

    def refused(self, status: int, what: str) -> str | None:
        """The one-line message for a status that retrying won't fix (None: retry)."""
        if status == 401:
            return (
                f"{self.instance} refused the access token for {what} (401): check MASTODON_ACCESS_TOKEN "
                "(a token with read:statuses from Preferences → Development on that instance)"
            )
        if status in (403, 422):
            return (
                f"{self.instance} shows {what} only to signed-in users ({status}): set MASTODON_ACCESS_TOKEN "
                "or pick another --mastodon-instance"
            )
        if status in (400, 404):
            return f"{self.instance} has no {what} ({status}): check --mastodon-instance (the server's base URL)"
        return None


def start_thread(target: Callable[[], None], name: str) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


# --------------------------------------------------------------------------- websocket


class WebSocketFeed:
    def __init__(self, ctx: FeedContext) -> None:
        self.ctx = ctx
        self._thread: threading.Thread | None = None
        self._ws: Any = None

    def url(self) -> str:
        base = self.ctx.streaming.rstrip("/")
        return f"{base}/api/v1/streaming?stream=hashtag&tag={quote(self.ctx.tags[0])}"

    def start(self) -> None:
        self._thread = start_thread(self._run, "tweetpulse-mastodon-ws")

    def close(self) -> None:
        self.ctx.stop.set()
        if self._ws is not None:
            self._ws.close()
        if self._thread is not None:
            self._thread.join(3)

    def _run(self) -> None:
        ctx, backoff = self.ctx, Backoff(1.0, 60.0)
        while not ctx.stop.is_set():
            ctx.live.set("connecting")
            try:
                ws = connect(
                    self.url(),
                    additional_headers=ctx.headers(),
                    open_timeout=10,
                    max_size=MAX_EVENT,
                    user_agent_header=None,
                )
            except InvalidStatus as exc:
                code = exc.response.status_code
                message = ctx.refused(code, "the streaming API")
                if message:
                    return ctx.fail(message)
                ctx.retry(backoff, f"the streaming API answered {code}")
                continue
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                ctx.retry(backoff, f"cannot reach the streaming API at {ctx.streaming} ({short(exc)})")
                continue
            self._ws = ws
            try:
                ws.__enter__()  # the context-manager use websockets 14+ asks for; closed in finally
                for tag in ctx.tags[1:]:
                    ws.send(orjson.dumps({"type": "subscribe", "stream": "hashtag", "tag": tag}).decode())
                ctx.live.set("connected")
                backoff.reset()
                self._read(ws)
            except ConnectionClosed as exc:
                ctx.retry(backoff, f"the streaming API closed the connection ({short(exc)})")
            finally:
                self._ws = None
                ws.close()

    def _read(self, ws: Any) -> None:
        ctx = self.ctx
        while not ctx.stop.is_set():
            try:
                raw = ws.recv(timeout=0.2)
            except TimeoutError:
                continue
            try:
                message = orjson.loads(raw)
            except orjson.JSONDecodeError:
                ctx.bad_payloads += 1
                continue
            if isinstance(message, dict) and isinstance(message.get("event"), str):
                ctx.on_event(message["event"], message.get("payload"))
            elif isinstance(message, dict) and "error" in message:
                log.warning("mastodon: the streaming API says: %s", redact(str(message["error"])))
            else:
                ctx.bad_payloads += 1


def streaming_base(instance: str, session: requests.Session | None = None, timeout: float = 10.0) -> str:
    """The instance's streaming URL (``/api/v2/instance`` → ``configuration.urls.streaming``), else
    the instance itself with a websocket scheme."""
    fallback = "ws" + instance[4:] if instance.startswith("http") else instance
    try:
        response = (session or requests).get(
            f"{instance}/api/v2/instance", timeout=timeout, headers={"User-Agent": USER_AGENT}
        )
        urls = response.json().get("configuration", {}).get("urls", {}) if response.status_code == 200 else {}
    except (requests.RequestException, ValueError, AttributeError):
        return fallback
    streaming = urls.get("streaming") if isinstance(urls, dict) else None
    if isinstance(streaming, str) and urlsplit(streaming).scheme in ("ws", "wss"):
        return streaming.rstrip("/")
    return fallback
