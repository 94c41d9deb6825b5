"""Secrets out of reprs and logs: the mask, and the filter any source puts on its libraries' loggers."""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tweetpulse.errors import SourceError
from tweetpulse.secrets import (
    RedactSecrets,
    forget_secret,
    mask_token,
    redact,
    redact_logs_of,
    redacting_handler,
    register_secret,
)
from tweetpulse.sources.base import SkippedRows
from tweetpulse.sources.recorder import Recorder

pytestmark = pytest.mark.unit

SECRET = "a-mastodon-like-access-token-0123456789"


def test_mask_token() -> None:
    assert mask_token(SECRET) == "…6789"
    assert mask_token("short-secret") == "****"
    assert mask_token(None) == mask_token("") == "<none>"


def test_registered_secrets_are_masked_in_filtered_loggers(caplog: pytest.LogCaptureFixture) -> None:
    register_secret(SECRET)
    redact_logs_of("tests.secrets.library", "tests.secrets.library")  # once is enough
    library = logging.getLogger("tests.secrets.library")
    assert len(library.filters) == 1
    other = logging.getLogger("tests.secrets.unfiltered")

    with caplog.at_level(logging.DEBUG):
        library.debug("headers: %s", {"Authorization": f"Bearer {SECRET}"})
        library.debug("plain %s", SECRET)
        other.debug("not ours: %s", SECRET)

    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "headers: {'Authorization': 'Bearer …6789'}"
    assert messages[1] == "plain …6789"
    assert SECRET in messages[2]  # only the loggers given to redact_logs_of are filtered


SHORT = "Zq7"  # a configured secret is masked whatever its length


@pytest.fixture
def short_secret() -> Iterator[str]:
    register_secret(SHORT)
    yield SHORT
    forget_secret(SHORT)


def test_short_secrets_are_masked_too(short_secret: str) -> None:
    assert redact(f"token={short_secret}!") == "token=****!"
    register_secret(SECRET)
    assert redact(f"{SECRET} {short_secret}") == "…6789 ****"


def test_error_messages_never_show_a_secret(short_secret: str) -> None:
    error = SourceError(f"X answered 403: request had Authorization: Bearer {short_secret}")
    assert str(error) == "X answered 403: request had Authorization: Bearer ****"
    assert f"{error}" == str(error)


def test_skipped_rows_report_never_shows_a_secret(short_secret: str) -> None:
    skipped = SkippedRows()
    skipped.add(3, f"not JSON: {short_secret}")
    assert short_secret not in skipped.report("the X stream")


def test_handler_filter_redacts_every_logger_and_tracebacks(short_secret: str) -> None:
    handler = redacting_handler()
    assert [type(f) for f in handler.filters] == [RedactSecrets]
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    logger = logging.getLogger("tests.secrets.handlers")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("echo %s", short_secret)
        try:
            raise ValueError(f"header Bearer {short_secret}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue()
    assert lines.startswith("echo ****\nfailed\nTraceback")
    assert "ValueError: header Bearer ****" in lines
    assert short_secret not in lines


def test_recording_is_private_and_redacted(short_secret: str, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        recorder = Recorder(tmp_path / "raw.jsonl")
    finally:
        os.umask(old)
    recorder.write(b'{"errors":[{"detail":"Authorization: Bearer Zq7"}]}\r\n')
    recorder.close()
    assert stat.S_IMODE((tmp_path / "raw.jsonl").stat().st_mode) == 0o600
    assert (tmp_path / "raw.jsonl").read_bytes() == b'{"errors":[{"detail":"Authorization: Bearer ****"}]}\n'
