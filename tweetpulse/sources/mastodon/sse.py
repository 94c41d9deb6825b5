"""Mastodon's hashtag streams as server-sent events (:class:`SseFeed`, token needed).

``GET /api/v1/streaming/hashtag?tag=…``, one connection per tag: ``event:`` and ``data:`` lines, a
blank line ends an event, ``:thump`` comments keep it alive. Lines are read through
:func:`bounded_lines` and events through :func:`sse_events`: a line or an event over
:data:`~tweetpulse.sources.mastodon.feeds.MAX_EVENT` bytes is dropped (one warning each), so a
server that never ends an event costs no more memory than that.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable, Iterator

import requests

from tweetpulse.sources.live import Backoff, short
from tweetpulse.sources.mastodon.feeds import MAX_EVENT, FeedContext, start_thread

log = logging.getLogger(__name__)

OVERSIZED = "tweetpulse:oversized"  # what sse_events yields for an event it dropped


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
            self._threads.append(start_thread(functools.partial(self._run, tag), f"tweetpulse-mastodon-sse-{tag}"))

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
