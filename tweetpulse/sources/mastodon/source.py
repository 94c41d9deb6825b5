"""Live posts from a Mastodon instance's hashtags: free (a free account's token for streaming).

With an access token (``MASTODON_ACCESS_TOKEN``: a user token with ``read:statuses``; Mastodon
4.2+ requires one for streaming) the hashtag streams are followed live, over a websocket
(default) or server-sent events; without one the public tag timeline is polled within its rate
limit. See :mod:`tweetpulse.sources.mastodon.feeds` for the wire details.

The hashtags are the keyword groups' single-word terms (``bitcoin``, ``btc``, ``$eth`` → ``eth``
…). A status becomes a record: ``id`` = its ``uri`` (the same on every instance; else ``url``),
``text`` = its HTML ``content`` as plain text, ``created_at``, ``author`` = ``account.acct``,
``author_id`` = ``account.url``, ``followers`` = ``account.followers_count``, ``lang`` =
``language``, ``keywords`` from the text and the status's tags, ``source = "mastodon"``. Boosts
(``reblog``), other languages (``lang="en"`` keeps English; None keeps all) and statuses already
produced (several tags, a reconnect) are counted in ``counts`` and dropped. ``record_path``
appends every produced status object to a JSONL file (replay format ``mastodon-jsonl``).
"""

from __future__ import annotations

import logging
import os
import queue
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.keywords import DEFAULT_GROUPS, KeywordMatcher
from tweetpulse.records import Tweet, usable_followers
from tweetpulse.secrets import redact_logs_of, register_secret
from tweetpulse.sources.base import conform
from tweetpulse.sources.live import Deadline, LiveSource, LiveState, SeenIds, StatusCallback, open_recorder
from tweetpulse.sources.mastodon import TOKEN_ENV, TRANSPORTS
from tweetpulse.sources.mastodon.feeds import Feed, FeedContext, FeedItem, WebSocketFeed, streaming_base
from tweetpulse.sources.mastodon.html import html_to_text
from tweetpulse.sources.mastodon.poll import TagPoller
from tweetpulse.sources.mastodon.sse import SseFeed

log = logging.getLogger(__name__)

DEFAULT_INSTANCE = "https://mastodon.social"
MAX_TEXT = 10_000
_TAG = re.compile(r"^[^\W_][\w]*$")


@dataclass(slots=True)
class MastodonCounts:
    statuses: int = 0
    produced: int = 0
    duplicates: int = 0
    boosts: int = 0
    other_lang: int = 0
    unmatched: int = 0
    other_events: int = 0  # delete, status.update, ...


def hashtags(groups: Mapping[str, Sequence[str]]) -> list[str]:
    """The hashtags to follow for keyword groups: their one-word terms, ``#``/``$`` dropped."""
    tags: dict[str, None] = {}
    for terms in groups.values():
        for term in terms:
            tag = term.lstrip("#$").lower()
            if _TAG.match(tag):
                tags[tag] = None
    if not tags:
        raise ConfigError("no keyword term can be a Mastodon hashtag: give one-word terms such as bitcoin or btc")
    return list(tags)


def status_to_tweet(status: Mapping[str, Any], matcher: KeywordMatcher, source: str = "mastodon") -> Tweet | str:
    """The record of a Mastodon status, or why it has none (a short reason)."""
    if status.get("reblog"):
        return "boost"
    ident = status.get("uri") or status.get("url")
    content = status.get("content")
    if not isinstance(ident, str) or not ident:
        return "status without uri/url"
    if not isinstance(content, str):
        return "status without content"
    text = html_to_text(content)
    if not text or len(text) > MAX_TEXT:
        return "status without a usable text"
    account_obj = status.get("account")
    account: Mapping[str, Any] = account_obj if isinstance(account_obj, dict) else {}
    tags = status.get("tags")
    names = (
        [t["name"] for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)]
        if isinstance(tags, list)
        else []
    )
    keywords = matcher.match(text + "".join(f" #{name}" for name in names))

    def text_or_none(value: object) -> str | None:
        return value if isinstance(value, str) and value else None

    from tweetpulse.sources.fields import iso_utc

    return Tweet(
        id=ident,
        text=text,
        created_at=iso_utc(status.get("created_at")),
        author=text_or_none(account.get("acct")),
        author_id=text_or_none(account.get("url")) or text_or_none(account.get("id")),
        followers=usable_followers(account.get("followers_count")),  # over 2**63 - 1: unknown, not a crash
        lang=text_or_none(status.get("language")),
        keywords=keywords,
        source=source,
    )


