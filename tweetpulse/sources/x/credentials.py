"""Where the X bearer token comes from: ``$X_BEARER_TOKEN``, or a ``twitter_credentials.py`` file
(``BEARER_TOKEN = "..."``, or the old tutorial's consumer key and secret, exchanged for one).

Every token found is registered with :mod:`tweetpulse.secrets`, so no message or log
record shows it.
"""

from __future__ import annotations

import os
import runpy
from dataclasses import dataclass
from pathlib import Path

import requests

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.secrets import mask_token, redact_logs_of, register_secret
from tweetpulse.sources.x.session import API_BASE, RebasedSession, json_or_none, short

TOKEN_ENV = "X_BEARER_TOKEN"
CREDENTIALS_FILE = "twitter_credentials.py"
TWEEPY_LOGGERS = ("tweepy.client", "tweepy.streaming", "tweepy.auth")  # their DEBUG logs print headers
# the X sources' own loggers quote X's answers, which an echoing server or proxy may fill with the token
X_LOGGERS = tuple(f"tweetpulse.sources.x.{name}" for name in ("stream", "poll", "base", "credentials", "backoff"))


def register_token(token: str) -> None:
    """Keep ``token`` out of every message: errors, tweepy's and the X sources' log records."""
    register_secret(token)
    redact_logs_of(*TWEEPY_LOGGERS, *X_LOGGERS, "urllib3.connectionpool")


def require_token(bearer_token: str) -> None:
    """Refuse an empty token with the one-line fix."""
    if not bearer_token:
        raise ConfigError(f"no X bearer token: set {TOKEN_ENV} or BEARER_TOKEN in {CREDENTIALS_FILE}")


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
        register_token(env)
        return env
    file = Path(path) if path is not None else Path.cwd() / CREDENTIALS_FILE
    if not file.is_file():
        return None
    creds = load_credentials(file)
    if creds.bearer_token:
        register_token(creds.bearer_token)
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
    register_token(consumer_secret)
    with RebasedSession(api_base) as session:
        try:
            resp = session.post(
                f"{API_BASE}/oauth2/token",
                auth=(consumer_key, consumer_secret),
                data={"grant_type": "client_credentials"},
                timeout=30,
            )
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach the X API at {session.api_base}: {short(exc)}") from None
    body = json_or_none(resp.content)
    token = body.get("access_token") if isinstance(body, dict) else None
    if resp.status_code != 200 or not isinstance(token, str) or body.get("token_type") != "bearer":
        raise SourceError(
            f"X did not accept CONSUMER_KEY/CONSUMER_SECRET ({resp.status_code}): regenerate them in the developer "
            f"portal, or put the app's Bearer Token in {TOKEN_ENV} / BEARER_TOKEN"
        )
    register_token(token)
    return token
