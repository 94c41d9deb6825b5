"""Live tweets from the X (Twitter) API v2, through tweepy.

Two sources, both yielding :class:`tweetpulse.models.Tweet` records:

:class:`XStreamSource` (``--x-mode stream``, source ``"x:stream"``)
    The filtered stream (``GET /2/tweets/search/stream``, needs the Pro access level). One
    *tagged* rule per keyword group, e.g. tag ``bitcoin`` =
    ``(bitcoin OR btc OR #bitcoin OR $btc) lang:en -is:retweet``; rules left over from
    earlier runs are replaced (the app's rule set is owned by this source). tweepy's
    :class:`~tweepy.StreamingClient` runs in its own thread (``filter(threaded=True)``) and
    pushes tweets into a bounded queue that iteration drains. Keywords are the tags of the
    rules that matched (``matching_rules[].tag``), followers come from
    ``includes.users[].public_metrics.followers_count``.

:class:`XPollSource` (``--x-mode poll``, source ``"x:poll"``)
    Recent search (``GET /2/tweets/search/recent``, Basic access level) with the same query per
    group every ``interval`` seconds, remembering the newest id per group (``since_id``) and
    following ``next_token`` pages. Keywords are the groups whose query returned the tweet.

Usage::

    from tweetpulse.sources.x import XStreamSource, load_bearer_token

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
``last_error`` and ``retry_in``, the snapshot :meth:`XStreamSource.status` (an
:class:`XStatus`), the ``on_status`` callback (called with an :class:`XStatus` on every change,
from the stream thread in stream mode) and log records on the ``tweetpulse.sources.x`` logger.

Errors the user must act on raise :class:`~tweetpulse.errors.SourceError` with a one-line
message (401 bad token, 403 ``client-not-enrolled`` / access level, 429 ``UsageCapExceeded``);
rate limits and disconnections are retried and only reported (``"rate limited (...), retrying in
60s"``). The bearer token never appears in a repr or a log record (tweepy's own DEBUG logs
included, they are filtered).

``record_path`` appends what X sent to a JSONL file, one v2 response object per line (stream: each
data line as received, byte for byte; poll: each response page), which replays as format
``x-v2-jsonl``. Note that a poll page has ``"data": [...]`` (a list) and no ``matching_rules``.

``api_base`` (e.g. ``http://127.0.0.1:8080`` or a proxy with a path prefix) points every request
at another host: tweepy 4.17 hard-codes ``https://api.twitter.com`` in
``BaseClient.request`` and ``StreamingClient._connect``, so the clients get a
:class:`RebasedSession`, a ``requests.Session`` whose ``prepare_request`` rewrites that prefix;
proxies, TLS and timeouts then apply to the real target.

Things worth knowing about tweepy's stream loop (``BaseStream._connect``): it reconnects forever
by default (``max_retries``); a clean close by X (e.g. after ``operational-disconnect``) is
followed by an immediate reconnect, network errors wait 0, 0.25, 0.5 … 16 s, HTTP errors 5, 10 …
320 s and 429 starts at 60 s. Those waits are local variables passed to the module-level
``tweepy.streaming.sleep``; this module replaces that name (once, on first use) with a wrapper
that, for stream threads started here, reports the wait (``retry_in``), makes it interruptible by
:meth:`XStreamSource.close` and scales it by ``backoff_scale`` (tests use a tiny scale); other
threads get plain ``time.sleep``. tweepy would also retry 401/403 forever and stop the stream on
the first line that isn't JSON; this source stops on 401/403 with a clear error and counts bad
lines in ``skipped`` instead.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import runpy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

import orjson
import requests
import tweepy
import tweepy.streaming

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.models import Tweet
from tweetpulse.sources.base import SkippedRows

log = logging.getLogger(__name__)

API_BASE = "https://api.twitter.com"
TOKEN_ENV = "X_BEARER_TOKEN"
CREDENTIALS_FILE = "twitter_credentials.py"

EXPANSIONS = ["author_id"]
TWEET_FIELDS = ["created_at", "lang"]
USER_FIELDS = ["public_metrics"]

MAX_RULE_LENGTH = 512  # the Basic/Pro limit for one rule or query

Groups = Mapping[str, Sequence[str]]
StatusCallback = Callable[["XStatus"], None]

_REPLAY_HINT = "replay a dataset with --source replay"


# --------------------------------------------------------------------------- secrets


_SECRETS: set[str] = set()
_redaction_installed = False


def mask_token(token: str | None) -> str:
    """A printable stand-in for a secret: ``'…wxyz'`` (last 4 characters) or ``'****'``."""
    if not token:
        return "<none>"
    return "…" + token[-4:] if len(token) >= 20 else "****"


class _RedactSecrets(logging.Filter):
    """Removes registered tokens from tweepy's log records (its DEBUG logs print the headers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _SECRETS:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        redacted = message
        for secret in _SECRETS:
            redacted = redacted.replace(secret, mask_token(secret))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _register_secret(token: str) -> None:
    global _redaction_installed
    if len(token) >= 8:
        _SECRETS.add(token)
    if not _redaction_installed:
        _redaction_installed = True
        for name in ("tweepy.client", "tweepy.streaming", "tweepy.auth"):
            logging.getLogger(name).addFilter(_RedactSecrets())


