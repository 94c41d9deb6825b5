"""A PostgreSQL restart under a running ``listen``: the workers wait for it with backoff (saying so in
the log) and go on; nothing is lost or doubled. Before, five immediate worker restarts ended the run
(exit 2) about three seconds into the outage."""

from __future__ import annotations

import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import free_port
from tests.fault.harness import kill_tree, replay_file, start_listen, start_stream
from tests.support.postgres import last_line, new_state_dir, private_env, run_setup
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.stores.postgres import TABLE

TWEETS = 3000
REPLAY_SECONDS = 24
OUTAGE_SECONDS = 10  # longer than five immediate restarts took to give up


class Cluster:
    """A private PostgreSQL this test alone uses, so stopping it hurts no other test."""

    def __init__(self) -> None:
        self.state = new_state_dir()
        self.env = private_env(self.state, free_port())
        self.url = ""

    def start(self) -> None:
        started = run_setup(self.env, "start")
        if started.returncode != 0:
            pytest.fail(f"the test PostgreSQL did not start:\n{started.stderr}", pytrace=False)
        self.url = self.url or last_line(started)

    def stop(self) -> None:
        stopped = run_setup(self.env, "stop")
        assert stopped.returncode == 0, stopped.stderr

    def ids(self) -> list[str]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()[0]:  # type: ignore[index]
                return []
            return [row[0] for row in conn.execute(f"SELECT id FROM {TABLE}")]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        run_setup(cluster.env, "stop")
        shutil.rmtree(cluster.state, ignore_errors=True)


def wait_for(check: object, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f}s"
        time.sleep(0.3)


def test_a_postgres_restart_is_waited_for_and_nothing_is_lost_or_doubled(
    kafka: KafkaConfig, cluster: Cluster, tmp_path: Path
) -> None:
    dataset = tmp_path / "replay.jsonl"
    tweets = replay_file(dataset, TWEETS, seed=1818)
    streamer = start_stream(kafka, dataset, TWEETS / REPLAY_SECONDS)
    listener = start_listen(kafka, cluster.url, "pg-restart", "--idle-exit", "10")
    try:
        wait_for(lambda: len(cluster.ids()) >= TWEETS // 5, "a fifth of the tweets stored")
        cluster.stop()
        time.sleep(OUTAGE_SECONDS)
        assert listener.poll() is None, f"listen stopped while the store was down:\n{listener.communicate()[1]}"
        cluster.start()
        _out, err = streamer.communicate(timeout=REPLAY_SECONDS * 6)
        assert streamer.returncode == 0, err
        out, err = listener.communicate(timeout=300)
        assert listener.returncode == 0, err
    finally:
        for proc in (streamer, listener):
            if proc.poll() is None:
                kill_tree(proc, signal.SIGKILL)
    assert "store unreachable, retrying in" in err  # the wait is told, with backoff, in the log
    assert "the store answers again" in err
    assert "restarting it" not in err  # waited for, not a crash loop
    ids = cluster.ids()
    assert len(ids) == len(set(ids)) == TWEETS, out
    assert set(ids) == {t.id for t in tweets}
