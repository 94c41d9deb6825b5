"""A MongoDB-wire-protocol server for the benchmarks: ``scripts/mongodb-setup.sh`` on a free port with its
state in a temporary folder (FerretDB over SQLite), or ``TWEETPULSE_BENCH_MONGODB_URL``'s server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "mongodb-setup.sh"
SETTINGS = ("MONGODB_URL", "MONGODB_PORT", "MONGODB_STATE_DIR", "MONGODB_DB")


def _setup(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=900)


@contextmanager
def private_mongodb() -> Iterator[str]:
    """The URL of a server for one benchmark session, stopped (and its state removed) afterwards."""
    external = os.environ.get("TWEETPULSE_BENCH_MONGODB_URL")
    if external:
        yield external
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    state = Path(tempfile.mkdtemp(prefix="bench-mongodb-"))
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(MONGODB_PORT=str(port), MONGODB_STATE_DIR=str(state))
    started = _setup(env, "start")
    try:
        if started.returncode != 0:
            raise RuntimeError(f"mongodb-setup.sh start exited {started.returncode}: {started.stderr.strip()}")
        yield started.stdout.strip().splitlines()[-1]
    finally:
        _setup(env, "stop")
        shutil.rmtree(state, ignore_errors=True)


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A store URL naming a database of its own on ``url``'s server, dropped afterwards."""
    import pymongo

    name = f"bench_{uuid.uuid4().hex[:10]}"
    yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    with pymongo.MongoClient(url, serverSelectionTimeoutMS=10_000, document_class=dict) as client:
        client.drop_database(name)