# --------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class XCredentials:
    """What a ``twitter_credentials.py`` holds; the repr masks every value."""

    bearer_token: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={mask_token(value)}" for name, value in self.__dict__.items() if value is not None)
        return f"XCredentials({shown})"


_NAMES = {
    "bearer_token": ("BEARER_TOKEN", "X_BEARER_TOKEN", "TWITTER_BEARER_TOKEN"),
    "consumer_key": ("CONSUMER_KEY", "API_KEY"),
    "consumer_secret": ("CONSUMER_SECRET", "API_SECRET", "API_KEY_SECRET", "CONSUMER_KEY_SECRET"),
    "access_token": ("ACCESS_TOKEN",),
    "access_token_secret": ("ACCESS_TOKEN_SECRET", "ACCESS_SECRET"),
}


def load_credentials(path: str | os.PathLike[str]) -> XCredentials:
    """Read a ``twitter_credentials.py`` module (``BEARER_TOKEN = "..."``, or the old tutorial's
    ``CONSUMER_KEY`` / ``CONSUMER_SECRET`` / ``ACCESS_TOKEN`` / ``ACCESS_TOKEN_SECRET``)."""
    try:
        namespace = runpy.run_path(os.fspath(path))
    except Exception as exc:
        raise ConfigError(f"cannot read {path}: {type(exc).__name__}: {exc}") from None
    values: dict[str, str | None] = {}
    for field_name, names in _NAMES.items():
        found = None
        for name in names:
            value = namespace.get(name)
            if isinstance(value, str) and value.strip():
                found = value.strip()
                break
        values[field_name] = found
    return XCredentials(**values)


def load_bearer_token(path: str | os.PathLike[str] | None = None, *, api_base: str | None = None) -> str | None:
    """The app-only bearer token for the X API v2, or None when none is configured.

    Looks at ``$X_BEARER_TOKEN``, then ``twitter_credentials.py`` in the current directory (or
    ``path``; keep that file out of git). If the file has only the old tutorial's
    ``CONSUMER_KEY``/``CONSUMER_SECRET``, they are exchanged for a bearer token
    (``POST /oauth2/token``). Raises :class:`ConfigError` for a file that can't give one.
    """
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        _register_secret(env)
        return env
    file = Path(path) if path is not None else Path.cwd() / CREDENTIALS_FILE
    if not file.is_file():
        return None
    creds = load_credentials(file)
    if creds.bearer_token:
        _register_secret(creds.bearer_token)
        return creds.bearer_token
    if creds.consumer_key and creds.consumer_secret:
        return bearer_from_consumer_keys(creds.consumer_key, creds.consumer_secret, api_base=api_base)
    if creds.access_token:
        raise ConfigError(
            f"{file.name} has ACCESS_TOKEN but no BEARER_TOKEN: the X API v2 needs the app's Bearer Token "
            f"(developer portal → your app → Keys and tokens); add BEARER_TOKEN = '...' or set {TOKEN_ENV}"
        )
    raise ConfigError(f"{file} defines no BEARER_TOKEN: add BEARER_TOKEN = '...' or set {TOKEN_ENV}")


def bearer_from_consumer_keys(consumer_key: str, consumer_secret: str, *, api_base: str | None = None) -> str:
    """Exchange an app's consumer key and secret for its bearer token (OAuth 2.0 app-only)."""
    _register_secret(consumer_secret)
    with RebasedSession(api_base) as session:
        try:
            resp = session.post(
                f"{API_BASE}/oauth2/token",
                auth=(consumer_key, consumer_secret),
                data={"grant_type": "client_credentials"},
                timeout=30,
            )
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach the X API at {session.api_base}: {_short(exc)}") from None
    body = _json_or_none(resp.content)
    token = body.get("access_token") if isinstance(body, dict) else None
    if resp.status_code != 200 or not isinstance(token, str) or body.get("token_type") != "bearer":
        raise SourceError(
            f"X did not accept CONSUMER_KEY/CONSUMER_SECRET ({resp.status_code}): regenerate them in the developer "
            f"portal, or put the app's Bearer Token in {TOKEN_ENV} / BEARER_TOKEN"
        )
    _register_secret(token)
    return token


