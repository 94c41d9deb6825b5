"""How statuses come from a Mastodon instance: three feeds, each a background thread that puts
the statuses it reads into a queue for :class:`tweetpulse.sources.mastodon.MastodonSource`.

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
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote, urlsplit

import orjson
import requests
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import connect

from tweetpulse.errors import SourceError
from tweetpulse.sources._live import Backoff, LiveState, redact, short

log = logging.getLogger(__name__)

USER_AGENT = "tweetpulse (live crypto sentiment)"
POLL_LIMIT = 40  # the tag timeline's maximum page size
MAX_EVENT = 2**22  # bytes: a server-sent event (or line) bigger than this is dropped, as the websocket's limit
OVERSIZED = "tweetpulse:oversized"  # what sse_events yields for an event it dropped
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


def sse_events(lines: Iterator[str | None], max_event: int = MAX_EVENT) -> Iterator[tuple[str, str]]:
    """``(event, data)`` per server-sent event; comments (``:thump``) are heartbeats, skipped.

    An event whose data add up to more than ``max_event`` characters, or that has a line that was
    too long (``None``, from :func:`bounded_lines`), is dropped: ``(OVERSIZED, "")`` instead.
    """
    event, data, size, dropped = "message", list[str](), 0, False
    for line in lines:
        if line is None:
            dropped, data, size = True, [], 0
        elif not line:
            if dropped:
                yield OVERSIZED, ""
            elif data:
                yield event, "\n".join(data)
            event, data, size, dropped = "message", [], 0, False
        elif line.startswith(":") or dropped:
            continue
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value[:100]
            elif name == "data":
                size += len(value) + 1
                if size > max_event:  # a server that never ends its event: memory stays bounded
                    dropped, data, size = True, [], 0
                else:
                    data.append(value)


def bounded_lines(chunks: Iterable[bytes], max_line: int = MAX_EVENT) -> Iterator[str | None]:
    """The lines (LF or CRLF) of a byte stream, decoded; a line over ``max_line`` bytes is dropped
    as it arrives (``None`` in its place), so a stream without line breaks holds no more than that."""
    parts: list[bytes] = []
    size, dropping = 0, False
    for chunk in chunks:
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            piece = chunk[start:end]
            if not dropping:
                too_long = size + len(piece) > max_line
                yield None if too_long else b"".join((*parts, piece)).removesuffix(b"\r").decode("utf-8", "replace")
            parts, size, dropping, start = [], 0, False, end + 1
        rest = chunk[start:]
        if rest and not dropping:
            parts.append(rest)
            size += len(rest)
            if size > max_line:
                parts, size, dropping = [], 0, True
                yield None


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
                    for event, data in sse_events(bounded_lines(response.iter_content(8192))):
                        if event == OVERSIZED:
                            ctx.bad_payloads += 1
                            log.warning("mastodon: dropped a server-sent event over %d bytes", MAX_EVENT)
                        else:
                            ctx.on_event(event, data)
                    cause = "the streaming API ended the event stream"
                except (requests.RequestException, OSError, AttributeError, ValueError) as exc:
                    cause = f"the event stream broke ({short(exc)})"
                finally:
                    self._responses.pop(tag, None)
                    response.close()
                ctx.retry(backoff, cause)


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
        self._refused = False  # a next page off the instance was refused (and said so)
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
            try:
                statuses = self.poll_once()
            except Exception as exc:  # whatever the instance sends, polling goes on
                ctx.retry(Backoff(self.interval, self.interval), f"a tag timeline poll failed ({short(exc)})")
                continue
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
        if not same_origin(url, ctx.instance):
            return None, None  # never: _next_page only hands back the instance's own links
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
            remaining = response.headers.get("X-RateLimit-Remaining", "").strip()
            if remaining in ("0", "1") and reset:  # anything but a number is no news about the limit
                log.warning("mastodon: the tag timeline's rate limit is used up, waiting %.0fs for its reset", reset)
                ctx.wait(reset)
            return page, self._next_page(response.headers.get("Link", ""))
        return None, None

    def _next_page(self, header: str) -> str | None:
        """The ``Link: rel="next"`` URL when it is on the instance itself (same scheme, host and
        port, http or https): the token never goes anywhere else, and any other link ends the paging
        with one warning."""
        link = _LINK_NEXT.search(header[:8192])
        if link is None:
            return None
        url = link.group(1)
        if same_origin(url, self.ctx.instance):
            return url
        level, self._refused = logging.DEBUG if self._refused else logging.WARNING, True  # one line, not one a poll
        log.log(
            level,
            "mastodon: not following the tag timeline's next page at %r: it is not on %s",
            redact(url[:200], self.ctx.token),
            self.ctx.instance,
        )
        return None


def same_origin(url: str, instance: str) -> bool:
    """Whether ``url`` is an http(s) URL on ``instance``'s scheme, host and port."""
    try:
        there, here = urlsplit(url), urlsplit(instance)
        return (
            there.scheme in ("http", "https")
            and (there.scheme, there.hostname, there.port or _PORTS[there.scheme])
            == (here.scheme, here.hostname, here.port or _PORTS[here.scheme])
            and not there.username
            and not there.password
        )
    except (ValueError, KeyError):  # a bad port, an unknown scheme
        return False


_PORTS = {"http": 80, "https": 443}


def _reset_in(value: str | None) -> float | None:
    """Seconds until an ``X-RateLimit-Reset`` time (ISO 8601), at least 1 and at most 5 minutes."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value[:64].replace("Z", "+00:00"))
        return max(1.0, min(moment.timestamp() - time.time(), 300.0))
    except (ValueError, OverflowError, OSError):
        return None


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
