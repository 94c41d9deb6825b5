"""Live posts from Bluesky through Jetstream: free, no account, no token.

Jetstream (``wss://…/subscribe``) serves the network's repository commits as JSON over a
websocket; this source asks for ``wantedCollections=app.bsky.feed.post`` and reads events
``{did, time_us, kind}``: ``kind`` ``commit`` (with ``commit.operation`` create / update / delete,
``collection``, ``rkey``, ``record``, ``cid``), ``identity`` (a handle change) or ``account``.
Only ``create`` commits of posts become records; everything else is counted in ``counts``, not
logged one by one.

Jetstream has no keyword filter, so posts are matched here against the keyword groups (the text,
its ``#hashtags`` and ``$cashtags``, and the post's extra ``tags``); ``lang`` is ``langs[0]`` and
``lang="en"`` keeps only posts whose first language is English (``None`` keeps all).

Record: ``id`` = ``at://{did}/app.bsky.feed.post/{rkey}``, ``author_id`` = the DID, ``author`` =
the handle when known (identity events, the AppView), ``text`` and ``created_at`` from the post,
``followers`` = ``followersCount`` from the AppView (see :mod:`tweetpulse.sources.bluesky.profiles`;
a post waits at most ``profile_wait`` seconds for it, then goes out with ``followers: null``),
``source = "bluesky"``. Posts go out in the order they arrived.

A lost connection is retried with backoff (1 s, 2 s … 60 s) and resumed from the last ``time_us``
minus ``rewind`` seconds (Jetstream's ``cursor``, in microseconds); delivery on resume is
at-least-once, so posts already produced are dropped (``counts.duplicates``). A connection that
sends nothing for ``idle_timeout`` seconds is taken as stalled and reconnected; an event over
:data:`MAX_EVENT` bytes is skipped past (``counts.oversized``). Records follow the record rule
(:func:`tweetpulse.sources.base.conform`): a post without a usable text or id is a skipped row.
``record_path``
appends the raw event of every produced post to a JSONL file (replay format ``jetstream-jsonl``).
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

import orjson
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet, usable_id
from tweetpulse.sources.base import conform
from tweetpulse.sources.bluesky.events import post_from_event, subscribe_url
from tweetpulse.sources.bluesky.profiles import DEFAULT_APPVIEW, AppViewProfiles, ProfileSource, usable_handle
from tweetpulse.sources.live import (
    Backoff,
    Deadline,
    LiveState,
    SeenIds,
    StatusCallback,
    open_recorder,
    short,
)
from tweetpulse.sources.websocket import Endpoint, WebsocketSource, open_websocket

log = logging.getLogger(__name__)

DEFAULT_JETSTREAM = "wss://jetstream2.us-east.bsky.network/subscribe"
MAX_HANDLES = 100_000
MAX_HANDLE_CHARS = 4_000_000  # the handles (ASCII) and DIDs kept, in total: memory stays flat whatever their size
MAX_EVENT = 2**21  # bytes: a bigger event closes the connection (1009) and is skipped past
MESSAGE_TOO_BIG = 1009
USER_AGENT = "tweetpulse (live crypto sentiment; python websockets)"


@dataclass(slots=True)
class BlueskyCounts:
    """What the source saw, by kind (events that aren't produced posts are only counted)."""

    events: int = 0
    posts: int = 0  # create commits of posts
    produced: int = 0
    unmatched: int = 0  # posts about none of the keyword groups
    other_lang: int = 0
    duplicates: int = 0  # seen again after a resume
    ignored: int = 0  # updates, deletes, other collections, identity and account events
    no_followers: int = 0  # produced with followers null (the AppView had no answer in time)
    connections: int = 0
    oversized: int = 0  # events over MAX_EVENT bytes, skipped past


class _Pending(NamedTuple):
    tweet: Tweet
    raw: bytes
    due: float  # monotonic time after which it goes out without a profile


class BlueskySource(WebsocketSource[Tweet]):
    """Posts about the keyword groups from a Jetstream instance (see the module docs).

    Iterate once; iteration ends on :meth:`close` (from any thread) or after ``duration``
    seconds, and raises :class:`SourceError` when the endpoint refuses the connection for good
    (e.g. 404: not a Jetstream ``/subscribe`` URL) or after ``max_retries`` failed attempts.
    """

    name = "bluesky"

    def __init__(
        self,
        url: str = DEFAULT_JETSTREAM,
        appview: str | None = DEFAULT_APPVIEW,
        matcher: KeywordMatcher | None = None,
        *,
        lang: str | None = "en",
        record_path: str | os.PathLike[str] | None = None,
        duration: float | None = None,
        profile_wait: float = 2.0,
        profiles: ProfileSource | None = None,
        rewind: float = 5.0,
        cursor_us: int | None = None,
        max_retries: float = float("inf"),
        backoff_scale: float = 1.0,
        on_status: StatusCallback | None = None,
        open_timeout: float = 10.0,
        idle_timeout: float = 60.0,
        give_up_after: int | None = None,
    ) -> None:
        if urlsplit(url).scheme not in ("ws", "wss"):
            raise ConfigError(f"--bluesky-url must be a ws:// or wss:// Jetstream URL, got {url!r}")
        self.url = url
        self.matcher = matcher if matcher is not None else KeywordMatcher()
        self.lang = lang
        self.duration = duration
        self.profile_wait = profile_wait
        self.rewind_us = int(rewind * 1_000_000)
        self.cursor_us = cursor_us  # the last time_us seen
        self.max_retries = max_retries
        self.open_timeout = open_timeout
        self.idle_timeout = idle_timeout  # the firehose is never quiet this long: reconnect
        self.counts = BlueskyCounts()
        self.init_live(LiveState(self.name, on_status, give_up_after, where=url))
        self._profiles = (
            profiles
            if profiles is not None
            else (AppViewProfiles(appview, backoff_scale=backoff_scale) if appview else None)
        )
        self.init_socket(Backoff(1.0, 60.0, backoff_scale))
        self._handles: dict[str, str] = {}
        self._handle_chars = 0
        self._skip_us = 0  # after an oversized event: resume this far past the last good event
        self._seen = SeenIds()
        self._pending: deque[_Pending] = deque()
        self._recorder = open_recorder(record_path)

    def __repr__(self) -> str:
        return f"BlueskySource(url={self.url!r}, lang={self.lang!r}, state={self.live.state!r})"

    def close(self) -> None:
        """Stop (from any thread): the connection, the profile lookups and the record file."""
        if not self._close_socket():
            return
        if self._profiles is not None:
            self._profiles.close()
        if self._recorder is not None:
            self._recorder.close()
        self._closed_note()

    def __iter__(self) -> Iterator[Tweet]:
        try:
            yield from self._stream("a Bluesky source")
            yield from self._drain(force=True)
        finally:
            self.close()

    # -- connection

    def _connect(self, failures: int) -> ClientConnection | None:
        if failures > self.max_retries:
            raise SourceError(
                f"Jetstream at {self.url} gave up after {failures - 1} retries (last: {self.live.last_error})"
            )
        cursor = None if self.cursor_us is None else max(0, self.cursor_us - self.rewind_us)
        if self._skip_us and self.cursor_us is not None:
            cursor = self.cursor_us + self._skip_us  # past the event too big to read
        self.live.set("connecting")
        endpoint = Endpoint(
            "Jetstream",
            self.url,
            "--bluesky-url",
            "the Jetstream subscription",
            f"a Jetstream /subscribe endpoint, e.g. {DEFAULT_JETSTREAM}",
        )
        ws = open_websocket(
            endpoint,
            subscribe_url(self.url, cursor),
            open_timeout=self.open_timeout,
            max_size=MAX_EVENT,
            user_agent=USER_AGENT,
        )
        if isinstance(ws, str):
            self._retry(ws)
            return None
        self._ws = ws
        if self._closed:
            ws.close()
            return None
        self.counts.connections += 1
        self._backoff.reset()
        log.info("connected to Jetstream at %s%s", self.url, f" (cursor {cursor})" if cursor else "")
        self.live.set("connected")
        return ws

    def _read(self, ws: ClientConnection, deadline: Deadline) -> Iterator[Tweet]:
        try:
            ws.__enter__()  # the context-manager use websockets 14+ asks for; closed in finally
            heard = time.monotonic()
            while not self._closed and not deadline.passed():
                try:
                    message = ws.recv(timeout=0.05, decode=False)
                except TimeoutError:
                    message = None
                if message is not None:
                    heard = time.monotonic()
                    self._skip_us = 0
                    self._on_message(bytes(message))
                elif time.monotonic() - heard > self.idle_timeout:
                    yield from self._drain()
                    self._retry(f"Jetstream sent nothing for {self.idle_timeout:g}s (a stalled connection)")
                    return
                yield from self._drain()
        except ConnectionClosed as exc:
            if not self._closed:
                yield from self._drain()
                if exc.sent is not None and exc.sent.code == MESSAGE_TOO_BIG:
                    self._skip_oversized()
                else:
                    self._retry(f"Jetstream closed the connection ({short(exc)})")
        finally:
            self._ws = None
            ws.close()

    def _skip_oversized(self) -> None:
        """An event over :data:`MAX_EVENT` closed the connection: its ``time_us`` is unknown, so
        reconnect at 1, 2, 4 … µs past the last event read until one arrives (without a cursor,
        Jetstream's live tail is past it already)."""
        self.counts.oversized += 1
        self._skip_us = min(max(1, self._skip_us * 2), 2**40)
        after = "" if self.cursor_us is None else f", resuming {self._skip_us} µs after cursor {self.cursor_us}"
        cause = f"Jetstream sent an event over {MAX_EVENT} bytes: skipped"
        if self.cursor_us is None or self._skip_us >= 2**40:  # no cursor to move past it: back off
            self._retry(cause)
            return
        log.log(logging.WARNING if self._skip_us == 1 else logging.DEBUG, "bluesky: %s%s", cause, after)
        self.live.set("connecting", cause)

    # -- events

    def _on_message(self, raw: bytes) -> None:
        counts = self.counts
        counts.events += 1
        try:
            event = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self.skipped.add(counts.events, f"not JSON ({short(exc, 60)})")
            return
        time_us = event.get("time_us") if isinstance(event, dict) else None
        if isinstance(time_us, int) and not isinstance(time_us, bool):
            self.cursor_us = max(self.cursor_us or 0, time_us)
        parsed = post_from_event(event, self.matcher, self.name)
        if parsed.kind == "bad":
            self.skipped.add(counts.events, parsed.detail)
        elif parsed.kind == "identity":
            counts.ignored += 1
            identity = event.get("identity")
            if isinstance(identity, dict):
                self._remember_handle(event.get("did"), identity.get("handle"))
        elif parsed.tweet is None:
            counts.ignored += 1
        elif conform(parsed.tweet, self.skipped, counts.events) is not None:
            self._on_post(parsed.tweet, raw)

    def _remember_handle(self, did: object, handle: object) -> None:
        """Keep an identity event's handle; the table is capped by count and by total size."""
        if not isinstance(did, str) or not usable_id(did) or not usable_handle(handle):
            return
        size = len(did) + len(handle)
        if len(self._handles) >= MAX_HANDLES or self._handle_chars + size > MAX_HANDLE_CHARS:
            self._handles.clear()  # the firehose's identity events: keep memory flat
            self._handle_chars = 0
        self._handles[did] = handle
        self._handle_chars += size

    def _on_post(self, tweet: Tweet, raw: bytes) -> None:
        counts = self.counts
        counts.posts += 1
        if not tweet.keywords:
            counts.unmatched += 1
        elif self.lang is not None and tweet.lang != self.lang:
            counts.other_lang += 1
        elif not self._seen.add(tweet.id):
            counts.duplicates += 1
        else:
            if self._profiles is not None and tweet.author_id:
                self._profiles.want(tweet.author_id)
            self._pending.append(_Pending(tweet, raw, time.monotonic() + self.profile_wait))

    def _drain(self, force: bool = False) -> Iterator[Tweet]:
        """The waiting posts, in order, whose profile is known or whose wait is over."""
        pending = self._pending
        while pending and not self._closed:
            head = pending[0]
            tweet = head.tweet
            profile = self._profiles.get(tweet.author_id or "") if self._profiles is not None else None
            if profile is None and not force and self._profiles is not None and time.monotonic() < head.due:
                return
            pending.popleft()
            if profile is not None:
                tweet.followers = profile.followers
                tweet.author = profile.handle
            if tweet.author is None:
                tweet.author = self._handles.get(tweet.author_id or "")
            if tweet.followers is None:
                self.counts.no_followers += 1
            if self._recorder is not None:
                self._recorder.write(head.raw)
            self.counts.produced += 1
            self.live.produced += 1
            yield tweet