# --------------------------------------------------------------------------- HTTP plumbing


class RebasedSession(requests.Session):
    """A ``requests.Session`` that sends ``https://api.twitter.com/...`` requests to ``api_base``.

    tweepy 4.17 has no host setting (the host is a literal in ``BaseClient.request`` and
    ``StreamingClient._connect``); every request goes through ``Session.request`` →
    ``prepare_request``, so rewriting the URL there covers the REST calls and the stream alike,
    before proxies and TLS settings are chosen for the real target.
    """

    def __init__(self, api_base: str | None = None, timeout: float | None = 30.0) -> None:
        super().__init__()
        self.api_base = (api_base or API_BASE).rstrip("/")
        self.default_timeout = timeout

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        url = request.url
        if isinstance(url, str) and self.api_base != API_BASE and (url == API_BASE or url.startswith(API_BASE + "/")):
            request.url = self.api_base + url[len(API_BASE) :]
        return super().prepare_request(request)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # tweepy's REST calls pass no timeout: a dead connection must not hang a call forever
        # (the stream passes its own 21 s read timeout, which stays).
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().send(request, **kwargs)


def _json_or_none(raw: bytes | None) -> Any:
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _problem(body: Any) -> dict[str, Any]:
    """The first problem object of an error body (v2 problem, ``errors[0]``, or v1.1 style)."""
    if not isinstance(body, dict):
        return {}
    if "title" in body or "reason" in body or "detail" in body:
        return body
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0]
    return {}


def _describe(status: int, body: Any) -> str:
    problem = _problem(body)
    title = problem.get("connection_issue") or problem.get("title") or problem.get("message")
    detail = problem.get("detail")
    parts = [str(status)]
    if title:
        parts.append(str(title))
    text = " ".join(parts)
    if detail and detail != title:
        text += f": {detail}"
    return text


def _is_usage_cap(body: Any) -> bool:
    problem = _problem(body)
    return problem.get("title") == "UsageCapExceeded" or "usage-capped" in str(problem.get("type", ""))


def explain_http_error(status: int, body: Any, what: str = "the X API") -> str:
    """A one-line cause-and-fix for an error answer from X (``body`` = the decoded JSON)."""
    problem = _problem(body)
    if status == 401:
        return f"X rejected the bearer token (401 Unauthorized): check {TOKEN_ENV} / {CREDENTIALS_FILE}"
    if status == 403:
        if problem.get("reason") == "client-not-enrolled":
            if "stream" in what:  # X answers the same when the Project's level lacks the endpoint
                return (
                    "your X app is not attached to a Project with v2 access (client-not-enrolled): attach it in "
                    "the developer portal (the filtered stream also needs the Pro level; with Basic use "
                    f"--x-mode poll), or {_REPLAY_HINT}"
                )
            return (
                "your X app is not attached to a Project with v2 access (client-not-enrolled): "
                f"attach it in the developer portal, or {_REPLAY_HINT}"
            )
        return (
            f"X refused access to {what} ({_describe(status, body)}): your access level may not include it "
            f"(the filtered stream needs Pro, recent search Basic); try --x-mode poll, or {_REPLAY_HINT}"
        )
    if status == 429:
        if _is_usage_cap(body):
            return (
                f"your X Project's monthly tweet cap is used up ({_describe(status, body)}): wait for the reset "
                f"or raise the plan; meanwhile {_REPLAY_HINT}"
            )
        return f"rate limited by X on {what} ({_describe(status, body)})"
    if status == 400:
        return f"X rejected the request to {what} ({_describe(status, body)}): check the keyword groups"
    return f"X answered {what} with an error ({_describe(status, body)})"


def _http_error(exc: tweepy.HTTPException, what: str) -> SourceError:
    response = exc.response
    return SourceError(explain_http_error(response.status_code, _json_or_none(response.content), what))


def _secs(seconds: float) -> str:
    return f"{seconds:.0f}s" if seconds >= 1 or seconds == 0 else f"{seconds:.2g}s"


# --------------------------------------------------------------------------- rules and records


