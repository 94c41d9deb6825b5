"""Live tweets from the X (Twitter) API v2, through tweepy.

Two sources, both yielding :class:`tweetpulse.models.Tweet` records through the one v2 conversion
(:mod:`~tweetpulse.sources.x.v2`, shared with the ``x-v2-jsonl`` replay):

:class:`~tweetpulse.sources.x.stream.XStreamSource` (``--x-mode stream``, source ``"x:stream"``)
    The filtered stream, one tagged rule per keyword group (needs the Pro access level).
:class:`~tweetpulse.sources.x.poll.XPollSource` (``--x-mode poll``, source ``"x:poll"``)
    Recent search, polled, one query per keyword group (Basic access level).

The package's modules: :mod:`~.credentials` (where the bearer token comes from),
:mod:`~.session` (HTTP plumbing), :mod:`~.http_errors` (X's error answers in one line),
:mod:`~.rules` (keyword groups → rules), :mod:`~.v2` (JSON → records), :mod:`~.base` (connection
state), :mod:`~.backoff` (tweepy's reconnect waits), :mod:`~.stream`, :mod:`~.poll`.

Usage::

    from tweetpulse.sources.x.credentials import load_bearer_token
    from tweetpulse.sources.x.stream import XStreamSource

    token = load_bearer_token()          # $X_BEARER_TOKEN or ./twitter_credentials.py
    if token is None: ...                # tell the user, or fall back to --source replay
    source = XStreamSource(token, record_path="raw.jsonl", on_status=print)
    try:
        for tweet in source:             # blocks; ends on close() or on a fatal error
            ...
    finally:
        source.close()
        print(source.skipped.report("the X stream"))

Both sources expose their connection state for a notebook or a status line: the attributes
``state`` (``"connecting" | "connected" | "retrying" | "disconnected"``), ``retries``,
``last_error`` and ``retry_in``, the snapshot ``status()`` (an :class:`~.base.XStatus`), the
``on_status`` callback (called with an ``XStatus`` on every change, from the stream thread in
stream mode) and log records on the ``tweetpulse.sources.x.*`` loggers.

Errors the user must act on raise :class:`~tweetpulse.errors.SourceError` with a one-line
message (401 bad token, 403 ``client-not-enrolled`` / access level, 429 ``UsageCapExceeded``);
rate limits and disconnections are retried and only reported (``"rate limited (...), retrying in
60s"``). The bearer token never appears in a repr or a log record (tweepy's own DEBUG logs
included, they are filtered: :mod:`tweetpulse.sources.secrets`).

``record_path`` appends what X sent to a JSONL file, one v2 response object per line (stream: each
data line as received, byte for byte; poll: each response page), which replays as format
``x-v2-jsonl`` to the same records.

``api_base`` (e.g. ``http://127.0.0.1:8080`` or a proxy with a path prefix) points every request
at another host: tweepy 4.17 hard-codes ``https://api.twitter.com``, so the clients get a
:class:`~.session.RebasedSession` that rewrites that prefix; proxies, TLS and timeouts then apply
to the real target.

This module itself imports no tweepy: the ``x-v2-jsonl`` replay uses :mod:`~.v2` without it.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from tweetpulse.config import DEFAULT_POLL_INTERVAL
from tweetpulse.errors import ConfigError

if TYPE_CHECKING:
    from tweetpulse.sources import SourceRequest
    from tweetpulse.sources.x.base import StatusCallback
    from tweetpulse.sources.x.poll import XPollSource
    from tweetpulse.sources.x.rules import Groups
    from tweetpulse.sources.x.stream import XStreamSource


def open_x_source(
    mode: str = "stream",
    *,
    groups: Groups | None = None,
    include_retweets: bool = False,
    api_base: str | None = None,
    record_path: str | None = None,
    poll_interval: float = DEFAULT_POLL_INTERVAL,
    on_status: StatusCallback | None = None,
    duration: float | None = None,
) -> XStreamSource | XPollSource:
    """The live source for ``--source x``: credentials from the environment or the credentials file."""
    from tweetpulse.sources.x.credentials import load_bearer_token
    from tweetpulse.sources.x.poll import XPollSource
    from tweetpulse.sources.x.stream import XStreamSource

    token = load_bearer_token(api_base=api_base)
    if token is None:
        raise ConfigError(
            "no X credentials: set X_BEARER_TOKEN or copy twitter_credentials.example.py to "
            "twitter_credentials.py and fill it in (or use --source replay / sample)"
        )
    common: dict[str, Any] = {
        "groups": groups,
        "include_retweets": include_retweets,
        "api_base": api_base,
        "record_path": record_path,
        "on_status": on_status,
        "duration": duration,  # --duration holds while X fails: backoff waits end with it
    }
    if mode == "stream":
        return XStreamSource(token, **common)
    if mode == "poll":
        return XPollSource(token, interval=poll_interval, **common)
    raise ConfigError(f"unknown --x-mode {mode!r}: use stream or poll")


def open_x(request: SourceRequest) -> XStreamSource | XPollSource:
    """The registry's opener (:data:`tweetpulse.sources.SOURCES`): ``request.options`` are
    :func:`open_x_source`'s keywords (keywords come from X's rule tags, so the matcher is not used)."""
    unknown = sorted(set(request.options) - set(inspect.signature(open_x_source).parameters))
    if unknown:
        raise ConfigError(f"--source x has no option {', '.join(unknown)}: see tweetpulse stream --help")
    return open_x_source(**request.options)
