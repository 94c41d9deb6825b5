"""How statuses come from a Mastodon instance: three feeds, each a background thread that puts
the statuses it reads into a queue for :class:`tweetpulse.sources.mastodon.source.MastodonSource`.

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
    seconds, following ``Link: rel="next"`` pages down to ``since_id``; it stays inside the rate
    limit (300 calls / 5 min per IP): when ``X-RateLimit-Remaining`` runs out, or on a 429, it
    waits until ``X-RateLimit-Reset``.

Events other than ``update`` (``delete``, ``status.update``, …) are counted, not produced. Lost
connections and server errors are retried with backoff (1 s … 60 s); 401 / 403 / 404 / 422 are
fatal and end the source with one clear line. The access token goes in the ``Authorization``
header only, and is masked in every message.
"""

from __future__ import annotations

import functools
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, urlsplit

import orjson
import requests
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect

from tweetpulse.errors import SourceError
from tweetpulse.sources.live import Backoff, LiveState, redact, short

log = logging.getLogger(__name__)

USER_AGENT = "tweetpulse (live crypto sentiment)"
POLL_LIMIT = 40  # the tag timeline's maximum page size
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


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
        self.fatal = SourceError(redact(message, self.token))
        self.live.set("disconnected", str(self.fatal))
        self.stop.set()

    def wait(self, seconds: float) -> None:
        self.stop.wait(seconds * self.backoff_scale)

    def retry(self, backoff: Backoff, cause: str, wait: float | None = None) -> None:
        if self.stop.is_set():
            return
        delay = backoff.next() if wait is None else wait
        self.live.retrying(redact(cause, self.token), delay)
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


def _thread(target: Callable[[], None], name: str) -> threading.Thread:
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
        self._thread = _thread(self._run, "tweetpulse-mastodon-ws")

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
                    max_size=2**22,
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
                log.warning("mastodon: the streaming API says: %s", redact(str(message["error"]), ctx.token))
            else:
                ctx.bad_payloads += 1


# --------------------------------------------------------------------------- server-sent events


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """``(event, data)`` per server-sent event; comments (``:thump``) are heartbeats, skipped."""
    event, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)


class SseFeed:
    def __init__(self, ctx: FeedContext, read_timeout: float = 90.0) -> None:
        self.ctx = ctx
        self.read_timeout = read_timeout  # Mastodon sends a heartbeat every ~15 s
        self._threads: list[threading.Thread] = []
        self._responses: dict[str, requests.Response] = {}

    def start(self) -> None:
        for tag in self.ctx.tags:
            self._threads.append(_thread(functools.partial(self._run, tag), f"tweetpulse-mastodon-sse-{tag}"))

    def close(self) -> None:
        self.ctx.stop.set()
        for response in list(self._responses.values()):
            _shutdown(response)
        for thread in self._threads:
            thread.join(3)

    def _run(self, tag: str) -> None:
        ctx, backoff = self.ctx, Backoff(1.0, 60.0)
        url = f"{ctx.instance}/api/v1/streaming/hashtag"
        with requests.Session() as session:
            while not ctx.stop.is_set():
                ctx.live.set("connecting")
                try:
                    response = session.get(
                        url,
                        params={"tag": tag},
                        headers={**ctx.headers(), "Accept": "text/event-stream"},
                        stream=True,
                        timeout=(10, self.read_timeout),
                    )
                except requests.RequestException as exc:
                    ctx.retry(backoff, f"cannot reach {ctx.instance} ({short(exc)})")
                    continue
                if response.status_code != 200:
                    response.close()
                    message = ctx.refused(response.status_code, "the streaming API")
                    if message:
                        return ctx.fail(message)
                    ctx.retry(backoff, f"the streaming API answered {response.status_code}")
                    continue
                self._responses[tag] = response
                ctx.live.set("connected")
                backoff.reset()
                try:
                    for event, data in sse_events(_text_lines(response)):
                        ctx.on_event(event, data)
                    cause = "the streaming API ended the event stream"
                except (requests.RequestException, OSError, AttributeError, ValueError) as exc:
                    cause = f"the event stream broke ({short(exc)})"
                finally:
                    self._responses.pop(tag, None)
                    response.close()
                ctx.retry(backoff, cause)


def _text_lines(response: requests.Response) -> Iterator[str]:
    for line in response.iter_lines():
        yield line.decode("utf-8", "replace") if isinstance(line, bytes) else line


