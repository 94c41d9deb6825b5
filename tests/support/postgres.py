"""A real PostgreSQL for the tests, started through ``scripts/postgres-setup.sh``.

The session fixture (``postgres_server`` / ``postgres_url`` in tests/conftest.py) runs a private
cluster on a free port with its state in a temporary folder, the way a user runs ``make postgres``,
and stops and removes it afterwards. ``TWEETPULSE_TEST_POSTGRES_URL=postgresql://...`` runs the
tests against a server you already have instead (the script then only creates the database).

A test that needs PostgreSQL and can't have it FAILS (it never skips). The script helpers and
``fresh_schema`` are shared with the benchmarks (:mod:`tests.support.pgserver`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support.pgserver import (
    SCRIPT_SETTINGS,
    fresh_schema,
    last_line,
    new_state_dir,
    private_env,
    run_setup,
)

__all__ = [
    "EXTERNAL_ENV", "PostgresServer", "fresh_schema", "last_line", "new_state_dir", "private_env", "run_setup",
    "session_postgres", "with_database",
]  # fmt: skip

EXTERNAL_ENV = "TWEETPULSE_TEST_POSTGRES_URL"


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A server the tests use: its URL, its private state folder (None for an external server) and
    the environment that points postgres-setup.sh at it."""

    url: str
    state_dir: Path | None
    env: dict[str, str]

    def setup(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run postgres-setup.sh against this server (``env`` adds or overrides settings)."""
        return run_setup({**self.env, **env}, *args)


def with_database(url: str, name: str) -> str:
    """``url`` pointing at the database ``name`` on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def session_postgres(port: int) -> Iterator[PostgresServer]:
    """The session's server: TWEETPULSE_TEST_POSTGRES_URL's, else a private cluster on ``port``."""
    external = os.environ.get(EXTERNAL_ENV)
    if external:
        env = {k: v for k, v in os.environ.items() if k not in SCRIPT_SETTINGS}
        env["POSTGRES_URL"] = external
        started = run_setup(env, "start")
        if started.returncode != 0:
            pytest.fail(
                f"{EXTERNAL_ENV} can't be used (postgres-setup.sh start said):\n{started.stderr}", pytrace=False
            )
        yield PostgresServer(last_line(started), None, env)
        return
    state = new_state_dir()
    env = private_env(state, port)
    started = run_setup(env, "start")
    if started.returncode != 0:
        run_setup(env, "stop")
        shutil.rmtree(state, ignore_errors=True)
        pytest.fail(
            f"the test PostgreSQL did not start (postgres-setup.sh start exited {started.returncode}):\n"
            f"{started.stderr}",
            pytrace=False,
        )
    try:
        yield PostgresServer(last_line(started), state, env)
    finally:
        run_setup(env, "stop")
        shutil.rmtree(state, ignore_errors=True)
