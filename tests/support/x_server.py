"""A local stand-in for the X API v2 that speaks its wire protocol, for tests.

It is a real HTTP/1.1 server on ``127.0.0.1`` (ephemeral port, one thread per connection),
so the code under test goes through tweepy → requests → urllib3 exactly as it would against
``https://api.twitter.com``. Endpoints:

``GET /2/tweets/search/stream``
    Filtered stream: ``Transfer-Encoding: chunked``, one JSON object per line terminated by
    ``\\r\\n``, keep-alive lines (a bare ``\\r\\n``) while idle. What each connection does is
    scripted with :class:`StreamScript` (send tweets / raw lines / pauses, then hold the
    connection open, close it cleanly, or drop it). A tweet is rendered at send time from the
    server's tweet table with the fields the client asked for and ``matching_rules`` computed
    from the server's current rules, so rule management is exercised end to end.
``GET|POST /2/tweets/search/stream/rules``
    Rules kept in the server; ``add`` / ``delete`` (by ids) / ``dry_run``; responses carry
    ``meta.sent`` and ``meta.summary`` like the real API, ``DuplicateRule`` errors included.
``GET /2/tweets/search/recent``
    Recent search over the tweet table: ``query`` (a small subset of the X query language:
    terms, ``#hashtags``, ``$cashtags``, ``"phrases"``, ``OR``, parentheses, ``-`` negation,
    ``lang:``, ``is:retweet``), newest first, ``since_id``, ``max_results`` (10-100),
    ``next_token`` paging, ``meta.newest_id/oldest_id/result_count``, ``includes.users``.
``POST /oauth2/token``
    App-only token exchange (consumer key + secret → bearer token).

Every endpoint checks ``Authorization: Bearer <token>`` (401 with X's body otherwise); set
``not_enrolled = True`` to answer 403 ``client-not-enrolled`` like an app outside a Project;
:meth:`FakeXServer.fail_next` makes the next request(s) to a path fail with any status, body
and headers (e.g. 429 with ``x-rate-limit-*`` headers); with ``echo_auth = True`` every error
answer quotes the request's ``Authorization`` header in its ``detail``, as a debugging proxy might.

Usage::

    with FakeXServer() as x:
        x.add_user("1", "alice", followers=120)
        x.add_tweet("100", "bitcoin to the moon", author_id="1")
        x.script_stream(StreamScript(["100", operational_disconnect_line()], then="close"))
        ... XStreamSource(TOKEN, api_base=x.base_url) ...
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, cast
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-bearer-token-0123456789"
CONSUMER_KEY = "test-consumer-key"
CONSUMER_SECRET = "test-consumer-secret"

STREAM_PATH = "/2/tweets/search/stream"
RULES_PATH = "/2/tweets/search/stream/rules"
SEARCH_PATH = "/2/tweets/search/recent"
TOKEN_PATH = "/oauth2/token"

StreamEvent = str | bytes | float
"""One step of a scripted stream connection.

* ``str``: a tweet id from the tweet table, rendered as a data line (skipped, like X would, when
  no current rule matches it);
* ``bytes``: sent verbatim as one line (``b""`` is a keep-alive; ``b"{not json"`` a broken line);
* ``float``: pause that many seconds.
"""


@dataclass
class StreamScript:
    """What one connection to the stream endpoint does.

    ``then``: after the events, ``"hold"`` keeps the connection open with keep-alives until the
    client or the server goes away; ``"close"`` ends the chunked body properly and closes the
    connection (what X does after an ``operational-disconnect`` line); ``"abort"`` drops the TCP
    connection without ending the body (a network failure); ``"cut"`` sends the first half of a
    data line, then drops the connection (a disconnect in the middle of a line).
    ``fragment``: split every line over two chunks, as X's chunks don't align with lines.
    """

    events: list[StreamEvent] = field(default_factory=list)
    then: Literal["hold", "close", "abort", "cut"] = "hold"
    fragment: bool = False


@dataclass
class FakeUser:
    id: str
    username: str
    name: str
    followers: int


@dataclass
class FakeTweet:
    id: str
    text: str
    author_id: str
    created_at: str
    lang: str = "en"
    retweet: bool = False


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class _Failure:
    status: int
    body: Any
    headers: dict[str, str]
    times: int


def _sent() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def unauthorized_body() -> dict[str, Any]:
    """X's body for a missing or wrong bearer token."""
    return {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}