def _shutdown(response: requests.Response) -> None:
    """Wake a thread blocked reading ``response`` (urllib3 2.3+ has ``shutdown``)."""
    try:
        response.raw.shutdown()
    except (AttributeError, OSError, RuntimeError, ValueError):
        response.close()


# --------------------------------------------------------------------------- polling


def _id_key(status_id: str) -> tuple[int, str]:
    return len(status_id), status_id  # Mastodon ids are numbers as strings


class TagPoller:
    def __init__(self, ctx: FeedContext, interval: float = 15.0, max_pages: int = 5) -> None:
        self.ctx = ctx
        self.interval = interval
        self.max_pages = max_pages
        self.since_id: str | None = None
        self.calls = 0
        self._thread: threading.Thread | None = None
        self._session = requests.Session()

    def start(self) -> None:
        self._thread = _thread(self._run, "tweetpulse-mastodon-poll")

    def close(self) -> None:
        self.ctx.stop.set()
        if self._thread is not None:
            self._thread.join(3)
        self._session.close()

    def first_url(self) -> str:
        first, *others = self.ctx.tags
        params = "".join(f"&any[]={quote(tag)}" for tag in others)
        return f"{self.ctx.instance}/api/v1/timelines/tag/{quote(first)}?limit={POLL_LIMIT}{params}"

    def _run(self) -> None:
        ctx = self.ctx
        ctx.live.set("polling")
        while not ctx.stop.is_set():
            statuses = self.poll_once()
            for status in sorted(statuses, key=lambda s: _id_key(str(s.get("id", "")))):
                ctx.sink.put(FeedItem("update", status))
            ctx.stop.wait(self.interval)

    def poll_once(self) -> list[dict[str, Any]]:
        """The statuses newer than ``since_id`` (on the first poll: the newest page)."""
        url: str | None = self.first_url() + (f"&since_id={self.since_id}" if self.since_id else "")
        found: list[dict[str, Any]] = []
        newest = self.since_id
        for _ in range(self.max_pages):
            if url is None:
                break
            page, url = self._get(url)
            if page is None:
                return found
            if url is not None and self.since_id and "since_id=" not in url:
                url += f"&since_id={self.since_id}"  # the next (older) page, but no further back
            for status in page:
                if isinstance(status, dict) and isinstance(status.get("id"), str):
                    found.append(status)
                    if newest is None or _id_key(status["id"]) > _id_key(newest):
                        newest = status["id"]
            if self.since_id is None or len(page) < POLL_LIMIT:
                break  # the first poll takes one page; a short page is the last
        self.since_id = newest
        return found

    def _get(self, url: str) -> tuple[list[Any] | None, str | None]:
        ctx, backoff = self.ctx, Backoff(5.0, 300.0)
        while not ctx.stop.is_set():
            self.calls += 1
            try:
                response = self._session.get(url, headers=ctx.headers(), timeout=30)
            except requests.RequestException as exc:
                ctx.retry(backoff, f"cannot reach {ctx.instance} ({short(exc)})")
                continue
            reset = _reset_in(response.headers.get("X-RateLimit-Reset"))
            if response.status_code == 429:
                ctx.retry(backoff, "rate limited by the tag timeline (429)", reset)
                continue
            if response.status_code != 200:
                message = ctx.refused(response.status_code, "public tag timelines")
                if message:
                    ctx.fail(message)
                    return None, None
                ctx.retry(backoff, f"the tag timeline answered {response.status_code}")
                continue
            try:
                page = response.json()
            except ValueError:
                page = None
            if not isinstance(page, list):
                ctx.retry(backoff, "the tag timeline's answer is not a list of statuses")
                continue
            if ctx.live.state != "polling":
                ctx.live.set("polling")
            remaining = response.headers.get("X-RateLimit-Remaining", "")
            if remaining.isdigit() and int(remaining) <= 1 and reset:
                log.warning("mastodon: the tag timeline's rate limit is used up, waiting %.0fs for its reset", reset)
                ctx.wait(reset)
            link = _LINK_NEXT.search(response.headers.get("Link", ""))
            return page, link.group(1) if link else None
        return None, None


def _reset_in(value: str | None) -> float | None:
    """Seconds until an ``X-RateLimit-Reset`` time (ISO 8601), at least 1 and at most 5 minutes."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(1.0, min(moment.timestamp() - time.time(), 300.0))


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
