"""HTTP plumbing for the X API: a session that can point at another host, and small body helpers."""

from __future__ import annotations

from typing import Any

import orjson
import requests

from tweetpulse.secrets import redact

API_BASE = "https://api.twitter.com"


class RebasedSession(requests.Session):
    """A ``requests.Session`` that sends ``https://api.twitter.com/...`` requests to ``api_base``.

    tweepy 4.17 has no host setting (the host is a literal in ``BaseClient.request`` and
    ``StreamingClient._connect``); every request goes through ``Session.request`` →
    ``prepare_request``, so rewriting the URL there covers the REST calls and the stream alike,
    before proxies and TLS settings are chosen for the real target.
    """

    def __init__(
        self, api_base: str | None = None, timeout: float | None = 30.0, stream_timeout: float | None = None
    ) -> None:
        super().__init__()
        self.api_base = (api_base or API_BASE).rstrip("/")
        self.default_timeout = timeout
        self.stream_timeout = stream_timeout

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        url = request.url
        if isinstance(url, str) and self.api_base != API_BASE and (url == API_BASE or url.startswith(API_BASE + "/")):
            request.url = self.api_base + url[len(API_BASE) :]
        return super().prepare_request(request)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # tweepy's REST calls pass no timeout: a dead connection must not hang a call forever
        # (the stream passes its own 21 s read timeout, which stays unless stream_timeout is set).
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        elif self.stream_timeout is not None and kwargs.get("stream"):
            kwargs["timeout"] = self.stream_timeout  # a stalled stream is given up after this long
        return super().send(request, **kwargs)


def json_or_none(raw: bytes | None) -> Any:
    """The decoded JSON body, or None when it is empty or not JSON."""
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def short(exc: BaseException) -> str:
    """The first line of an exception's message (secrets masked), at most 200 characters."""
    text = redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
