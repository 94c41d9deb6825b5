"""Mastodon's public tag timelines, polled (:class:`TagPoller`, no token needed).

``GET /api/v1/timelines/tag/<first>?any[]=<other>…&limit=40&since_id=…`` every ``interval``
seconds, following ``Link: rel="next"`` pages down to ``since_id``, but only on the instance's own
scheme, host and port (:func:`same_origin`): the token, when there is one, goes nowhere else, and
any other link ends the paging with one warning. It stays inside the rate limit (300 calls / 5 min
per IP): when ``X-RateLimit-Remaining`` runs out, or on a 429, it waits until
``X-RateLimit-Reset``; headers that aren't what they should be are ignored, never fatal.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from tweetpulse.secrets import redact
from tweetpulse.sources.live import Backoff, short
from tweetpulse.sources.mastodon.feeds import FeedContext, FeedItem, start_thread

log = logging.getLogger(__name__)

POLL_LIMIT = 40  # the tag timeline's maximum page size
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


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
        self._thread = start_thread(self._run, "tweetpulse-mastodon-poll")

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
            redact(url[:200]),
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