def _quote(term: str) -> str:
    term = term.strip()
    if any(c.isspace() for c in term) and not (term.startswith('"') and term.endswith('"')):
        return '"' + term.replace('"', "") + '"'
    return term


def rule_value(terms: Sequence[str], *, lang: str | None = "en", include_retweets: bool = False) -> str:
    """The query for one keyword group: ``(bitcoin OR btc OR #bitcoin OR $btc) lang:en -is:retweet``."""
    seen: dict[str, str] = {}
    for term in terms:
        quoted = _quote(term)
        if quoted and quoted.lower() not in seen:
            seen[quoted.lower()] = quoted
    if not seen:
        raise ConfigError("a keyword group has no terms: give every group at least one keyword")
    parts = ["(" + " OR ".join(seen.values()) + ")"]
    if lang:
        parts.append(f"lang:{lang}")
    if not include_retweets:
        parts.append("-is:retweet")
    return " ".join(parts)


def build_rules(groups: Groups, *, lang: str | None = "en", include_retweets: bool = False) -> dict[str, str]:
    """``{tag: rule value}`` with one rule per keyword group (tag = group name)."""
    if not groups:
        raise ConfigError("no keyword groups: give at least one group of keywords to follow")
    rules = {}
    for tag, terms in groups.items():
        if not tag:
            raise ConfigError("a keyword group has an empty name")
        value = rule_value(terms, lang=lang, include_retweets=include_retweets)
        if len(value) > MAX_RULE_LENGTH:
            raise ConfigError(
                f"the X query for group {tag!r} is {len(value)} characters, over X's {MAX_RULE_LENGTH}: "
                "use fewer keywords in that group"
            )
        rules[tag] = value
    return rules


def _default_groups() -> dict[str, tuple[str, ...]]:
    from tweetpulse.keywords import DEFAULT_GROUPS

    return dict(DEFAULT_GROUPS)


def _keyword_matcher(groups: Groups) -> Callable[[str], list[str]] | None:
    try:
        from tweetpulse.keywords import KeywordMatcher
    except ImportError:
        return None
    matcher = KeywordMatcher({k: tuple(v) for k, v in groups.items()})
    match: Callable[[str], list[str]] = matcher.match
    return match


def tweets_from_v2(
    obj: Mapping[str, Any],
    *,
    source: str,
    groups: Sequence[str] = (),
    match: Callable[[str], list[str]] | None = None,
) -> tuple[list[Tweet], list[str]]:
    """Turn one X API v2 response object (stream line or search page) into records.

    Returns the tweets and a reason for every item of ``data`` that could not be used. Keywords
    are the ``matching_rules`` tags that name one of ``groups`` (ignoring case; in ``groups``
    order, as the replay module does); without any, ``match(text)`` when given.
    """
    data = obj.get("data")
    if data is None:
        return [], []
    items = data if isinstance(data, list) else [data]
    includes = obj.get("includes")
    users: dict[str, Mapping[str, Any]] = {}
    if isinstance(includes, Mapping) and isinstance(includes.get("users"), list):
        for user in includes["users"]:
            if isinstance(user, Mapping) and isinstance(user.get("id"), str):
                users[user["id"]] = user
    tags: set[str] = set()
    rules = obj.get("matching_rules")
    if isinstance(rules, list):
        for rule in rules:
            tag = rule.get("tag") if isinstance(rule, Mapping) else None
            if isinstance(tag, str):
                tags.add(tag.casefold())
    tagged = [group for group in groups if group.casefold() in tags]
    tweets: list[Tweet] = []
    problems: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            problems.append("tweet is not a JSON object")
            continue
        tid, text = item.get("id"), item.get("text")
        if not isinstance(tid, str) or not tid or not isinstance(text, str) or not text:
            problems.append("tweet without id/text")
            continue
        author_id = item.get("author_id") if isinstance(item.get("author_id"), str) else None
        user = users.get(author_id) if author_id else None
        followers = None
        author = None
        if user is not None:
            metrics = user.get("public_metrics")
            count = metrics.get("followers_count") if isinstance(metrics, Mapping) else None
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                followers = count
            author = user.get("username") if isinstance(user.get("username"), str) else None
        created_at = item.get("created_at")
        lang = item.get("lang")
        keywords = list(tagged) if tagged else (match(text) if match is not None else [])
        tweets.append(
            Tweet(
                id=tid,
                text=text,
                created_at=created_at if isinstance(created_at, str) else None,
                author=author,
                author_id=author_id,
                followers=followers,
                lang=lang if isinstance(lang, str) else None,
                keywords=keywords,
                source=source,
            )
        )
    return tweets, problems


