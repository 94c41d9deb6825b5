"""Follower counts of Bluesky authors from the public AppView (``app.bsky.actor.getProfiles``).

Jetstream events carry no follower counts, so :class:`AppViewProfiles` looks authors up in a
background thread: DIDs asked for with :meth:`~AppViewProfiles.want` are batched (at most 25 per
call, the endpoint's limit; a batch waits ``linger`` seconds to fill up), the answers are cached
for ``ttl`` seconds (a profile the AppView doesn't return, e.g. a deleted account, is cached as
unknown too), and :meth:`~AppViewProfiles.get` never blocks. The source waits a bounded time for
a profile; one that doesn't come in time means ``followers: null``, never a stalled stream.

A 429 waits until the ``ratelimit-reset`` header's time (else ``Retry-After``, else backoff);
other errors (5xx, network, a body that isn't a profiles list) back off 1 s, 2 s … 60 s. The
first failure of a run of failures is logged as a warning, the rest at debug level, and the
recovery once more; ``errors`` counts them all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import NamedTuple, Protocol, TypeGuard

import requests

from tweetpulse.records import usable_followers
from tweetpulse.sources.live import Backoff, short

log = logging.getLogger(__name__)

DEFAULT_APPVIEW = "https://public.api.bsky.app"
GET_PROFILES = "/xrpc/app.bsky.actor.getProfiles"
MAX_ACTORS = 25  # getProfiles takes at most 25 actors per call
MAX_HANDLE = 253  # a handle is a domain name: at most 253 characters


def usable_handle(value: object) -> TypeGuard[str]:
    """Whether ``value`` can be a Bluesky handle (a domain name): 1 to :data:`MAX_HANDLE` printable
    ASCII characters, so its length is its size in bytes."""
    return isinstance(value, str) and 0 < len(value) <= MAX_HANDLE and value.isascii() and value.isprintable()


class Profile(NamedTuple):
    """What the AppView knows about an author (both None when it doesn't know the account)."""

    followers: int | None
    handle: str | None


class ProfileSource(Protocol):
    """Where a source gets authors' profiles from, without blocking."""

    def want(self, did: str) -> None: ...

    def get(self, did: str) -> Profile | None: ...

    def close(self) -> None: ...


class AppViewProfiles:
    """Batched, cached, non-blocking ``getProfiles`` lookups (see the module docs)."""

    def __init__(
        self,
        base_url: str = DEFAULT_APPVIEW,
        *,
        ttl: float = 3600.0,
        linger: float = 0.05,
        timeout: float = 5.0,
        max_entries: int = 200_000,
        max_wanted: int = 10_000,
        backoff_scale: float = 1.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl
        self.linger = linger
        self.timeout = timeout
        self.max_entries = max_entries
        self.max_wanted = max_wanted
        self.calls = 0
        self.errors = 0
        self._backoff = Backoff(1.0, 60.0, backoff_scale)
        self._cache: OrderedDict[str, tuple[float, Profile]] = OrderedDict()
        self._wanted: OrderedDict[str, None] = OrderedDict()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._failing = False
        self._session = requests.Session()
        self._session.headers["Accept"] = "application/json"
        self._thread = threading.Thread(target=self._run, name="tweetpulse-bluesky-profiles", daemon=True)
        self._thread.start()

    def get(self, did: str) -> Profile | None:
        with self._cond:
            entry = self._cache.get(did)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def want(self, did: str) -> None:
        if self.get(did) is not None:
            return
        with self._cond:
            if did in self._wanted:
                return
            self._wanted[did] = None
            while len(self._wanted) > self.max_wanted:  # a long outage: forget the oldest asks
                self._wanted.popitem(last=False)
            self._cond.notify()

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(0.5)  # a lookup in flight ends on its own (daemon thread, timeout)
        self._session.close()

    # -- the lookup thread

    def _next_batch(self) -> list[str]:
        with self._cond:
            while not self._wanted and not self._stop.is_set():
                self._cond.wait(0.5)
        if self.linger and not self._stop.is_set():
            self._stop.wait(self.linger)  # let a batch fill up
        with self._cond:
            batch: list[str] = []
            while self._wanted and len(batch) < MAX_ACTORS:
                batch.append(self._wanted.popitem(last=False)[0])
        return batch

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._next_batch()
            if not batch:
                continue
            try:
                wait = self._lookup(batch)
            except Exception as exc:  # whatever the AppView sends, the lookups go on
                wait = self._failed(f"profile lookup failed ({short(exc)})", None)
            if wait:
                with self._cond:  # ask again after the wait, before anything newer
                    for did in reversed(batch):
                        self._wanted[did] = None
                        self._wanted.move_to_end(did, last=False)
                self._stop.wait(wait * self._backoff.scale)

    def _lookup(self, batch: list[str]) -> float:
        """One call; the seconds to wait before the next one (0 after a success)."""
        self.calls += 1
        try:
            response = self._session.get(self.base_url + GET_PROFILES, params={"actors": batch}, timeout=self.timeout)
        except requests.RequestException as exc:
            return self._failed(f"cannot reach the AppView at {self.base_url} ({short(exc)})", None)
        if response.status_code == 429:
            return self._failed("the AppView rate-limits profile lookups (429)", _reset_wait(response))
        if response.status_code != 200:
            return self._failed(f"the AppView answered profile lookups with {response.status_code}", None)
        try:
            profiles = response.json().get("profiles")
        except (ValueError, AttributeError):
            profiles = None
        if not isinstance(profiles, list):
            return self._failed("the AppView's answer has no profiles list", None)
        self._store(batch, profiles)
        if self._failing:
            self._failing = False
            log.warning("the AppView answers profile lookups again: follower counts are back")
        self._backoff.reset()
        return 0.0

    def _failed(self, cause: str, wait: float | None) -> float:
        self.errors += 1
        delay = wait if wait is not None else self._backoff.next()
        level = logging.DEBUG if self._failing else logging.WARNING
        self._failing = True
        log.log(level, "%s: posts go out with followers null meanwhile; retrying in %.3gs", cause, delay)
        return delay

    def _store(self, batch: list[str], profiles: list[object]) -> None:
        expires = time.monotonic() + self.ttl
        found: dict[str, Profile] = {}
        for item in profiles:
            if not isinstance(item, dict) or not isinstance(item.get("did"), str):
                continue
            handle = item.get("handle")
            found[item["did"]] = Profile(
                usable_followers(item.get("followersCount")),  # over 2**63 - 1: unknown, not a crash
                handle if usable_handle(handle) and handle != "handle.invalid" else None,
            )
        with self._cond:
            for did in batch:
                self._cache[did] = (expires, found.get(did, Profile(None, None)))
                self._cache.move_to_end(did)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)


def _reset_wait(response: requests.Response) -> float | None:
    """Seconds until a 429's limit resets: ``ratelimit-reset`` (epoch seconds) or ``Retry-After``
    (seconds), within 1 s … 15 min; a header that isn't such a number is ignored (backoff then)."""
    reset = _number(response.headers.get("ratelimit-reset"))
    if reset is not None:
        return max(1.0, min(reset - time.time(), 900.0))
    retry = _number(response.headers.get("retry-after"))
    if retry is not None:
        return max(1.0, min(retry, 900.0))
    return None


def _number(value: str | None) -> float | None:
    """A header's non-negative finite number (at most 20 ASCII digits), else None."""
    if not value:
        return None
    text = value.strip()
    if not (0 < len(text) <= 20 and text.isascii() and text.isdigit()):
        return None
    return float(text)
