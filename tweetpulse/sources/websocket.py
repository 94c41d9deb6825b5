"""Opening a live source's websocket (Bluesky's Jetstream, the price feeds): one rule for what a failed
connect means. A refusal retrying can't fix (400, 401, 403, 404) is a :class:`~tweetpulse.errors.SourceError`
that says what to check, a URL that is none is a :class:`~tweetpulse.errors.ConfigError`, and anything
else (a network error, a timeout, another status) is a cause to retry for, returned as one line."""

from __future__ import annotations

from typing import NamedTuple

from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.sources.live import short


class Endpoint(NamedTuple):
    """What a source connects to, and how its messages name it."""

    name: str  # Jetstream, coinbase ...
    shown: str  # the URL as messages show it (the one the user gave)
    option: str  # the option that sets it: --bluesky-url, --coinbase-url ...
    refused: str  # what a refusal refused: "the Jetstream subscription", "the websocket" ...
    check: str  # what to check then: "a Jetstream /subscribe endpoint, e.g. wss://..."


def open_websocket(
    endpoint: Endpoint, url: str, *, open_timeout: float, max_size: int, user_agent: str
) -> ClientConnection | str:
    """A connection to ``url``, or the cause to retry for (see the module docs)."""
    try:
        return connect(url, open_timeout=open_timeout, max_size=max_size, user_agent_header=user_agent)
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (400, 401, 403, 404):
            raise SourceError(
                f"{endpoint.shown} refused {endpoint.refused} ({status}): check {endpoint.option} ({endpoint.check})"
            ) from None
        return f"{endpoint.name} answered {status}"
    except InvalidURI:
        raise ConfigError(f"{endpoint.option} {endpoint.shown!r} is not a valid websocket URL") from None
    except (OSError, InvalidHandshake, TimeoutError) as exc:
        return f"cannot reach {endpoint.name} at {endpoint.shown} ({short(exc)})"
