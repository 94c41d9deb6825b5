"""scripts/mongodb-setup.sh as a user runs it: start (building the server once), status, url, stop; and
MONGODB_URL pointing it at a server the user already has."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.conftest import free_port
from tests.support.mongodb import SETTINGS, last_line, run_setup


def env_for(state: Path, port: int, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return {**env, "MONGODB_PORT": str(port), "MONGODB_STATE_DIR": str(state), **extra}


def test_start_status_url_stop_and_a_taken_port() -> None:
    state, port = Path(tempfile.mkdtemp(prefix="tp-mongodb-setup-")), free_port()
    env = env_for(state, port)
    try:
        assert run_setup(env, "status").returncode == 3
        started = run_setup(env, "start")
        assert started.returncode == 0, started.stderr
        assert last_line(started) == f"mongodb://127.0.0.1:{port}/tweetpulse"
        assert run_setup(env, "status").returncode == 0
        assert last_line(run_setup(env, "url")) == last_line(started)
        again = run_setup(env, "start")  # already running: says so, same URL
        assert again.returncode == 0 and "already running" in again.stdout and last_line(again) == last_line(started)
        other = env_for(state / "other", port)
        taken = run_setup(other, "start")
        assert taken.returncode == 1 and f"port {port} is taken" in taken.stderr
    finally:
        stopped = run_setup(env, "stop")
        shutil.rmtree(state, ignore_errors=True)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert run_setup(env, "status").returncode == 3


def test_mongodb_url_uses_the_users_server_and_never_prints_its_password(mongodb_url: str) -> None:
    state = Path(tempfile.mkdtemp(prefix="tp-mongodb-setup-"))
    try:
        ok = run_setup(env_for(state, free_port(), MONGODB_URL=mongodb_url), "start")
        assert ok.returncode == 0 and last_line(ok) == mongodb_url and "it answers" in ok.stdout
        dead = f"mongodb://tp:s3cret@127.0.0.1:{free_port()}/tp?serverSelectionTimeoutMS=300"
        refused = run_setup(env_for(state, free_port(), MONGODB_URL=dead), "start")
        assert refused.returncode == 1 and "does not answer" in refused.stderr
        assert "s3cret" not in refused.stdout + refused.stderr and "tp:***@" in refused.stderr
        assert run_setup(env_for(state, free_port()), "bogus").returncode == 2
    finally:
        shutil.rmtree(state, ignore_errors=True)