class MastodonSource(LiveSource):
    """Statuses about the keyword groups from one instance (see the module docs).

    Iterate once; iteration ends on :meth:`close` (any thread) or after ``duration`` seconds, and
    raises :class:`SourceError` when the instance refuses (a bad token, timelines closed to
    visitors, not a Mastodon server).
    """

    name = "mastodon"

    def __init__(
        self,
        instance: str = DEFAULT_INSTANCE,
        token: str | None = None,
        matcher: KeywordMatcher | None = None,
        *,
        transport: str | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
        lang: str | None = "en",
        record_path: str | os.PathLike[str] | None = None,
        duration: float | None = None,
        poll_interval: float = 15.0,
        streaming_url: str | None = None,
        backoff_scale: float = 1.0,
        on_status: StatusCallback | None = None,
        give_up_after: int | None = None,
    ) -> None:
        if urlsplit(instance).scheme not in ("http", "https") or not urlsplit(instance).netloc:
            raise ConfigError(
                f"--mastodon-instance must be the server's URL, e.g. {DEFAULT_INSTANCE}; got {instance!r}"
            )
        transport = transport or ("websocket" if token else "poll")
        if transport not in TRANSPORTS:
            raise ConfigError(f"unknown Mastodon transport {transport!r}: use {', '.join(TRANSPORTS)}")
        if transport != "poll" and not token:
            raise ConfigError(
                f"Mastodon's streaming API needs an access token: set {TOKEN_ENV}, "
                "or poll the public tag timelines with --mastodon-transport poll"
            )
        if token:
            register_secret(token)
            redact_logs_of("websockets.client")  # it logs the handshake's headers (the token's) at debug level
        self.instance = instance.rstrip("/")
        self.transport = transport
        self.matcher = matcher if matcher is not None else KeywordMatcher(groups)
        self.tags = hashtags(groups if groups is not None else self.matcher.groups or DEFAULT_GROUPS)
        self.lang = lang
        self.duration = duration
        self.counts = MastodonCounts()
        self.init_live(LiveState(self.name, on_status, give_up_after, where=self.instance))
        self._token = token
        self._queue: queue.Queue[FeedItem] = queue.Queue(maxsize=10_000)
        self._seen = SeenIds()
        self._recorder = open_recorder(record_path)
        self._ctx = FeedContext(
            self.instance, streaming_url or "", self.tags, token, self.live, self._queue, backoff_scale
        )
        self._poll_interval = poll_interval
        self._feed: Feed | None = None
        self._closed = False

    def __repr__(self) -> str:
        token = "set" if self._token else "none"
        return f"MastodonSource(instance={self.instance!r}, transport={self.transport!r}, token={token})"

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._ctx.stop.set()
        if self._feed is not None:
            self._feed.close()
        if self._recorder is not None:
            self._recorder.close()
        self.counts.other_events = self._ctx.other_events
        self.live.set("disconnected")
        log.info("mastodon closed: %s", self.counts)

    def _start(self) -> Feed:
        ctx = self._ctx
        if self.transport == "poll":
            if self._token:
                log.info("mastodon: polling %s's tag timelines every %gs", self.instance, self._poll_interval)
            else:
                log.warning(
                    "mastodon: no access token, polling %s's public tag timelines every %gs (set %s to stream live)",
                    self.instance,
                    self._poll_interval,
                    TOKEN_ENV,
                )
            return TagPoller(ctx, self._poll_interval)
        if self.transport == "sse":
            return SseFeed(ctx)
        if not ctx.streaming:
            ctx.streaming = streaming_base(self.instance)
        return WebSocketFeed(ctx)

    def __iter__(self) -> Iterator[Tweet]:
        if self._feed is not None or self._closed:
            raise SourceError("a Mastodon source streams once: create a new one")
        deadline = Deadline(self.duration)
        self._feed = self._start()
        self._feed.start()
        try:
            while not self._closed and not deadline.passed():
                try:
                    item = self._queue.get(timeout=min(0.1, max(deadline.left(), 0.001)))
                except queue.Empty:
                    if self._ctx.fatal is not None:
                        raise self._ctx.fatal from None
                    continue
                tweet = self._accept(item)
                if tweet is not None:
                    yield tweet
        finally:
            self.close()

    def _accept(self, item: FeedItem) -> Tweet | None:
        counts = self.counts
        status = item.status
        if status is None:
            return None
        counts.statuses += 1
        tweet = status_to_tweet(status, self.matcher, self.name)
        if isinstance(tweet, str):
            if tweet == "boost":
                counts.boosts += 1
            else:
                self.skipped.add(counts.statuses, tweet)
            return None
        if conform(tweet, self.skipped, counts.statuses) is None:
            return None
        if self.lang is not None and tweet.lang != self.lang:
            counts.other_lang += 1
        elif not tweet.keywords:
            counts.unmatched += 1
        elif not self._seen.add(tweet.id):
            counts.duplicates += 1
        else:
            if self._recorder is not None:
                self._recorder.write(orjson.dumps(status))
            counts.produced += 1
            self.live.produced += 1
            return tweet
        return None