class _Recorder:
    """Appends raw response lines to a JSONL file (thread-safe, flushed per line)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO | None = self.path.open("ab")
        self._lock = threading.Lock()
        self.lines = 0

    def write(self, raw: bytes) -> None:
        line = raw.strip(b"\r\n")
        if b"\n" in line or b"\r" in line:  # keep one object per line
            parsed = _json_or_none(line)
            line = orjson.dumps(parsed) if parsed is not None else line.replace(b"\r", b" ").replace(b"\n", b" ")
        with self._lock:
            if self._file is None:
                return
            self._file.write(line + b"\n")
            self._file.flush()
            self.lines += 1

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


# --------------------------------------------------------------------------- status


@dataclass(frozen=True)
class XStatus:
    """A snapshot of a source's connection state (what ``on_status`` receives)."""

    mode: str
    state: str
    retries: int
    last_error: str | None
    retry_in: float | None
    tweets: int
    skipped: int

    def __str__(self) -> str:
        text = f"x {self.mode}: {self.state}, {self.tweets} tweets, {self.retries} retries"
        if self.last_error:
            text += f" (last: {self.last_error})"
        return text


def _require_token(bearer_token: str) -> None:
    if not bearer_token:
        raise ConfigError(f"no X bearer token: set {TOKEN_ENV} or BEARER_TOKEN in {CREDENTIALS_FILE}")


