"""Live tweets from the X (Twitter) API v2, through tweepy.

Two sources, both yielding :class:`tweetpulse.records.Tweet` records through the one v2 conversion
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
included, they are filtered: :mod:`tweetpulse.secrets`).

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

from typing import TYPE_CHECKING, Any

from tweetpulse.errors import ConfigError
from tweetpulse.options import Option
from tweetpulse.sources.base import SourceRequest, SourceSpec
from tweetpulse.sources.live import DEFAULT_POLL_INTERVAL, POLL_INTERVAL, RECORD

if TYPE_CHECKING:
    from tweetpulse.sources.x.poll import XPollSource
    from tweetpulse.sources.x.stream import XStreamSource

MODES = ("stream", "poll")


def open_x(request: SourceRequest) -> XStreamSource | XPollSource:
    """The filtered stream or recent-search polling (``mode``), with the bearer token from the environment or
    the credentials file. Keywords come from X's rule tags: the matcher's groups become the rules."""
    from tweetpulse.sources.x.credentials import load_bearer_token
    from tweetpulse.sources.x.poll import XPollSource
    from tweetpulse.sources.x.stream import XStreamSource

    options = request.options
    token = load_bearer_token(api_base=options.get("api_base"))
    if token is None:
        raise ConfigError(
            "no X credentials: set X_BEARER_TOKEN or copy twitter_credentials.example.py to "
            "twitter_credentials.py and fill it in (or use --source replay / sample)"
        )
    common: dict[str, Any] = {
        "groups": request.groups,
        "include_retweets": bool(options.get("include_retweets")),
        "api_base": options.get("api_base"),
        "record_path": options.get("record_path"),
        "on_status": request.on_status,
        "duration": request.duration,  # --duration holds while X fails: backoff waits end with it
    }
    mode = options.get("mode", "stream")
    if mode == "stream":
        return XStreamSource(token, **common)
    if mode == "poll":
        return XPollSource(token, interval=options.get("poll_interval", DEFAULT_POLL_INTERVAL), **common)
    raise ConfigError(f"unknown --x-mode {mode!r}: use stream or poll")


SOURCE = SourceSpec(
    "x",
    "X API v2",
    open_x,
    options=(
        Option(
            "--x-mode",
            "mode",
            "filtered stream, or recent search polling for accounts without stream access",
            default="stream",
            choices=MODES,
        ),
        Option("--x-api-base", "api_base", "another API host (a proxy, a test server)", metavar="URL"),
        Option("--include-retweets", "include_retweets", "keep retweets in the stream rules", switch=True),
        POLL_INTERVAL,
        RECORD,
    ),
    live=True,
    replay_format="x-v2-jsonl",
)
