"""Local stand-ins for Bluesky: a Jetstream websocket server and an AppView, on 127.0.0.1.

:class:`FakeJetstream` is a real websocket server (the ``websockets`` package) serving
``/subscribe`` as Jetstream does: JSON text frames ``{did, time_us, kind, ...}`` from a timeline
of events, only commits of the ``wantedCollections`` (identity and account events always), and a
``cursor`` query parameter (microseconds) that replays from the first event at or after it. What
each connection does is planned: how many events it sends, then ``"hold"`` (stay open, quiet),
``"close"`` (a clean close frame) or ``"drop"`` (the TCP connection is cut mid-stream). A
connection without a cursor starts at the beginning of the timeline.

:class:`FakeAppView` is a real HTTP server answering ``GET /xrpc/app.bsky.actor.getProfiles``
(``actors`` repeated, at most 25) from a table of profiles; it can be made slow (``delay``), or
fail the next calls with any status and headers (a 429 with ``ratelimit-*`` headers, a 502).

Helpers build the events: :func:`post_event`, :func:`delete_event`, :func:`like_event`,
:func:`identity_event`, :func:`account_event`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from websockets.http11 import Request, Response
from websockets.sync.server import ServerConnection

from tests.support.websocket_server import ServedSocket

POST = "app.bsky.feed.post"
T0 = 1_725_911_162_000_000  # time_us of the first event


def post_event(
    did: str,
    rkey: str,
    text: str,
    *,
    time_us: int,
    langs: list[str] | None = None,
    created_at: str = "2024-09-09T19:46:02.102Z",
    operation: str = "create",
    tags: list[str] | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {"$type": POST, "createdAt": created_at, "text": text}
    if langs is not None:
        record["langs"] = langs
    if tags is not None:
        record["tags"] = tags
    commit: dict[str, Any] = {
        "rev": f"rev{rkey}",
        "operation": operation,
        "collection": POST,
        "rkey": rkey,
        "cid": f"bafyrei{rkey}",
    }
    if operation != "delete":
        commit["record"] = record
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}


def delete_event(did: str, rkey: str, *, time_us: int) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {"rev": f"rev{rkey}", "operation": "delete", "collection": POST, "rkey": rkey},
    }


def like_event(did: str, rkey: str, *, time_us: int) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": f"rev{rkey}",
            "operation": "create",
            "collection": "app.bsky.feed.like",
            "rkey": rkey,
            "cid": f"bafyrei{rkey}",
            "record": {
                "$type": "app.bsky.feed.like",
                "createdAt": "2024-09-09T19:46:02.102Z",
                "subject": {"uri": "at://did:plc:x/app.bsky.feed.post/1", "cid": "bafy"},
            },
        },
    }


def identity_event(did: str, handle: str, *, time_us: int) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "identity",
        "identity": {"did": did, "handle": handle, "seq": time_us // 1000, "time": "2024-09-09T19:46:02.102Z"},
    }


def account_event(did: str, *, time_us: int, active: bool = True) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "account",
        "account": {"active": active, "did": did, "seq": time_us // 1000, "time": "2024-09-09T19:46:02.102Z"},
    }


@dataclass
class Connection:
    """What one connection does: send ``count`` events (None: all that are left), then ``then``."""

    count: int | None = None
    then: Literal["hold", "close", "drop"] = "hold"


@dataclass
class FakeJetstream:
    events: list[Any] = field(default_factory=list)  # dicts, or bytes sent verbatim
    plan: list[Connection] = field(default_factory=list)  # connection n follows plan[n] (else: all, hold)
    reject_status: int | None = None  # answer the handshake with this HTTP status instead
    requests: list[str] = field(default_factory=list)  # path + query of every connection
    _served: ServedSocket | None = None

    def __enter__(self) -> FakeJetstream:
        self._served = ServedSocket(self._handle, process_request=self._process_request)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._served is not None:
            self._served.stop()

    @property
    def url(self) -> str:
        assert self._served is not None
        return f"ws://127.0.0.1:{self._served.port}/subscribe"

    def cursors(self) -> list[int | None]:
        out: list[int | None] = []
        for path in self.requests:
            value = parse_qs(urlsplit(path).query).get("cursor")
            out.append(int(value[0]) if value else None)
        return out

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if self.reject_status is not None:
            return connection.respond(self.reject_status, "no\n")
        if urlsplit(request.path).path != "/subscribe":
            return connection.respond(404, "Not Found\n")
        return None

    def _frames(self, query: dict[str, list[str]]) -> Iterator[bytes]:
        wanted = set(query.get("wantedCollections", []))
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        for event in self.events:
            if isinstance(event, bytes):
                yield event
                continue
            if cursor is not None and event["time_us"] < cursor:
                continue
            if event["kind"] == "commit" and wanted and event["commit"]["collection"] not in wanted:
                continue
            yield json.dumps(event).encode()

    def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "/"
        number = len(self.requests)
        self.requests.append(path)
        step = self.plan[number] if number < len(self.plan) else Connection()
        for sent, frame in enumerate(self._frames(parse_qs(urlsplit(path).query))):
            if step.count is not None and sent >= step.count:
                break
            ws.send(frame.decode())
        if step.then == "drop":
            time.sleep(0.05)
            ws.socket.close()  # no close frame: the client sees the connection cut
            return
        if step.then == "close":
            ws.close()
            return
        try:
            for _ in ws:  # hold until the client goes away
                pass
        except Exception:
            return


# --------------------------------------------------------------------------- AppView


class _AppViewHandler(BaseHTTPRequestHandler):
    server: _AppViewHTTP

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.fake.answer(self)


class _AppViewHTTP(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeAppView


@dataclass
class FakeAppView:
    profiles: dict[str, tuple[str, int]] = field(default_factory=dict)  # did -> (handle, followers)
    delay: float = 0.0
    calls: list[list[str]] = field(default_factory=list)  # the actors of every call
    _failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    _http: _AppViewHTTP | None = None

    def __enter__(self) -> FakeAppView:
        self._http = _AppViewHTTP(("127.0.0.1", 0), _AppViewHandler)
        self._http.fake = self
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    @property
    def url(self) -> str:
        assert self._http is not None
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self._failures.extend([(status, headers or {})] * times)

    def rate_limit_next(self, reset_in: float = 1.0) -> None:
        """A 429 as the AppView sends it, with ``ratelimit-*`` headers."""
        self.fail_next(
            429,
            headers={
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(time.time() + reset_in)),
                "ratelimit-policy": "3000;w=300",
            },
        )

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        actors = parse_qs(url.query).get("actors", [])
        self.calls.append(actors)
        if self.delay:
            time.sleep(self.delay)
        if url.path != "/xrpc/app.bsky.actor.getProfiles":
            return self._send(h, 404, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})
        if self._failures:
            status, headers = self._failures.pop(0)
            return self._send(
                h,
                status,
                {"error": "RateLimitExceeded" if status == 429 else "InternalServerError", "message": "failed"},
                headers,
            )
        if len(actors) > 25:
            return self._send(h, 400, {"error": "InvalidRequest", "message": "actors must not have more than 25"})
        found = [
            {
                "did": did,
                "handle": self.profiles[did][0],
                "displayName": "",
                "followersCount": self.profiles[did][1],
                "followsCount": 1,
                "postsCount": 1,
            }
            for did in actors
            if did in self.profiles
        ]
        return self._send(h, 200, {"profiles": found})

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        send_json(h, status, body, headers)


def send_json(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    """A JSON answer with a length (the stand-ins' REST replies)."""
    raw = json.dumps(body).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json; charset=utf-8")
    h.send_header("Content-Length", str(len(raw)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(raw)


__all__ = [
    "T0",
    "Connection",
    "FakeAppView",
    "FakeJetstream",
    "account_event",
    "delete_event",
    "identity_event",
    "like_event",
    "post_event",
    "send_json",
]
