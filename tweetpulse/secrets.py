"""Secrets (API tokens) kept out of everything the product prints or logs.

:func:`mask_token` is the printable stand-in for a secret. :func:`register_secret` remembers a
configured value, whatever its length; :func:`redact` replaces every registered value in a text
with its mask. Where the text comes from:

* every :class:`~tweetpulse.errors.TweetpulseError`'s message is redacted when shown;
* :class:`RedactSecrets` redacts log records (message and traceback): :func:`redact_logs_of`
  puts it on named loggers (the X sources' own, and libraries that log request headers: tweepy's
  DEBUG logs print ``Authorization: Bearer ...``); the CLI logs through :func:`redacting_handler`,
  so no record of any logger reaches the terminal unredacted;
* what a source writes to disk (``--record``) or reports as skipped goes through :func:`redact`;
* every record: :func:`tweetpulse.records.redact_record` masks every string field, once in each live source
  (:func:`tweetpulse.sources.base.conform`) and again in the producer, which every record of
  every source passes through on its way to the topic (and so to the store and the page).

An X server or a proxy that echoes the ``Authorization`` header in an error body is thus harmless.
"""

from __future__ import annotations

import logging
import threading

_secrets: tuple[str, ...] = ()  # longest first, so a secret inside another is masked after it
_filtered: set[str] = set()
_lock = threading.Lock()


def mask_token(token: str | None) -> str:
    """A printable stand-in for a secret: ``'…wxyz'`` (last 4 characters) or ``'****'``."""
    if not token:
        return "<none>"
    return "…" + token[-4:] if len(token) >= 20 else "****"


def register_secret(value: str) -> None:
    """Mask ``value`` (any non-empty string) wherever :func:`redact` runs."""
    global _secrets
    if value:
        with _lock:
            _secrets = tuple(sorted({*_secrets, value}, key=len, reverse=True))


def forget_secret(value: str) -> None:
    """Stop masking ``value`` (tests that register throw-away secrets)."""
    global _secrets
    with _lock:
        _secrets = tuple(s for s in _secrets if s != value)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by its mask."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, mask_token(secret))
    return text


def any_secret() -> bool:
    """Whether a secret is registered (nothing to redact otherwise)."""
    return bool(_secrets)


def redact_bytes(data: bytes) -> bytes:
    """:func:`redact` for raw bytes (UTF-8), such as a line a source records."""
    for secret in _secrets:
        raw = secret.encode("utf-8")
        if raw in data:
            data = data.replace(raw, mask_token(secret).encode("utf-8"))
    return data


def redact_logs_of(*logger_names: str) -> None:
    """Filter the records of these loggers through :class:`RedactSecrets` (once per logger)."""
    with _lock:
        for name in logger_names:
            if name not in _filtered:
                _filtered.add(name)
                logging.getLogger(name).addFilter(RedactSecrets())


def redacting_handler() -> logging.Handler:
    """A stderr handler whose every record, whichever logger made it, goes through :class:`RedactSecrets`."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    return handler


class RedactSecrets(logging.Filter):
    """Replaces every registered secret in a record's message and traceback with its mask."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
