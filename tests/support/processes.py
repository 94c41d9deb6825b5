"""Processes the tests start (``listen``, ``demo``, ``stream``) never outlive their test.

Each runs in a process group of its own (``start_new_session``), so :func:`kill_tree` reaches the
command, its spawned workers and anything they started, also those already orphaned by a parent
that died first. :func:`started` (a ``with`` block) and :func:`run_tree` (``subprocess.run`` with a
timeout) call it however the test ends: passed, failed, or timed out.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from typing import Any

import psutil


def kill_tree(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    """``sig`` to ``proc``, every process under it and every process left in its group, at once."""
    family: list[psutil.Process] = []
    with contextlib.suppress(psutil.NoSuchProcess):
        parent = psutil.Process(proc.pid)
        family = [*parent.children(recursive=True), parent]
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.send_signal(sig)
    # the group outlives its leader: workers orphaned by a listener that died are still in it (Linux
    # allocates no pid that is still some live process's group id, so this is never someone else's)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(30)


def group_alive(pgid: int) -> list[psutil.Process]:
    """The live processes of a process group (zombies don't count)."""
    alive = []
    for p in psutil.process_iter():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            if os.getpgid(p.pid) == pgid and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
    return alive


@contextlib.contextmanager
def started(argv: Sequence[str], **popen: Any) -> Iterator[subprocess.Popen[str]]:
    """``subprocess.Popen(argv)`` in its own process group, killed with its whole tree on the way out."""
    popen.setdefault("text", True)
    proc = subprocess.Popen(list(argv), start_new_session=True, **popen)
    try:
        yield proc
    finally:
        kill_tree(proc)


def run_tree(argv: Sequence[str], timeout: float, **popen: Any) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(argv, capture_output=True, text=True, timeout=...)``, except that a timeout
    (or any other way out) kills the whole tree, not only ``argv``'s own process. A command that
    ended normally keeps what it meant to leave running (a broker started with ``--keep-kafka``)."""
    proc = subprocess.Popen(
        list(argv), start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:
        kill_tree(proc)
        raise
    return subprocess.CompletedProcess(list(argv), proc.returncode, out, err)
