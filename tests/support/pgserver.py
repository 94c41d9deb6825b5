"""A private PostgreSQL through ``scripts/postgres-setup.sh``, for the tests and the benchmarks.

:func:`private_postgres` runs a cluster on a free port with its state in a temporary folder, the
way a user runs ``make postgres``, and stops and removes it afterwards (or uses
``TWEETPULSE_BENCH_POSTGRES_URL``'s server). :func:`fresh_schema` gives a store URL whose table lives
in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.support.broker import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "postgres-setup.sh"
URL_ENV = "TWEETPULSE_BENCH_POSTGRES_URL"
# the script's settings: a private server never inherits the user's
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


def new_state_dir() -> Path:
    # mkdtemp, not pytest's tmp_path: the cluster's OS user must reach it (/tmp/pytest-of-root is 0700)
    return Path(tempfile.mkdtemp(prefix="tweetpulse-pg-"))


@contextmanager
def private_postgres() -> Iterator[str]:
    """The URL of ``TWEETPULSE_BENCH_POSTGRES_URL``'s server, or of a private cluster stopped afterwards."""
    external = os.environ.get(URL_ENV)
    if external:
        yield external
        return
    state = new_state_dir()
    env = private_env(state, free_port())
    try:
        started = run_setup(env, "start")
        if started.returncode != 0:
            raise RuntimeError(
                f"the benchmark PostgreSQL did not start (postgres-setup.sh start exited "
                f"{started.returncode}): {started.stderr.strip()}"
            )
        yield last_line(started)
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