def not_enrolled_body() -> dict[str, Any]:
    """X's 403 body for an app that is not attached to a Project (or lacks the access level)."""
    return {
        "client_id": "27182818",
        "detail": (
            "When authenticating requests to the Twitter API v2 endpoints, you must use keys and "
            "tokens from a Twitter developer App that is attached to a Project. You can create a "
            "project via the developer portal."
        ),
        "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
        "title": "Client Forbidden",
        "required_enrollment": "Appropriate Level of API Access",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }


def too_many_requests_body() -> dict[str, Any]:
    return {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}


def too_many_connections_body() -> dict[str, Any]:
    """X's 429 body when the stream already has its maximum number of connections."""
    return {
        "title": "ConnectionException",
        "detail": "This stream is currently at the maximum allowed connection limit.",
        "connection_issue": "TooManyConnections",
        "type": "https://api.twitter.com/2/problems/streaming-connection",
    }


def rate_limit_headers(reset_in: float = 0.0, remaining: int = 0, limit: int = 450) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(int(time.time() + reset_in)),
    }


def operational_disconnect_line(
    detail: str = "This stream has been disconnected for operational reasons.",
) -> bytes:
    """The error line X sends on the stream right before it closes the connection."""
    obj = {
        "errors": [
            {
                "title": "operational-disconnect",
                "disconnect_type": "OperationalDisconnect",
                "detail": detail,
                "type": "https://api.twitter.com/2/problems/operational-disconnect",
            }
        ]
    }
    return json.dumps(obj, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- query language


_QUERY_TOKEN = re.compile(r'"[^"]*"|\(|\)|[^\s()]+')
_TEXT_TOKEN = re.compile(r"[#$]?\w+")

_Pred = Callable[[FakeTweet], bool]


class QuerySyntaxError(ValueError):
    pass


def compile_query(query: str) -> _Pred:
    """Compile a (small subset of an) X search/rule query into a predicate over tweets."""
    tokens = _QUERY_TOKEN.findall(query)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        return tok

    def parse_or() -> _Pred:
        alternatives = [parse_and()]
        while peek() == "OR":
            take()
            alternatives.append(parse_and())
        if len(alternatives) == 1:
            return alternatives[0]
        return lambda t: any(p(t) for p in alternatives)

    def parse_and() -> _Pred:
        parts: list[_Pred] = []
        while peek() not in (None, ")", "OR"):
            parts.append(parse_unary())
        if not parts:
            raise QuerySyntaxError(f"empty group at token {pos} in {query!r}")
        return lambda t: all(p(t) for p in parts)

    def parse_unary() -> _Pred:
        tok = peek()
        assert tok is not None
        if tok.startswith("-") and len(tok) > 1:
            take()
            inner = _term(tok[1:])
            return lambda t: not inner(t)
        if tok == "(":
            take()
            inner = parse_or()
            if peek() != ")":
                raise QuerySyntaxError(f"unbalanced parentheses in {query!r}")
            take()
            return inner
        return _term(take())

    pred = parse_or()
    if pos != len(tokens):
        raise QuerySyntaxError(f"unexpected {tokens[pos]!r} in {query!r}")
    return pred


def _term(tok: str) -> _Pred:
    low = tok.lower()
    if low.startswith("lang:"):
        lang = low[5:]
        return lambda t: t.lang == lang
    if low == "is:retweet":
        return lambda t: t.retweet
    if low.startswith('"') and low.endswith('"') and len(low) >= 2:
        phrase = low[1:-1]
        return lambda t: phrase in t.text.lower()
    if low.startswith(("#", "$")):
        return lambda t: low in _TEXT_TOKEN.findall(t.text.lower())
    if not re.fullmatch(r"\w+", low):
        raise QuerySyntaxError(f"unsupported operator {tok!r}")
    return lambda t: any(w.lstrip("#$") == low for w in _TEXT_TOKEN.findall(t.text.lower()))


# --------------------------------------------------------------------------- the server


class _HTTPServer(ThreadingHTTPServer):
    # Handler threads are joined by server_close(), so nothing outlives the context manager.
    daemon_threads = False
    block_on_close = True
    fake: FakeXServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tsa_b"  # X's front ends answer with "server: tsa_b"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self._fake()._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._fake()._track(self.connection, add=False)

    def _fake(self) -> FakeXServer:
        return cast(_HTTPServer, self.server).fake

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._fake()._dispatch(self, "GET")

    def do_POST(self) -> None:
        self._fake()._dispatch(self, "POST")

    def do_DELETE(self) -> None:
        self._fake()._dispatch(self, "DELETE")


class FakeXServer:
    """The fake X API; use as a context manager (``with FakeXServer() as x: x.base_url``)."""

    def __init__(self, *, token: str = TOKEN, keepalive_interval: float = 0.05) -> None:
        self.token = token
        self.keepalive_interval = keepalive_interval
        self.not_enrolled = False
        self.echo_auth = False  # error answers quote the request's Authorization header (a debugging proxy)
        self.users: dict[str, FakeUser] = {}
        self.tweets: dict[str, FakeTweet] = {}
        self.rules: dict[str, dict[str, str]] = {}
        self.requests: list[RecordedRequest] = []
        self.stream_connections = 0
        self._scripts: list[StreamScript] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._page_tokens: dict[str, tuple[str, str | None, int]] = {}
        self._rule_ids = itertools.count(1_580_000_000_000_000_001)
        self._page_ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    def __enter__(self) -> FakeXServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.fake = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-x-server", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stop.set()
        self._httpd.shutdown()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:  # wake handlers blocked reading the next request of a kept-alive connection
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join()
        self._httpd = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "the server is not running"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- test set-up

    def add_user(self, user_id: str, username: str, followers: int = 0, name: str | None = None) -> FakeUser:
        user = FakeUser(user_id, username, name or username.title(), followers)
        self.users[user_id] = user
        return user

    def add_tweet(
        self,
        tweet_id: str,
        text: str,
        author_id: str,
        *,
        created_at: str = "2024-03-01T12:00:00.000Z",
        lang: str = "en",
        retweet: bool = False,
    ) -> FakeTweet:
        tweet = FakeTweet(tweet_id, text, author_id, created_at, lang, retweet)
        self.tweets[tweet_id] = tweet
        return tweet

    def set_rules(self, rules: list[tuple[str, str | None]]) -> list[str]:
        """Pre-load rules (``(value, tag)``) as if an earlier run had added them; returns the ids."""
        ids = []
        with self._lock:
            for value, tag in rules:
                rid = str(next(self._rule_ids))
                rule = {"id": rid, "value": value}
                if tag is not None:
                    rule["tag"] = tag
                self.rules[rid] = rule
                ids.append(rid)
        return ids

    def script_stream(self, *scripts: StreamScript) -> None:
        """Queue what the next connections to the stream do (then: hold with keep-alives)."""
        with self._lock:
            self._scripts.extend(scripts)

    def fail_next(
        self, path: str, status: int, body: Any = None, headers: dict[str, str] | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` authenticated requests to ``path`` with this status/body/headers."""
        with self._lock:
            self._failures.setdefault(path, []).append(_Failure(status, body, dict(headers or {}), times))

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    # -- plumbing

    def _track(self, sock: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._sockets.add(sock)
            else:
                self._sockets.discard(sock)

    def _dispatch(self, h: _Handler, method: str) -> None:
        parts = urlsplit(h.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        with self._lock:
            self.requests.append(RecordedRequest(method, path, query, dict(h.headers.items()), body))

        if path == TOKEN_PATH and method == "POST":
            self._token_exchange(h, body)
            return
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            self._send_json(h, 401, unauthorized_body())
            return
        if self.not_enrolled:
            self._send_json(h, 403, not_enrolled_body())
            return
        failure = self._pop_failure(path)
        if failure is not None:
            self._send_json(h, failure.status, failure.body, failure.headers)
            return

        if path == STREAM_PATH and method == "GET":
            self._stream(h, query)
        elif path == RULES_PATH and method == "GET":
            self._get_rules(h, query)
        elif path == RULES_PATH and method == "POST":
            self._post_rules(h, query, body)
        elif path == SEARCH_PATH and method == "GET":
            self._search(h, query)
        else:
            self._send_json(h, 404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})

    def _pop_failure(self, path: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(path)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def _send_json(self, h: _Handler, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        if self.echo_auth and status >= 400:
            echo = f"request had Authorization: {h.headers.get('Authorization')}"
            obj = {**obj, "detail": f"{obj.get('detail', '')} ({echo})"} if isinstance(obj, dict) else {"detail": echo}
        data = b"" if obj is None else json.dumps(obj, separators=(",", ":")).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json; charset=utf-8")
        h.send_header("content-length", str(len(data)))
        merged = rate_limit_headers(reset_in=900, remaining=449)
        merged.update(headers or {})
        for name, value in merged.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(data)

    def _bad_request(self, h: _Handler, param: str, value: str, message: str) -> None:
        self._send_json(
            h,
            400,
            {
                "errors": [{"parameters": {param: [value]}, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

    # -- oauth2/token

    def _token_exchange(self, h: _Handler, body: bytes) -> None:
        expected = base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()
        form = parse_qs(body.decode())
        if h.headers.get("Authorization") != f"Basic {expected}" or form.get("grant_type") != ["client_credentials"]:
            self._send_json(
                h,
                403,
                {
                    "errors": [
                        {
                            "code": 99,
                            "message": "Unable to verify your credentials",
                            "label": "authenticity_token_error",
                        }
                    ]
                },
            )
            return
        self._send_json(h, 200, {"token_type": "bearer", "access_token": self.token})

    # -- rendering

    @staticmethod
    def _fields(query: dict[str, str], name: str) -> set[str]:
        return {f for f in query.get(name, "").split(",") if f}

    def _tweet_obj(self, tweet: FakeTweet, query: dict[str, str]) -> dict[str, Any]:
        tweet_fields = self._fields(query, "tweet.fields")
        expansions = self._fields(query, "expansions")
        obj: dict[str, Any] = {"edit_history_tweet_ids": [tweet.id], "id": tweet.id, "text": tweet.text}
        if "created_at" in tweet_fields:
            obj["created_at"] = tweet.created_at
        if "lang" in tweet_fields:
            obj["lang"] = tweet.lang
        if "author_id" in tweet_fields or "author_id" in expansions:
            obj["author_id"] = tweet.author_id
        return obj

    def _includes(self, tweets: list[FakeTweet], query: dict[str, str]) -> dict[str, Any]:
        if "author_id" not in self._fields(query, "expansions"):
            return {}
        user_fields = self._fields(query, "user.fields")
        users = []
        seen: set[str] = set()
        for tweet in tweets:
            user = self.users.get(tweet.author_id)
            if user is None or user.id in seen:
                continue
            seen.add(user.id)
            obj: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
            if "public_metrics" in user_fields:
                obj["public_metrics"] = {
                    "followers_count": user.followers,
                    "following_count": 10,
                    "tweet_count": 1000,
                    "listed_count": 1,
                    "like_count": 5,
                }
            users.append(obj)
        return {"users": users} if users else {}

    def render_stream_line(self, tweet_id: str, query: dict[str, str]) -> bytes | None:
        """The data line the stream sends for this tweet, or None when no rule matches it."""
        tweet = self.tweets[tweet_id]
        with self._lock:
            rules = list(self.rules.values())
        matching = [r for r in rules if compile_query(r["value"])(tweet)]
        if not matching:
            return None
        obj: dict[str, Any] = {"data": self._tweet_obj(tweet, query)}
        includes = self._includes([tweet], query)
        if includes:
            obj["includes"] = includes
        obj["matching_rules"] = [{"id": r["id"], "tag": r["tag"]} if "tag" in r else {"id": r["id"]} for r in matching]
        return json.dumps(obj, separators=(",", ":")).encode()

    # -- filtered stream

    def _stream(self, h: _Handler, query: dict[str, str]) -> None:
        with self._lock:
            script = self._scripts.pop(0) if self._scripts else StreamScript()
            self.stream_connections += 1
        h.send_response(200)
        h.send_header("content-type", "application/json; charset=utf-8")
        h.send_header("transfer-encoding", "chunked")
        h.send_header("cache-control", "no-cache, no-store, max-age=0")
        for name, value in rate_limit_headers(reset_in=900, remaining=49, limit=50).items():
            h.send_header(name, value)
        h.end_headers()
        try:
            for event in script.events:
                if self._stop.is_set():
                    break
                if isinstance(event, bytes):
                    line: bytes | None = event
                elif isinstance(event, str):
                    line = self.render_stream_line(event, query)
                else:
                    self._stop.wait(float(event))
                    continue
                if line is None:
                    continue
                self._send_line(h, line, script.fragment)
            if script.then == "close" and not self._stop.is_set():
                h.wfile.write(b"0\r\n\r\n")
            elif script.then == "cut":
                half = b'{"data":{"id":"999","text":"a line cut in the mid'
                h.wfile.write(b"%X\r\n%s\r\n" % (len(half), half))
                h.wfile.flush()
            elif script.then == "hold":
                while not self._stop.wait(self.keepalive_interval):
                    self._send_line(h, b"", False)
            h.close_connection = True
            if script.then != "close":  # drop the connection mid-body
                h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:  # the client went away
            h.close_connection = True

    def _send_line(self, h: _Handler, line: bytes, fragment: bool) -> None:
        payload = line + b"\r\n"
        pieces = [payload[: len(payload) // 2], payload[len(payload) // 2 :]] if fragment and line else [payload]
        for i, piece in enumerate(pieces):
            if i:
                time.sleep(0.005)
            h.wfile.write(b"%X\r\n%s\r\n" % (len(piece), piece))
            h.wfile.flush()

    # -- rules

    def _get_rules(self, h: _Handler, query: dict[str, str]) -> None:
        wanted = {i for i in query.get("ids", "").split(",") if i}
        with self._lock:
            rules = [dict(r) for r in self.rules.values() if not wanted or r["id"] in wanted]
        obj: dict[str, Any] = {}
        if rules:
            obj["data"] = rules
        obj["meta"] = {"sent": _sent(), "result_count": len(rules)}
        self._send_json(h, 200, obj)

    def _post_rules(self, h: _Handler, query: dict[str, str], body: bytes) -> None:
        dry_run = query.get("dry_run", "false").lower() == "true"
        try:
            request = json.loads(body)
        except ValueError:
            self._bad_request(h, "body", body.decode(errors="replace")[:40], "Request body is not valid JSON")
            return
        if not isinstance(request, dict) or ("add" in request) == ("delete" in request):
            self._bad_request(h, "body", "", "Request must contain exactly one of 'add' or 'delete'")
            return
        if "add" in request:
            self._add_rules(h, request["add"], dry_run)
        else:
            self._delete_rules(h, request["delete"].get("ids", []), dry_run)

    def _add_rules(self, h: _Handler, add: list[dict[str, str]], dry_run: bool) -> None:
        created: list[dict[str, str]] = []
        errors: list[dict[str, Any]] = []
        invalid = 0
        with self._lock:
            existing = {r["value"]: r["id"] for r in self.rules.values()}
            for item in add:
                value = item.get("value", "")
                try:
                    if not value or len(value) > 512:
                        raise QuerySyntaxError("rule values must be 1-512 characters")
                    compile_query(value)
                except QuerySyntaxError as exc:
                    invalid += 1
                    errors.append(
                        {
                            "value": value,
                            "details": [str(exc)],
                            "title": "UnprocessableEntity",
                            "type": "https://api.twitter.com/2/problems/invalid-rules",
                        }
                    )
                    continue
                if value in existing:
                    errors.append(
                        {
                            "value": value,
                            "id": existing[value],
                            "title": "DuplicateRule",
                            "type": "https://api.twitter.com/2/problems/duplicate-rules",
                        }
                    )
                    continue
                rule = {"value": value, "id": str(next(self._rule_ids))}
                if item.get("tag") is not None:
                    rule["tag"] = item["tag"]
                existing[value] = rule["id"]
                created.append(rule)
                if not dry_run:
                    self.rules[rule["id"]] = dict(rule)
        obj: dict[str, Any] = {}
        if created:
            obj["data"] = created
        obj["meta"] = {
            "sent": _sent(),
            "summary": {
                "created": len(created),
                "not_created": len(add) - len(created),
                "valid": len(add) - invalid,
                "invalid": invalid,
            },
        }
        if errors:
            obj["errors"] = errors
        self._send_json(h, 201 if created and not dry_run else 200, obj)

    def _delete_rules(self, h: _Handler, ids: list[str], dry_run: bool) -> None:
        deleted = 0
        errors: list[dict[str, Any]] = []
        with self._lock:
            for rid in ids:
                if rid in self.rules:
                    deleted += 1
                    if not dry_run:
                        del self.rules[rid]
                else:
                    errors.append(
                        {
                            "id": rid,
                            "title": "Not Found Error",
                            "detail": f"Could not find rule with id: [{rid}].",
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    )
        obj: dict[str, Any] = {
            "meta": {"sent": _sent(), "summary": {"deleted": deleted, "not_deleted": len(ids) - deleted}}
        }
        if errors:
            obj["errors"] = errors
        self._send_json(h, 200, obj)

    # -- recent search

    def _search(self, h: _Handler, query: dict[str, str]) -> None:
        q = query.get("query")
        if not q:
            self._bad_request(h, "query", "", "The `query` query parameter can not be empty")
            return
        try:
            pred = compile_query(q)
        except QuerySyntaxError as exc:
            self._bad_request(h, "query", q, str(exc))
            return
        raw_max = query.get("max_results", "10")
        if not raw_max.isdigit() or not 10 <= int(raw_max) <= 100:
            self._bad_request(
                h,
                "max_results",
                raw_max,
                f"The `max_results` query parameter value [{raw_max}] is not between 10 and 100",
            )
            return
        max_results = int(raw_max)
        since_id = query.get("since_id")
        offset = 0
        token = query.get("next_token") or query.get("pagination_token")
        if token:
            with self._lock:
                state = self._page_tokens.get(token)
            if state is None or state[0] != q or state[1] != since_id:
                self._bad_request(h, "next_token", token, "The `next_token` query parameter value is invalid")
                return
            offset = state[2]
        with self._lock:
            candidates = list(self.tweets.values())
        hits = sorted(
            (t for t in candidates if pred(t) and (since_id is None or int(t.id) > int(since_id))),
            key=lambda t: int(t.id),
            reverse=True,
        )
        page = hits[offset : offset + max_results]
        obj: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        if page:
            obj["data"] = [self._tweet_obj(t, query) for t in page]
            includes = self._includes(page, query)
            if includes:
                obj["includes"] = includes
            meta = {"newest_id": page[0].id, "oldest_id": page[-1].id}
        meta["result_count"] = len(page)
        if offset + max_results < len(hits):
            next_token = f"b26v89c19zqg8o3fo{next(self._page_ids):028x}"
            with self._lock:
                self._page_tokens[next_token] = (q, since_id, offset + max_results)
            meta["next_token"] = next_token
        obj["meta"] = meta
        self._send_json(h, 200, obj)
