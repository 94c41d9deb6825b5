"""A MongoDB-wire-protocol server for the tests, started through ``scripts/mongodb-setup.sh``.

The session fixture (``mongodb_url`` in tests/conftest.py) runs a private server (FerretDB embedded,
over SQLite files) on a free port with its state in a temporary folder, the way a user runs ``make
mongodb``, and stops it afterwards; the server's binary is built once into ``.mongodb/bin``. With
``TWEETPULSE_TEST_MONGODB_URL=mongodb://...`` the tests use a server you already have (a real MongoDB).

A test that needs the server and can't have it FAILS (it never skips).
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
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "mongodb-setup.sh"
EXTERNAL_ENV = "TWEETPULSE_TEST_MONGODB_URL"
SETTINGS = ("MONGODB_URL", "MONGODB_PORT", "MONGODB_STATE_DIR", "MONGODB_DB")


def run_setup(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run mongodb-setup.sh (a first start builds the server: up to several minutes on a busy machine)."""
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=900)


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def session_mongodb(port: int) -> Iterator[str]:
    """The session server's URL: TWEETPULSE_TEST_MONGODB_URL's, else a private server on ``port``."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    external = os.environ.get(EXTERNAL_ENV)
    if external:
        env["MONGODB_URL"] = external
        started = run_setup(env, "start")
        if started.returncode != 0:
            pytest.fail(f"{EXTERNAL_ENV} can't be used (mongodb-setup.sh start said):\n{started.stderr}", pytrace=False)
        yield external
        return
    state = Path(tempfile.mkdtemp(prefix="tweetpulse-mongodb-"))
    env.update(MONGODB_PORT=str(port), MONGODB_STATE_DIR=str(state))
    started = run_setup(env, "start")
    try:
        if started.returncode != 0:
            pytest.fail(
                f"the test MongoDB server did not start (mongodb-setup.sh start exited {started.returncode}):\n"
                f"{started.stdout}\n{started.stderr}",
                pytrace=False,
            )
        yield last_line(started)
    finally:
        run_setup(env, "stop")
        shutil.rmtree(state, ignore_errors=True)


@contextmanager
def private_mongodb() -> Iterator[str]:
    """A server for one benchmark session (``TWEETPULSE_BENCH_MONGODB_URL``'s, else a private one on a free
    port), stopped and its state removed afterwards; a server that does not start is a RuntimeError."""
    external = os.environ.get("TWEETPULSE_BENCH_MONGODB_URL")
    if external:
        yield external
        return
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    state = Path(tempfile.mkdtemp(prefix="bench-mongodb-"))
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(MONGODB_PORT=str(port), MONGODB_STATE_DIR=str(state))
    started = run_setup(env, "start")
    try:
        if started.returncode != 0:
            raise RuntimeError(f"mongodb-setup.sh start exited {started.returncode}: {started.stderr.strip()}")
        yield last_line(started)
    finally:
        run_setup(env, "stop")
        shutil.rmtree(state, ignore_errors=True)


def with_database(url: str, name: str) -> str:
    """``url`` pointing at the database ``name`` on the same server (options kept)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A store URL on ``url``'s server naming a database of its own, dropped afterwards."""
    import pymongo

    name = f"tp_{uuid.uuid4().hex[:12]}"
    fresh = with_database(url, name)
    try:
        yield fresh
    finally:
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(fresh, serverSelectionTimeoutMS=5000)
        try:
            client.drop_database(name)
        finally:
            client.close()
