"""Live tweets from the X API v2 filtered stream (``--x-mode stream``, source ``"x:stream"``).

``GET /2/tweets/search/stream`` needs the Pro access level. One *tagged* rule per keyword group
(:mod:`tweetpulse.sources.x.rules`); rules left over from earlier runs are replaced (the app's rule
set is owned by this source). tweepy's :class:`~tweepy.StreamingClient` runs in its own thread
(``filter(threaded=True)``) and pushes tweets into a bounded queue that iteration drains. Each data
line becomes records through :func:`~tweetpulse.sources.x.v2.tweets_from_v2` (keywords from the
tags of the rules that matched).

tweepy reconnects forever by default (``max_retries``): a clean close by X (e.g. after
``operational-disconnect``) is followed by an immediate reconnect, other failures wait as
:mod:`tweetpulse.sources.x.backoff` describes, scaled here by ``backoff_scale`` (tests use a tiny
scale). tweepy would also retry 401/403 forever and stop the stream on the first line that isn't
JSON; this source stops on 401/403 with a clear error and counts bad lines in ``skipped`` instead.

A stream that sends nothing, not even a keep-alive, for ``stall_timeout`` seconds has stalled: it
is dropped and reconnected like a lost connection.

``record_path`` appends each data line to a JSONL file as received, byte for byte (keep-alives
left out), which replays as format ``x-v2-jsonl``.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import requests
import tweepy

from tweetpulse.errors import SourceError
from tweetpulse.records import Tweet
from tweetpulse.sources.recorder import Recorder
from tweetpulse.sources.x import backoff
from tweetpulse.sources.x.base import StatusCallback, XSourceBase, secs
from tweetpulse.sources.x.credentials import require_token
from tweetpulse.sources.x.http_errors import describe, explain_http_error, first_problem, http_error, is_usage_cap
from tweetpulse.sources.x.rules import Groups, build_rules
from tweetpulse.sources.x.session import json_or_none, short
from tweetpulse.sources.x.streaming import StreamingClient
from tweetpulse.sources.x.v2 import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, tweets_from_v2

log = logging.getLogger(__name__)

# X sends a keep-alive every 20 s: a stream silent for longer has stalled, and is reconnected
STALL_TIMEOUT = 21.0


@dataclass(frozen=True)
class RulesSync:
    """What :meth:`XStreamSource.sync_rules` did (rule values by tag)."""

    kept: list[str]
    deleted: list[str]
    added: list[str]


class XStreamSource(XSourceBase):
    """Tweets from the X API v2 filtered stream (see the module docstring).

    Iterate to start (rules are synced first, in the calling thread, so auth problems raise
    right away); iteration ends after :meth:`close` or raises :class:`SourceError` when the stream
    stops for good (401/403, monthly cap, ``max_retries`` exhausted). One iteration per source.
    """

    _mode = "stream"
    name = "x:stream"

    def __init__(
        self,
        bearer_token: str,
        groups: Groups | None = None,
        include_retweets: bool = False,
        api_base: str | None = None,
        record_path: str | os.PathLike[str] | None = None,
        *,
        lang: str | None = "en",
        on_status: StatusCallback | None = None,
        queue_size: int = 10_000,
        max_retries: float = math.inf,
        backoff_scale: float = 1.0,
        backfill_minutes: int | None = None,
        chunk_size: int = 512,
        close_timeout: float = 5.0,
        stall_timeout: float = STALL_TIMEOUT,
        duration: float | None = None,
    ) -> None:
        require_token(bearer_token)
        self._init_common(bearer_token, groups, api_base, on_status, duration)
        self.rules = build_rules(self.groups, lang=lang, include_retweets=include_retweets)
        self.backoff_scale = backoff_scale
        self.backfill_minutes = backfill_minutes
        self.close_timeout = close_timeout
        self.lines_received = 0
        self.rules_sync: RulesSync | None = None
        self._queue: queue.Queue[Tweet] = queue.Queue(maxsize=queue_size)
        self._recorder = Recorder(record_path) if record_path is not None else None
        self._client = StreamingClient(
            self, bearer_token, api_base, stall_timeout, max_retries=max_retries, chunk_size=chunk_size, daemon=True
        )
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False
        self._closing = False
        self._closed = False
        self._fatal: SourceError | None = None
        self._pending_cause: str | None = None
        self._error_response: tuple[int, Any] | None = None
        self._live: requests.Response | None = None
        self._connections = 0
        self._failures = 0  # consecutive failed connection attempts
        self._full_warned = False

    # -- public

    def sync_rules(self) -> RulesSync:
        """Make the app's stream rules exactly ours: delete the others, add the missing ones."""
        current = self._rest(self._client.get_rules).data or []
        keep: dict[str, Any] = {}
        stale: list[Any] = []
        for rule in current:
            if rule.tag in self.rules and self.rules[rule.tag] == rule.value and rule.tag not in keep:
                keep[rule.tag] = rule
            else:
                stale.append(rule)
        if stale:
            resp = self._rest(self._client.delete_rules, [rule.id for rule in stale])
            not_deleted = (resp.meta or {}).get("summary", {}).get("not_deleted", 0)
            if not_deleted:
                log.warning("X did not delete %d stale stream rule(s): %s", not_deleted, resp.errors)
        missing = [tweepy.StreamRule(value=v, tag=t) for t, v in self.rules.items() if t not in keep]
        if missing:
            resp = self._rest(self._client.add_rules, missing)
            for error in resp.errors or []:
                if error.get("title") == "DuplicateRule":
                    log.warning("X says the stream rule %r already exists", error.get("value"))
                    continue
                details = "; ".join(error.get("details") or []) or error.get("detail") or error.get("title")
                raise SourceError(
                    f"X rejected the stream rule {error.get('value')!r} ({details}): check the keyword groups"
                )
        result = RulesSync(
            kept=[r.value for r in keep.values()],
            deleted=[r.value for r in stale],
            added=[r.value for r in missing],
        )
        log.info(
            "stream rules: %d kept, %d stale deleted, %d added",
            len(result.kept),
            len(result.deleted),
            len(result.added),
        )
        self.rules_sync = result
        return result

    def start(self) -> None:
        """Sync the rules and connect in tweepy's thread (iteration calls this)."""
        if self._started:
            return
        if self._closed:
            raise SourceError("this X stream source is closed: create a new one")
        self._started = True
        self._set_state("connecting")
        try:
            self.sync_rules()
        except SourceError as exc:
            self._fatal = exc
            self._finished.set()
            self._set_state("disconnected", error=str(exc))
            raise
        backoff.install()
        params: dict[str, Any] = {"expansions": EXPANSIONS, "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS}
        if self.backfill_minutes:
            params["backfill_minutes"] = self.backfill_minutes
        log.info("connecting to the X filtered stream at %s", self.api_base)
        self._thread = self._client.filter(threaded=True, **params)

    def __iter__(self) -> Iterator[Tweet]:
        try:
            self.start()
            while not self._deadline.passed():
                try:
                    tweet = self._queue.get(timeout=self._until_deadline(0.1))
                except queue.Empty:
                    if self._finished.is_set() and self._queue.empty():
                        break
                    continue
                yield tweet
        finally:
            self.close()
        if self._fatal is not None:
            raise self._fatal

    def close(self) -> None:
        """Disconnect, stop tweepy's thread and close the record file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._closing = True
        self._stop.set()
        self._client.disconnect()
        live = self._live
        if live is not None:
            try:
                live.raw.shutdown()  # wake the thread blocked reading the stream
            except (AttributeError, OSError, RuntimeError, ValueError):
                live.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.close_timeout)
            if thread.is_alive():
                log.warning(
                    "the X stream thread did not stop within %s; it will exit on its own", secs(self.close_timeout)
                )
        self._client.session.close()
        if self._recorder is not None:
            self._recorder.close()
        self._finished.set()
        if self.state != "disconnected":
            self._set_state("disconnected")
        log.info(
            "X stream closed: %d tweets, %d retries, %s",
            self.tweets_received,
            self.retries,
            self.skipped.report("the X stream"),
        )

    # -- REST calls (rules)

    def _rest(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except tweepy.HTTPException as exc:
            raise http_error(exc, "the stream rules") from None
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach the X API at {self.api_base}: {short(exc)}") from None

    # -- callbacks from tweepy's thread

    def _on_http_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if not response.url.split("?", 1)[0].endswith("/2/tweets/search/stream"):
            return
        if response.status_code == 200:
            self._live = response
        else:
            self._error_response = (response.status_code, json_or_none(response.content))

    def _on_connect(self) -> None:
        if self._closing:
            self._client.disconnect()
            return
        self._error_response = None
        self._pending_cause = None
        self._failures = 0
        if self._connections:
            log.info("reconnected to the X stream (retry %d)", self.retries)
        else:
            log.info("connected to the X stream")
        self._connections += 1
        self._set_state("connected")

    def _on_line(self, raw: bytes) -> None:
        self.lines_received += 1
        line_no = self.lines_received
        if self._recorder is not None:
            self._recorder.write(raw)
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self._skip(line_no, f"not JSON: {short(exc)}", raw)
            return
        if not isinstance(obj, dict):
            self._skip(line_no, "not a JSON object", raw)
            return
        if "data" not in obj:
            if "errors" in obj:
                self._on_stream_errors(obj["errors"])
            else:
                self._skip(line_no, "neither data nor errors", raw)
            return
        tweets, problems = tweets_from_v2(obj, source=self.name, matcher=self.matcher)
        for problem in problems:
            self._skip(line_no, problem, raw)
        for tweet in tweets:
            self._deliver(tweet)

    def _skip(self, line_no: int, reason: str, raw: bytes) -> None:
        self.skipped.add(line_no, reason)
        level = logging.WARNING if self.skipped.count <= 10 else logging.DEBUG
        log.log(level, "skipped line %d of the X stream (%s): %.80r", line_no, reason, raw)

    def _on_stream_errors(self, errors: Any) -> None:
        problem = first_problem({"errors": errors})
        title = str(problem.get("title") or "error")
        detail = problem.get("detail")
        text = f"{title}: {detail}" if detail else title
        if title == "operational-disconnect" or problem.get("disconnect_type"):
            self._pending_cause = f"X disconnected the stream ({text})"
            self.last_error = self._pending_cause
            log.info("%s", self._pending_cause)
        else:
            log.warning("the X stream sent an error: %s", text)

    def _deliver(self, tweet: Tweet) -> None:
        while True:
            try:
                self._queue.put(tweet, timeout=0.2)
                self.tweets_received += 1
                return
            except queue.Full:
                if self._closing:
                    return
                if not self._full_warned:
                    self._full_warned = True
                    log.warning("tweet queue full (%d): the consumer is slow, the X stream waits", self._queue.maxsize)

    def _on_closed(self) -> None:
        if self._closing:
            return
        self.retries += 1
        cause = self._pending_cause or "X closed the stream"
        self._pending_cause = None
        message = f"{cause}, reconnecting now"
        log.warning("%s", message)
        self._set_state("retrying", error=message, retry_in=0.0)

    def _on_connection_error(self) -> None:
        if self._closing:
            return
        self.retries += 1
        self._failures += 1
        self._pending_cause = "connection to X lost or timed out"

    def _on_request_error(self, status: int) -> None:
        if self._closing:
            self._client.disconnect()
            return
        code, body = self._error_response or (status, None)
        self._error_response = None
        if code in (401, 403) or (code == 429 and is_usage_cap(body)):
            message = explain_http_error(code, body, "the filtered stream")
            self._fatal = SourceError(message)
            log.debug("%s", message)
            self.last_error = message
            self._client.disconnect()
            return
        self.retries += 1
        self._failures += 1
        if code == 429:
            self._pending_cause = "rate limited" + (f" ({describe(code, body)})" if body else " (429)")
        else:
            self._pending_cause = f"X answered the stream request with {describe(code, body)}"

    def _backoff(self, seconds: float) -> None:
        """tweepy is about to wait ``seconds`` before reconnecting (called in its thread)."""
        if self._closing:
            return
        cause = self._pending_cause or "reconnecting"
        message = f"{cause}, retrying in {secs(seconds)}"
        log.warning("%s", message)
        self._set_state("retrying", error=message, retry_in=seconds)
        self._stop.wait(seconds * self.backoff_scale)

    def _on_exception(self, exc: Exception) -> None:
        if self._closing:
            return
        message = f"the X stream stopped on an unexpected error: {type(exc).__name__}: {short(exc)}"
        self._fatal = SourceError(message)
        self.last_error = message
        log.debug("%s", message)
        log.debug("traceback of the stream error", exc_info=exc)

    def _on_disconnect(self) -> None:
        if not self._closing and self._fatal is None:
            message = (
                f"the X stream gave up after {self._failures} failed connection attempts "
                f"(last: {self._pending_cause or self.last_error or 'unknown'})"
            )
            self._fatal = SourceError(message)
            log.debug("%s", message)
        self._finished.set()
        self._set_state("disconnected", error=str(self._fatal) if self._fatal else None)
