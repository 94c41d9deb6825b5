"""scripts/postgres-setup.sh: a private cluster's start/status/url/stop on a real PostgreSQL, the
POSTGRES_URL mode, and clear errors for broken setups."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import free_port
from tests.support.postgres import (
    PostgresServer,
    last_line,
    new_state_dir,
    private_env,
    run_setup,
    with_database,
)


@pytest.fixture
def own() -> Iterator[PostgresServer]:
    """Settings for a second, private cluster (own port and state folder), stopped and removed after."""
    state = new_state_dir()
    server = PostgresServer("", state, private_env(state, free_port()))
    yield server
    server.setup("stop")
    shutil.rmtree(state, ignore_errors=True)


def port_of(server: PostgresServer) -> int:
    return int(server.env["POSTGRES_PORT"])


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def postmaster_uid(data: Path) -> int:
    pid = (data / "postmaster.pid").read_text().splitlines()[0]
    uid_line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Uid:"))
    return int(uid_line.split()[1])


def test_session_server_answers_a_query(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SELECT current_database(), 6 * 7").fetchone()
    assert row == (urlsplit(postgres_url).path.lstrip("/"), 42)


def test_start_status_second_start_query_stop_and_restart(own: PostgresServer) -> None:
    port = port_of(own)
    started = own.setup("start")
    assert started.returncode == 0, started.stderr
    url = last_line(started)
    assert re.fullmatch(rf"postgresql://tweetpulse:[A-Za-z0-9_-]{{24}}@127\.0\.0\.1:{port}/tweetpulse", url), url
    assert "PostgreSQL is up" in started.stdout and "created database tweetpulse" in started.stdout
    password = urlsplit(url).password
    assert password
    # the password shows only in the URL line the user asked for: not in messages, errors or logs
    assert password not in started.stdout.strip().rsplit("\n", 1)[0] + started.stderr
    assert own.state_dir is not None
    for log in (own.state_dir / "logs").iterdir():
        assert password not in log.read_text(errors="replace"), log

    status = own.setup("status")
    assert status.returncode == 0 and "running (pid" in status.stdout and f"127.0.0.1:{port}" in status.stdout
    assert password not in status.stdout + status.stderr
    again = own.setup("start")
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout and "database tweetpulse exists" in again.stdout
    assert last_line(again) == url
    assert own.setup("url").stdout.strip() == url

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE kept (id text PRIMARY KEY)")
        conn.execute("INSERT INTO kept VALUES ('1459937468383686657')")
        settings = conn.execute(
            "SELECT current_setting('listen_addresses'), current_setting('unix_socket_directories'),"
            " current_setting('password_encryption')"
        ).fetchone()
    assert settings == ("127.0.0.1", "", "scram-sha-256")  # TCP on loopback only, no Unix socket
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(url.replace(f":{password}@", ":wrong@"))

    stopped = own.setup("stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    down = own.setup("status")
    assert down.returncode == 3 and "not running" in down.stdout
    assert not port_answers(port)
    assert "not running" in own.setup("stop").stdout  # stopping twice is fine

    restarted = own.setup("start")
    assert restarted.returncode == 0, restarted.stderr
    assert "creating a cluster" not in restarted.stdout  # the same cluster, same password
    assert last_line(restarted) == url
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT id FROM kept").fetchall() == [("1459937468383686657",)]


def test_the_cluster_belongs_to_a_non_root_os_user(own: PostgresServer) -> None:
    """As root the data folder and the server belong to a system user the script creates when
    missing (POSTGRES_OS_USER); otherwise to the user who runs the script."""
    os_user = f"tp-pg-{uuid.uuid4().hex[:8]}"
    try:
        started = own.setup("start", POSTGRES_OS_USER=os_user)
        assert started.returncode == 0, started.stderr
        assert own.state_dir is not None
        data = own.state_dir / "data"
        info = data.stat()
        assert stat.S_IMODE(info.st_mode) == 0o700
        if os.geteuid() == 0:
            assert f"creating the system user {os_user}" in started.stdout
            assert pwd.getpwuid(info.st_uid).pw_name == os_user
            assert info.st_uid != 0 and postmaster_uid(data) == info.st_uid
            assert (own.state_dir / "password").stat().st_uid == info.st_uid
        else:
            assert info.st_uid == os.geteuid() and postmaster_uid(data) == os.geteuid()
        assert "running" in own.setup("status").stdout
    finally:
        own.setup("stop")
        if os.geteuid() == 0:
            subprocess.run(["userdel", os_user], capture_output=True, check=False)


def test_postgres_url_only_creates_the_database(postgres_server: PostgresServer, own: PostgresServer) -> None:
    name = f"tp_ext_{uuid.uuid4().hex[:10]}"
    url = with_database(postgres_server.url, name)
    first = own.setup("start", POSTGRES_URL=url)
    assert first.returncode == 0, first.stderr
    assert "nothing to start" in first.stdout and f"created database {name}" in first.stdout
    assert last_line(first) == url
    assert own.state_dir is not None and list(own.state_dir.iterdir()) == []  # no cluster of its own
    assert not port_answers(port_of(own))
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (name,)
    second = own.setup("start", POSTGRES_URL=url)
    assert second.returncode == 0 and f"database {name} exists" in second.stdout
    status = own.setup("status", POSTGRES_URL=url)
    assert status.returncode == 0 and "it answers" in status.stdout

    # no database in the URL: POSTGRES_DB names it
    bare = with_database(postgres_server.url, "")
    other = f"{name}_b"
    third = own.setup("start", POSTGRES_URL=bare, POSTGRES_DB=other)
    assert third.returncode == 0, third.stderr
    assert last_line(third) == with_database(postgres_server.url, other)
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        assert {name, other} <= names
        conn.execute(f'DROP DATABASE "{name}"')
        conn.execute(f'DROP DATABASE "{other}"')


def test_taken_port_is_one_clear_line(own: PostgresServer) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = own.setup("start", POSTGRES_PORT=str(port))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"port {port} is taken" in lines[0] and "POSTGRES_PORT" in lines[0] and "POSTGRES_URL" in lines[0]
    assert own.state_dir is not None and not (own.state_dir / "data").exists()


def test_half_started_server_is_stopped(own: PostgresServer) -> None:
    result = own.setup("start", POSTGRES_START_TIMEOUT="0")
    assert result.returncode == 1
    assert "did not get ready" in result.stderr and "POSTGRES_START_TIMEOUT" in result.stderr
    assert "last lines of" in result.stderr  # the tail of the server log comes with it
    assert own.setup("status").returncode == 3
    assert not port_answers(port_of(own))
    assert own.state_dir is not None and not (own.state_dir / "data" / "postmaster.pid").exists()


def test_state_dir_the_os_user_cannot_reach_is_explained(own: PostgresServer) -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":  # CI runs as root: a skip there would hide this check
            pytest.fail("CI=true but not root: this test checks how root hands the cluster to another OS user")
        pytest.skip("only root hands the cluster to another OS user")
    assert own.state_dir is not None
    closed = own.state_dir / "closed"
    closed.mkdir(mode=0o700)
    own.state_dir.chmod(0o700)
    result = own.setup("start", POSTGRES_STATE_DIR=str(closed / "state"))
    assert result.returncode == 1
    assert "cannot reach" in result.stderr and "POSTGRES_STATE_DIR" in result.stderr


def test_state_dir_holding_other_files_is_refused(own: PostgresServer) -> None:
    assert own.state_dir is not None
    (own.state_dir / "notes.txt").write_text("mine")
    before = own.state_dir.stat()
    result = own.setup("start")
    assert result.returncode == 1
    assert "holds other files" in result.stderr and "POSTGRES_STATE_DIR" in result.stderr
    after = own.state_dir.stat()
    assert (after.st_uid, after.st_mode) == (before.st_uid, before.st_mode)  # not handed over


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"POSTGRES_URL": "mysql://u:p@127.0.0.1/db"}, "POSTGRES_URL is not a postgresql://"),
        ({"POSTGRES_URL": "postgresql://u:p@127.0.0.1:1/db"}, "could not query the server"),
        ({"POSTGRES_BIN": "/nonexistent/bin"}, "POSTGRES_BIN=/nonexistent/bin lacks pg_ctl"),
        ({"POSTGRES_OS_USER": "root"}, "refuses to run as root"),
    ],
    ids=["not-a-url", "server-down", "bad-bin", "root-user"],
)
def test_broken_setups_are_explained(own: PostgresServer, env: dict[str, str], expected: str) -> None:
    result = own.setup("start", **env)
    if env.get("POSTGRES_OS_USER") == "root" and os.geteuid() != 0:
        assert result.returncode == 0  # not root: the script runs the cluster as the current user
        return
    assert result.returncode == 1
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout.count("postgresql://") == 0


def test_usage() -> None:
    result = run_setup(dict(os.environ), "restart")
    assert result.returncode == 2 and "start|stop|status|url" in result.stderr
