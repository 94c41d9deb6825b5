"""Secrets out of reprs and logs: the mask, and the filter any source puts on its libraries' loggers."""

from __future__ import annotations

import logging

import pytest

from tweetpulse.sources.secrets import mask_token, redact_logs_of, register_secret

pytestmark = pytest.mark.unit

SECRET = "a-mastodon-like-access-token-0123456789"


def test_mask_token() -> None:
    assert mask_token(SECRET) == "…6789"
    assert mask_token("short-secret") == "****"
    assert mask_token(None) == mask_token("") == "<none>"


def test_registered_secrets_are_masked_in_filtered_loggers(caplog: pytest.LogCaptureFixture) -> None:
    register_secret(SECRET)
    register_secret("abc")  # too short to mask: ordinary words would be masked too
    redact_logs_of("tests.secrets.library", "tests.secrets.library")  # once is enough
    library = logging.getLogger("tests.secrets.library")
    assert len(library.filters) == 1
    other = logging.getLogger("tests.secrets.unfiltered")

    with caplog.at_level(logging.DEBUG):
        library.debug("headers: %s", {"Authorization": f"Bearer {SECRET}"})
        library.debug("plain abc %s", SECRET)
        other.debug("not ours: %s", SECRET)

    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "headers: {'Authorization': 'Bearer …6789'}"
    assert messages[1] == "plain abc …6789"
    assert SECRET in messages[2]  # only the loggers given to redact_logs_of are filtered
