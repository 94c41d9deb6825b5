"""tweepy's streaming client, its callbacks forwarded to the source that owns it (the X stream source)."""

from __future__ import annotations

from typing import Any, Protocol

import requests
import tweepy

from tweetpulse.sources.x import backoff
from tweetpulse.sources.x.session import RebasedSession


class StreamOwner(Protocol):
    """What the client calls back: :class:`~tweetpulse.sources.x.stream.XStreamSource`."""

    _closing: bool

    def _backoff(self, seconds: float) -> None: ...

    def _on_http_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None: ...
    def _on_connect(self) -> None: ...
    def _on_line(self, raw: bytes) -> None: ...
    def _on_closed(self) -> None: ...
    def _on_connection_error(self) -> None: ...
    def _on_request_error(self, status: int) -> None: ...
    def _on_exception(self, exc: Exception) -> None: ...
    def _on_disconnect(self) -> None: ...


class StreamingClient(tweepy.StreamingClient):
    """tweepy's client with its callbacks forwarded to the owning :class:`XStreamSource`."""

    session: requests.Session

    def __init__(
        self, owner: StreamOwner, bearer_token: str, api_base: str | None, stall_timeout: float, **kwargs: Any
    ) -> None:
        super().__init__(bearer_token, **kwargs)
        self.session.close()
        self.session = RebasedSession(api_base, stream_timeout=stall_timeout)
        self.session.hooks["response"].append(owner._on_http_response)
        self._owner = owner

    def _connect(self, method: str, endpoint: str, **kwargs: Any) -> None:
        with backoff.waits_with(self._owner._backoff):
            if self._owner._closing:
                self._owner._on_disconnect()
                return
            super()._connect(method, endpoint, **kwargs)

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
