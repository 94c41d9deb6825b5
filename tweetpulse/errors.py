"""One exception root for the package; every message says what to do."""

from __future__ import annotations

from tweetpulse.secrets import redact


class TweetpulseError(Exception):
    """Root of every error tweetpulse raises on purpose.

    The message is one line meant for the user: what went wrong and how to fix it. It never shows
    a configured secret: an API's answer quoted in it may echo one (see
    :mod:`tweetpulse.secrets`).
    """

    def __str__(self) -> str:
        return redact(super().__str__())


class ConfigError(TweetpulseError, ValueError):
    """A setting or command-line argument is wrong (a ``ValueError`` too, for library callers)."""


class KafkaUnavailable(TweetpulseError):
    """The Kafka cluster could not be reached or refused an operation."""


class DatasetError(TweetpulseError):
    """A dataset file can't be read at all (as opposed to single bad rows)."""


class SourceError(TweetpulseError):
    """A tweet source (X API, ...) failed in a way the user must act on."""


class InvalidRecord(TweetpulseError):
    """A message on the tweets topic does not follow the tweet record contract.

    ``reason`` is a short machine-friendly code (e.g. ``not-json``) and the message explains it.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class ListenerFailed(TweetpulseError):
    """The workers keep dying: the listener can't go on."""


class StoreError(TweetpulseError):
    """The store failed to read or write (busy, full, damaged); the message says which and what to do."""


class StoreUnreachable(StoreError):
    """The store's server can't be reached (down, restarting, the connection lost): worth waiting for."""
