"""tests/support/processes.py: a command that times out takes its whole tree with it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.support.processes import kill_tree, run_tree, started

# a listener in miniature: two spawned workers (like `listen`'s), each writing its pid, then all sleep
TREE = """
import multiprocessing as mp, os, sys, time
def work(path):
    with open(path, "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(300)
if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    for _ in range(2):
        ctx.Process(target=work, args=(sys.argv[1],)).start()
    time.sleep(300)
"""


def workers_up(pids: Path, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [int(line) for line in pids.read_text().split()] if pids.exists() else []
        if len(found) == 2:
            return found
        time.sleep(0.1)
    raise AssertionError("the workers did not start")


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_plain_subprocess_run_leaves_the_workers_behind(tmp_path: Path) -> None:
    """Why the helper exists: subprocess.run's timeout kills only the command itself."""
    script, pids = tmp_path / "tree.py", tmp_path / "pids"
    script.write_text(TREE)
    with started([sys.executable, str(script), str(pids)]) as proc:  # (the helper cleans up after this test)
        workers = workers_up(pids)
        proc.kill()
        proc.wait(30)
        time.sleep(0.5)
        assert all(alive(pid) for pid in workers)  # orphaned, still running
    time.sleep(0.5)
    assert not any(alive(pid) for pid in workers)  # ... until the group was killed


def test_run_tree_kills_the_whole_tree_on_timeout(tmp_path: Path) -> None:
    script, pids = tmp_path / "tree.py", tmp_path / "pids"
    script.write_text(TREE)
    with pytest.raises(subprocess.TimeoutExpired):
        run_tree([sys.executable, str(script), str(pids)], timeout=20)
    workers = workers_up(pids, timeout=1)  # they were up before the timeout
    time.sleep(0.5)
    assert not any(alive(pid) for pid in workers)


def test_kill_tree_reaches_workers_orphaned_by_a_dead_parent(tmp_path: Path) -> None:
    script, pids = tmp_path / "tree.py", tmp_path / "pids"
    script.write_text(TREE)
    proc = subprocess.Popen([sys.executable, str(script), str(pids)], start_new_session=True)
    try:
        workers = workers_up(pids)
        proc.kill()
        proc.wait(30)  # the parent is gone and reaped: psutil can no longer find its children
        kill_tree(proc)
        time.sleep(0.5)
        assert not any(alive(pid) for pid in workers)
    finally:
        kill_tree(proc)
