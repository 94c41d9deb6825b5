"""A local stand-in for a Mastodon instance on 127.0.0.1 that speaks its wire protocols, for tests.

Two real servers: an HTTP/1.1 one (REST and server-sent events) and a websocket one (the
streaming API), which ``GET /api/v2/instance`` names as ``configuration.urls.streaming`` the way
an instance with a separate streaming host does.

``GET /api/v1/timelines/tag/:hashtag``
    The statuses of :attr:`FakeMastodon.statuses` carrying the tag (or any of ``any[]``), newest
    first, ``since_id`` / ``max_id`` / ``limit`` (≤ 40), a ``Link`` header (``rel="next"`` with
    ``max_id``, ``rel="prev"`` with ``min_id``) and ``X-RateLimit-Limit/Remaining/Reset`` (an ISO
    time) headers. ``timelines_need_token`` answers 422 like an instance that hides them from
    visitors; :meth:`FakeMastodon.fail_next` fails the next calls with any status and headers.
``GET /api/v1/streaming/hashtag?tag=…``
    Server-sent events (chunked): ``:)`` on connect, then the connection's script (``event:
    update`` with the status JSON in ``data:``, ``delete``, ``status.update``, ``:thump``
    heartbeats, pauses), then it holds with heartbeats, closes, or drops.
``/api/v1/streaming?stream=hashtag&tag=…`` (websocket)
    Messages ``{"stream": ["hashtag", tag], "event": …, "payload": "<JSON as a string>"}`` for the
    connection's tag and those subscribed with ``{"type": "subscribe", "stream": "hashtag",
    "tag": …}``: one message per matching subscription, like Mastodon's multiplexed streams.

Both streaming endpoints need ``Authorization: Bearer <token>`` (401 otherwise). A script step is
``("update", status)``, ``("delete", status_id)``, ``("status.update", status)``, a float pause,
``"thump"`` (SSE heartbeat), ``("raw", text)`` (SSE: text on the wire as given, e.g. ``data:``
lines with no blank line), then the last step may be ``"hold"``, ``"close"`` or ``"drop"``.
:attr:`FakeMastodon.timeline_headers` replace headers of every 200 timeline answer (a garbage
``X-RateLimit-Remaining``, a ``Link`` to another host).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.support.jetstream_server import send_json as _json

TOKEN = "mastodon-test-token-0123456789abcdef"

Step = tuple[str, Any] | float | str


def make_status(
    status_id: str,
    html: str,
    *,
    acct: str = "alice",
    followers: int = 10,
    lang: str | None = "en",
    tags: list[str] | None = None,
    reblog: dict[str, Any] | None = None,
    created_at: str = "2024-05-01T12:00:00.000Z",
    host: str = "example.social",
) -> dict[str, Any]:
    """A Status entity as Mastodon's REST and streaming APIs send it."""
    user = acct.split("@")[0]
    return {
        "id": status_id,
        "created_at": created_at,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": lang,
        "uri": f"https://{host}/users/{user}/statuses/{status_id}",
        "url": f"https://{host}/@{user}/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": html,
        "reblog": reblog,
        "application": None,
        "account": {
            "id": str(abs(hash(acct)) % 10**9),
            "username": user,
            "acct": acct,
            "display_name": user.title(),
            "locked": False,
            "bot": False,
            "url": f"https://{host}/@{user}",
            "followers_count": followers,
            "following_count": 3,
            "statuses_count": 42,
            "note": "",
            "avatar": "",
            "emojis": [],
            "fields": [],
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": t, "url": f"https://{host}/tags/{t}"} for t in (tags or [])],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def _key(status_id: str) -> tuple[int, str]:
    return len(status_id), status_id


@dataclass
class FakeMastodon:
    statuses: list[dict[str, Any]] = field(default_factory=list)
    token: str = TOKEN
    timelines_need_token: bool = False
    ws_plan: list[list[Step]] = field(default_factory=list)
    sse_plan: dict[str, list[list[Step]]] = field(default_factory=dict)
    rate_limit: int = 300
    timeline_headers: dict[str, str] = field(default_factory=dict)  # replace these on every 200 (a hostile server)
    ws_paths: list[str] = field(default_factory=list)
    ws_subscriptions: list[list[str]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # path+query, headers
    _failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    _remaining: int = 300
    _http: ThreadingHTTPServer | None = None
    _ws: Server | None = None

    # -- life cycle

    def __enter__(self) -> FakeMastodon:
        self._remaining = self.rate_limit
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._get(self)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        self._ws = serve(self._ws_handle, "127.0.0.1", 0, process_request=self._ws_check, ping_interval=None)
        threading.Thread(target=self._ws.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._ws is not None:
            self._ws.shutdown()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    @property
    def url(self) -> str:
        assert self._http is not None
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def streaming_url(self) -> str:
        assert self._ws is not None
        return f"ws://127.0.0.1:{self._ws.socket.getsockname()[1]}"

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self._failures.extend([(status, headers or {})] * times)

    def calls_to(self, prefix: str) -> list[str]:
        return [path for path, _ in self.requests if path.startswith(prefix)]

    # -- HTTP

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        query = parse_qs(url.query)
        self.requests.append((h.path, dict(h.headers.items())))
        if url.path == "/api/v2/instance":
            return _json(
                h,
                200,
                {
                    "domain": "example.social",
                    "version": "4.3.0",
                    "configuration": {"urls": {"streaming": self.streaming_url}},
                },
            )
        if url.path.startswith("/api/v1/timelines/tag/"):
            return self._timeline(h, url.path.rsplit("/", 1)[1], query)
        if url.path == "/api/v1/streaming/hashtag":
            return self._sse(h, query.get("tag", [""])[0])
        return _json(h, 404, {"error": "Record not found"})

    def _authorized(self, headers: Any) -> bool:
        return bool(headers.get("Authorization") == f"Bearer {self.token}")

    def _timeline(self, h: BaseHTTPRequestHandler, tag: str, query: dict[str, list[str]]) -> None:
        if self.timelines_need_token and not self._authorized(h.headers):
            return _json(h, 422, {"error": "This method requires an authenticated user"})
        reset = (datetime.now(UTC) + timedelta(seconds=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self._remaining = max(0, self._remaining - 1)
        limits = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(self._remaining),
            "X-RateLimit-Reset": reset,
        }
        if self._failures:
            status, headers = self._failures.pop(0)
            return _json(
                h, status, {"error": "Too many requests" if status == 429 else "failed"}, {**limits, **headers}
            )
        wanted = {tag, *query.get("any[]", [])}
        limit = min(int(query.get("limit", ["20"])[0]), 40)
        since, max_id = query.get("since_id", [None])[0], query.get("max_id", [None])[0]
        found = [s for s in self.statuses if wanted & {t["name"] for t in s["tags"]}]
        found = [
            s
            for s in found
            if (since is None or _key(s["id"]) > _key(since)) and (max_id is None or _key(s["id"]) < _key(max_id))
        ]
        page = sorted(found, key=lambda s: _key(s["id"]), reverse=True)[:limit]
        headers = dict(limits)
        if page and "Link" not in self.timeline_headers:
            base = f"{self.url}/api/v1/timelines/tag/{tag}"
            extra = [("any[]", t) for t in query.get("any[]", [])] + [("limit", str(limit))]
            headers["Link"] = (
                f'<{base}?{urlencode([*extra, ("max_id", page[-1]["id"])])}>; rel="next", '
                f'<{base}?{urlencode([*extra, ("min_id", page[0]["id"])])}>; rel="prev"'
            )
        return _json(h, 200, page, {**headers, **self.timeline_headers})

    def _sse(self, h: BaseHTTPRequestHandler, tag: str) -> None:
        if not self._authorized(h.headers):
            return _json(h, 401, {"error": "Error: Missing access token"})
        plans = self.sse_plan.get(tag, [])
        script = plans.pop(0) if plans else ["hold"]
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()

        def chunk(text: str) -> None:
            data = text.encode()
            h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            h.wfile.flush()

        try:
            chunk(":)\n")
            for step in script:
                if isinstance(step, float):
                    time.sleep(step)
                elif step == "thump":
                    chunk(":thump\n")
                elif step == "hold":
                    while True:
                        time.sleep(0.1)
                        chunk(":thump\n")
                elif step == "close":
                    h.wfile.write(b"0\r\n\r\n")
                    h.close_connection = True
                    return
                elif step == "drop":
                    h.connection.shutdown(socket.SHUT_RDWR)  # cut mid-stream, no end chunk
                    h.close_connection = True
                    return
                elif isinstance(step, tuple) and step[0] == "raw":
                    chunk(step[1])  # bytes on the wire as given (say, data lines with no blank line)
                elif isinstance(step, tuple):
                    event, payload = step
                    data = payload if isinstance(payload, str) else json.dumps(payload)
                    chunk(f"event: {event}\ndata: {data}\n\n")
        except OSError:
            return

    # -- websocket

    def _ws_check(self, connection: ServerConnection, request: Request) -> Response | None:
        if urlsplit(request.path).path != "/api/v1/streaming":
            return connection.respond(404, "Not Found\n")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return connection.respond(401, '{"error":"Error: Missing access token"}\n')
        return None

    def _ws_handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else ""
        self.ws_paths.append(path)
        subscribed = list(parse_qs(urlsplit(path).query).get("tag", []))
        self.ws_subscriptions.append(subscribed)
        script = self.ws_plan.pop(0) if self.ws_plan else ["hold"]

        def read() -> None:
            try:
                for message in ws:
                    obj = json.loads(message)
                    if obj.get("type") == "subscribe" and obj.get("stream") == "hashtag":
                        subscribed.append(obj["tag"])
            except Exception:
                return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        time.sleep(0.3)  # let the subscriptions arrive
        for step in script:
            if isinstance(step, float):
                time.sleep(step)
            elif step == "hold":
                reader.join()  # until the client goes away
                return
            elif step == "close":
                ws.close()
                return
            elif step == "drop":
                ws.socket.close()
                return
            elif isinstance(step, tuple):
                event, payload = step
                names = {t["name"] for t in payload["tags"]} if isinstance(payload, dict) else set(subscribed[:1])
                for tag in [t for t in subscribed if t in names]:
                    data = payload if isinstance(payload, str) else json.dumps(payload)
                    ws.send(json.dumps({"stream": ["hashtag", tag], "event": event, "payload": data}))
