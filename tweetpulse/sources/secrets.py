"""Secrets (API tokens) kept out of reprs and log records, for every source that has one.

:func:`mask_token` is the printable stand-in for a secret. :func:`register_secret` remembers a
value; :func:`redact_logs_of` puts a :class:`RedactSecrets` filter on loggers of libraries that log
request headers (tweepy's DEBUG logs print ``Authorization: Bearer ...``), which then replaces every
registered value in their records with its mask.
"""

from __future__ import annotations

import logging
import threading

MIN_SECRET_LENGTH = 8  # shorter values would mask ordinary words

_secrets: set[str] = set()
_filtered: set[str] = set()
_lock = threading.Lock()


def mask_token(token: str | None) -> str:
    """A printable stand-in for a secret: ``'…wxyz'`` (last 4 characters) or ``'****'``."""
    if not token:
        return "<none>"
    return "…" + token[-4:] if len(token) >= 20 else "****"


def register_secret(value: str) -> None:
    """Mask ``value`` in the records of every logger given to :func:`redact_logs_of`."""
    if len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact_logs_of(*logger_names: str) -> None:
    """Filter the records of these loggers through :class:`RedactSecrets` (once per logger)."""
    with _lock:
        for name in logger_names:
            if name not in _filtered:
                _filtered.add(name)
                logging.getLogger(name).addFilter(RedactSecrets())


class RedactSecrets(logging.Filter):
    """Replaces every registered secret in a record's message with :func:`mask_token` of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix
            return True
        redacted = message
        for secret in tuple(_secrets):
            redacted = redacted.replace(secret, mask_token(secret))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
