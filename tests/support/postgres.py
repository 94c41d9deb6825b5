"""A real PostgreSQL for the tests, started through ``scripts/postgres-setup.sh``.

The session fixture (``postgres_server`` / ``postgres_url`` in tests/conftest.py) runs a private
cluster on a free port with its state in a temporary folder, the way a user runs ``make postgres``,
and stops and removes it afterwards. ``TWEETPULSE_TEST_POSTGRES_URL=postgresql://...`` runs the
tests against a server you already have instead (the script then only creates the database).

A test that needs PostgreSQL and can't have it FAILS (it never skips).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "postgres-setup.sh"
EXTERNAL_ENV = "TWEETPULSE_TEST_POSTGRES_URL"
# the script's settings: a test server never inherits the user's
SCRIPT_SETTINGS = (
    "POSTGRES_URL",
    "POSTGRES_PORT",
    "POSTGRES_STATE_DIR",
    "POSTGRES_DB",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_OS_USER",
    "POSTGRES_START_TIMEOUT",
)


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


def run_setup(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300)


def private_env(state_dir: Path, port: int) -> dict[str, str]:
    """The environment for a private cluster in ``state_dir`` on ``port``, free of the user's settings."""
    env = {k: v for k, v in os.environ.items() if k not in SCRIPT_SETTINGS}
    env.update(POSTGRES_STATE_DIR=str(state_dir), POSTGRES_PORT=str(port))
    return env


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    """The URL postgres-setup.sh prints on the last line of its output."""
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def with_database(url: str, name: str) -> str:
    """``url`` pointing at the database ``name`` on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def new_state_dir() -> Path:
    # mkdtemp, not pytest's tmp_path: the cluster's OS user must reach it (/tmp/pytest-of-root is 0700)
    return Path(tempfile.mkdtemp(prefix="tweetpulse-pg-"))


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


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """``url`` with its tables in a new schema of their own (libpq's ``options=-csearch_path``), dropped after."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')