class _XSource:
    """What both sources share: the common constructor part, repr, context manager and state.

    ``_mode`` and ``name`` come from the class.
    """

    _mode: str
    name: str
    skipped: SkippedRows
    state: str
    retries: int
    last_error: str | None
    retry_in: float | None
    tweets_received: int
    on_status: StatusCallback | None

    _token: str
    api_base: str
    groups: dict[str, tuple[str, ...]]

    def close(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(token={mask_token(self._token)}, api_base={self.api_base!r}, "
            f"groups={list(self.groups)}, state={self.state!r})"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _init_common(
        self, bearer_token: str, groups: Groups | None, api_base: str | None, on_status: StatusCallback | None
    ) -> None:
        """The setup both constructors share (after :func:`_require_token` and their own checks)."""
        _register_secret(bearer_token)
        self._token = bearer_token
        self.groups = {k: tuple(v) for k, v in (groups if groups is not None else _default_groups()).items()}
        self.api_base = (api_base or API_BASE).rstrip("/")
        self.skipped = SkippedRows()
        self.state = "disconnected"
        self.retries = 0
        self.last_error = None
        self.retry_in = None
        self.tweets_received = 0
        self.on_status = on_status

    def status(self) -> XStatus:
        return XStatus(
            mode=self._mode,
            state=self.state,
            retries=self.retries,
            last_error=self.last_error,
            retry_in=self.retry_in,
            tweets=self.tweets_received,
            skipped=self.skipped.count,
        )

    def _set_state(self, state: str, *, error: str | None = None, retry_in: float | None = None) -> None:
        self.state = state
        if error is not None:
            self.last_error = error
        self.retry_in = retry_in
        if self.on_status is not None:
            try:
                self.on_status(self.status())
            except Exception:
                log.exception("the on_status callback failed (ignored)")


# --------------------------------------------------------------------------- tweepy's backoff


_BACKOFF_OWNERS: dict[int, XStreamSource] = {}
_original_sleep: Callable[[float], None] = time.sleep
_backoff_installed = False
_install_lock = threading.Lock()


def _tweepy_sleep(seconds: float) -> None:
    owner = _BACKOFF_OWNERS.get(threading.get_ident())
    if owner is None:
        _original_sleep(seconds)
    else:
        owner._backoff(seconds)


def _install_backoff_hook() -> None:
    """Route ``tweepy.streaming``'s backoff sleeps through :func:`_tweepy_sleep` (once)."""
    global _backoff_installed, _original_sleep
    with _install_lock:
        if _backoff_installed:
            return
        current = getattr(tweepy.streaming, "sleep", None)
        if not callable(current):
            log.warning("tweepy.streaming.sleep not found: stream backoff can't be reported or interrupted")
            return
        _original_sleep = current
        tweepy.streaming.sleep = _tweepy_sleep
        _backoff_installed = True


# --------------------------------------------------------------------------- stream


class _StreamingClient(tweepy.StreamingClient):
    """tweepy's client with its callbacks forwarded to the owning :class:`XStreamSource`."""

    session: requests.Session

    def __init__(self, owner: XStreamSource, bearer_token: str, api_base: str | None, **kwargs: Any) -> None:
        super().__init__(bearer_token, **kwargs)
        self.session.close()
        self.session = RebasedSession(api_base)
        self.session.hooks["response"].append(owner._on_http_response)
        self._owner = owner

    def _connect(self, method: str, endpoint: str, **kwargs: Any) -> None:
        ident = threading.get_ident()
        _BACKOFF_OWNERS[ident] = self._owner
        try:
            if self._owner._closing:
                self._owner._on_disconnect()
                return
            super()._connect(method, endpoint, **kwargs)
        finally:
            _BACKOFF_OWNERS.pop(ident, None)

    def on_connect(self) -> None:
        self._owner._on_connect()

    def on_data(self, raw_data: bytes) -> None:
        self._owner._on_line(raw_data)

    def on_keep_alive(self) -> None:
        pass

    def on_closed(self, response: requests.Response) -> None:
        self._owner._on_closed()

    def on_connection_error(self) -> None:
        self._owner._on_connection_error()

    def on_request_error(self, status_code: int) -> None:
        self._owner._on_request_error(status_code)

    def on_exception(self, exception: Exception) -> None:
        self._owner._on_exception(exception)

    def on_disconnect(self) -> None:
        self._owner._on_disconnect()


@dataclass(frozen=True)
class RulesSync:
    """What :meth:`XStreamSource.sync_rules` did (rule values by tag)."""

    kept: list[str]
    deleted: list[str]
    added: list[str]


class XStreamSource(_XSource):
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
    ) -> None:
        _require_token(bearer_token)
        self._init_common(bearer_token, groups, api_base, on_status)
        self.rules = build_rules(self.groups, lang=lang, include_retweets=include_retweets)
        self.backoff_scale = backoff_scale
        self.backfill_minutes = backfill_minutes
        self.close_timeout = close_timeout
        self.lines_received = 0
        self.rules_sync: RulesSync | None = None
        self._match = _keyword_matcher(self.groups)
        self._queue: queue.Queue[Tweet] = queue.Queue(maxsize=queue_size)
        self._recorder = _Recorder(record_path) if record_path is not None else None
        self._client = _StreamingClient(
            self, bearer_token, api_base, max_retries=max_retries, chunk_size=chunk_size, daemon=True
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
        _install_backoff_hook()
        params: dict[str, Any] = {"expansions": EXPANSIONS, "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS}
        if self.backfill_minutes:
            params["backfill_minutes"] = self.backfill_minutes
        log.info("connecting to the X filtered stream at %s", self.api_base)
        self._thread = self._client.filter(threaded=True, **params)

    def __iter__(self) -> Iterator[Tweet]:
        try:
            self.start()
            while True:
                try:
                    tweet = self._queue.get(timeout=0.1)
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
                    "the X stream thread did not stop within %s; it will exit on its own", _secs(self.close_timeout)
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
            raise _http_error(exc, "the stream rules") from None
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach the X API at {self.api_base}: {_short(exc)}") from None

    # -- callbacks from tweepy's thread

    def _on_http_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if not response.url.split("?", 1)[0].endswith("/2/tweets/search/stream"):
            return
        if response.status_code == 200:
            self._live = response
        else:
            self._error_response = (response.status_code, _json_or_none(response.content))

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
            self._skip(line_no, f"not JSON: {_short(exc)}", raw)
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
        tweets, problems = tweets_from_v2(obj, source=self.name, groups=tuple(self.groups), match=self._match)
        for problem in problems:
            self._skip(line_no, problem, raw)
        for tweet in tweets:
            self._deliver(tweet)

    def _skip(self, line_no: int, reason: str, raw: bytes) -> None:
        self.skipped.add(line_no, reason)
        level = logging.WARNING if self.skipped.count <= 10 else logging.DEBUG
        log.log(level, "skipped line %d of the X stream (%s): %.80r", line_no, reason, raw)

    def _on_stream_errors(self, errors: Any) -> None:
        problem = _problem({"errors": errors})
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
        if code in (401, 403) or (code == 429 and _is_usage_cap(body)):
            message = explain_http_error(code, body, "the filtered stream")
            self._fatal = SourceError(message)
            log.debug("%s", message)
            self.last_error = message
            self._client.disconnect()
            return
        self.retries += 1
        self._failures += 1
        if code == 429:
            self._pending_cause = "rate limited" + (f" ({_describe(code, body)})" if body else " (429)")
        else:
            self._pending_cause = f"X answered the stream request with {_describe(code, body)}"

    def _backoff(self, seconds: float) -> None:
        """tweepy is about to wait ``seconds`` before reconnecting (called in its thread)."""
        if self._closing:
            return
        cause = self._pending_cause or "reconnecting"
        message = f"{cause}, retrying in {_secs(seconds)}"
        log.warning("%s", message)
        self._set_state("retrying", error=message, retry_in=seconds)
        self._stop.wait(seconds * self.backoff_scale)

    def _on_exception(self, exc: Exception) -> None:
        if self._closing:
            return
        message = f"the X stream stopped on an unexpected error: {type(exc).__name__}: {_short(exc)}"
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


# --------------------------------------------------------------------------- poll


class XPollSource(_XSource):
    """Tweets from X API v2 recent search, polled (see the module docstring).

    Each poll runs one query per group, newest first from the group's last ``since_id``,
    following ``next_token`` for up to ``max_pages`` pages (the first poll starts from the
    newest ``max_pages * max_results`` tweets of the last 7 days), then yields the new tweets
    oldest first, each once, keywords = the groups whose query returned it. Rate limits wait
    until ``x-rate-limit-reset`` (+ ``rate_limit_margin``); 5xx and network errors back off
    5 s, 10 s … 320 s; ``close()`` interrupts any wait. ``max_polls`` ends iteration after that
    many polls (default: poll until closed).
    """

    _mode = "poll"
    name = "x:poll"

    def __init__(
        self,
        bearer_token: str,
        groups: Groups | None = None,
        include_retweets: bool = False,
        api_base: str | None = None,
        record_path: str | os.PathLike[str] | None = None,
        *,
        lang: str | None = "en",
        interval: float = 30.0,
        max_results: int = 100,
        max_pages: int = 5,
        max_polls: int | None = None,
        max_retries: float = math.inf,
        rate_limit_margin: float = 1.0,
        backoff_scale: float = 1.0,
        on_status: StatusCallback | None = None,
        timeout: float = 30.0,
    ) -> None:
        _require_token(bearer_token)
        if not 10 <= max_results <= 100:
            raise ConfigError(f"max_results must be between 10 and 100 (X's limits), not {max_results}")
        self._init_common(bearer_token, groups, api_base, on_status)
        self.queries = build_rules(self.groups, lang=lang, include_retweets=include_retweets)
        self.interval = interval
        self.max_results = max_results
        self.max_pages = max(1, max_pages)
        self.max_polls = max_polls
        self.max_retries = max_retries
        self.rate_limit_margin = rate_limit_margin
        self.backoff_scale = backoff_scale
        self.timeout = timeout
        self.since_ids: dict[str, str] = {}
        self.polls = 0
        self.pages = 0
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._recorder = _Recorder(record_path) if record_path is not None else None
        self._client = tweepy.Client(bearer_token, return_type=requests.Response, wait_on_rate_limit=False)
        self._client.session.close()
        self._client.session = RebasedSession(api_base, timeout)
        self._stop = threading.Event()
        self._closed = False

    def __iter__(self) -> Iterator[Tweet]:
        if self._closed:
            raise SourceError("this X poll source is closed: create a new one")
        self._set_state("connecting")
        try:
            while not self._stop.is_set():
                yield from self.poll_once()
                self.polls += 1
                if self.max_polls is not None and self.polls >= self.max_polls:
                    break
                self._stop.wait(self.interval)
        except SourceError as exc:
            log.debug("%s", exc)
            self._set_state("disconnected", error=str(exc))
            raise
        finally:
            self.close()

    def close(self) -> None:
        """Stop polling (interrupts a wait), close the HTTP session and the record file."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._client.session.close()
        if self._recorder is not None:
            self._recorder.close()
        if self.state != "disconnected":
            self._set_state("disconnected")

    def poll_once(self) -> list[Tweet]:
        """Run every group's query once; the new tweets, oldest first."""
        found: dict[str, Tweet] = {}
        for group, query in self.queries.items():
            for tweet in self._search(group, query):
                known = found.get(tweet.id)
                if known is None:
                    tweet.keywords = [group]
                    found[tweet.id] = tweet
                elif group not in known.keywords:
                    known.keywords.append(group)
        fresh = []
        for tweet in sorted(found.values(), key=lambda t: (len(t.id), t.id)):
            if tweet.id in self._seen:
                continue
            self._seen[tweet.id] = None
            fresh.append(tweet)
        while len(self._seen) > 50_000:
            self._seen.popitem(last=False)
        self.tweets_received += len(fresh)
        return fresh

    def _search(self, group: str, query: str) -> list[Tweet]:
        since_id = self.since_ids.get(group)
        newest: str | None = None
        next_token: str | None = None
        tweets: list[Tweet] = []
        for page_no in range(self.max_pages):
            params: dict[str, Any] = {
                "max_results": self.max_results,
                "expansions": EXPANSIONS,
                "tweet_fields": TWEET_FIELDS,
                "user_fields": USER_FIELDS,
            }
            if since_id:
                params["since_id"] = since_id
            if next_token:
                params["next_token"] = next_token
            response = self._call(query, params)
            if response is None:  # closed while waiting
                break
            self.pages += 1
            raw = response.content
            if self._recorder is not None:
                self._recorder.write(raw)
            obj = _json_or_none(raw)
            if not isinstance(obj, dict):
                self.skipped.add(self.pages, "search page is not a JSON object")
                break
            meta_obj = obj.get("meta")
            meta: dict[str, Any] = meta_obj if isinstance(meta_obj, dict) else {}
            if page_no == 0 and isinstance(meta.get("newest_id"), str):
                newest = meta["newest_id"]
            page, problems = tweets_from_v2(obj, source=self.name)
            for problem in problems:
                self.skipped.add(self.pages, problem)
            tweets.extend(page)
            token = meta.get("next_token")
            next_token = token if isinstance(token, str) and token else None
            if next_token is None:
                break
        else:
            if next_token is not None:
                log.info("%s: more than %d pages of new tweets, older ones skipped", group, self.max_pages)
        if newest is not None:
            self.since_ids[group] = newest
        return tweets

    def _call(self, query: str, params: dict[str, Any]) -> requests.Response | None:
        failures = 0
        wait = 5.0
        while not self._stop.is_set():
            try:
                response: requests.Response = self._client.search_recent_tweets(query, **params)
            except tweepy.TooManyRequests as exc:
                body = _json_or_none(exc.response.content)
                if _is_usage_cap(body):
                    raise _http_error(exc, "recent search") from None
                reset = exc.reset_time
                delay = max(reset - time.time(), 0.0) + self.rate_limit_margin if reset else 60.0
                cause = explain_http_error(429, body, "recent search")
            except (tweepy.Unauthorized, tweepy.Forbidden, tweepy.BadRequest, tweepy.NotFound) as exc:
                raise _http_error(exc, "recent search") from None
            except tweepy.HTTPException as exc:  # 5xx and the like
                body = _json_or_none(exc.response.content)
                cause = f"X answered recent search with {_describe(exc.response.status_code, body)}"
                delay, wait = wait, min(wait * 2, 320.0)
            except requests.RequestException as exc:
                cause = f"cannot reach the X API at {self.api_base} ({_short(exc)})"
                delay, wait = wait, min(wait * 2, 320.0)
            else:
                if self.state != "connected":
                    self._set_state("connected")
                return response
            failures += 1
            if failures > self.max_retries:
                raise SourceError(f"X recent search gave up after {failures - 1} retries (last: {cause})")
            self.retries += 1
            message = f"{cause}, retrying in {_secs(delay)}"
            log.warning("%s", message)
            self._set_state("retrying", error=message, retry_in=delay)
            self._stop.wait(delay * self.backoff_scale)
        return None


def open_x_source(
    mode: str = "stream",
    *,
    groups: Groups | None = None,
    matcher: object | None = None,
    include_retweets: bool = False,
    api_base: str | None = None,
    record_path: str | None = None,
    poll_interval: float = 30.0,
    on_status: StatusCallback | None = None,
) -> XStreamSource | XPollSource:
    """The live source for ``--source x``: credentials from the environment or the credentials file.

    ``matcher`` is accepted for symmetry with the other sources; X's own rule tags name the groups.
    """
    token = load_bearer_token(api_base=api_base)
    if token is None:
        raise ConfigError(
            "no X credentials: set X_BEARER_TOKEN or copy twitter_credentials.example.py to "
            "twitter_credentials.py and fill it in (or use --source replay / sample)"
        )
    common: dict[str, Any] = {"groups": groups, "include_retweets": include_retweets, "api_base": api_base,
                              "record_path": record_path, "on_status": on_status}
    if mode == "stream":
        return XStreamSource(token, **common)
    if mode == "poll":
        return XPollSource(token, interval=poll_interval, **common)
    raise ConfigError(f"unknown --x-mode {mode!r}: use stream or poll")
