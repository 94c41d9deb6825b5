"""Where a loaded run's CPU goes, per tweet, in every process: workers, supervisor, broker.

A fresh topic is preloaded with ``N`` realistic records (:mod:`benchmarks.data`), then the real CLI
runs on it (``tweetpulse listen --workers 2 --no-dashboard --idle-exit 2``, SQLite) under
`py-spy <https://github.com/benfred/py-spy>`_ (``record --subprocesses``: the supervisor and its
spawned workers, sampled from outside, no code changed). Each process's CPU time comes from
psutil (the broker's too: it is a JVM, so only its total is given); py-spy's samples (taken while
a thread runs, idle ones left out) split a process's CPU time over the stages below, by the
innermost stage function on each sampled stack. Every figure is µs of CPU per tweet stored.

Stages: ``fetch`` (librdkafka consume, Message objects), ``decode`` (records_fields: the record
rule, native or Python), ``score`` (the scorer's batch method), ``rows`` (the rest of Worker.prepare),
``insert`` (the store), ``fold`` (the page's delta), ``report`` (pipe to the supervisor, offsets),
``dead_letter``, ``start-up`` (imports), ``other`` (the loop, the rest); supervisor: ``fold_deltas``,
``start-up``, ``other``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

from benchmarks import data
from benchmarks.bench_e2e import PARTITIONS, preload, stored_count
from tests.support.broker import Broker, fresh_topic

Figure = dict[str, Any]
N_FULL, N_QUICK = 200_000, 100_000
RATE = 200  # py-spy samples per second per process
Stages = tuple[tuple[str, str], ...]
# (stage, a function name that marks it): the innermost match on a stack wins
WORKER_STAGES: Stages = (
    ("compiled batch (decode, score, rows)", "score_messages"),
    ("decode", "records_fields"),
    ("score", "sentiments"),
    ("score", "score"),
    ("rows", "prepare"),
    ("insert", "insert"),
    ("fold", "record"),
    ("report", "_flush_delta"),
    ("report", "store_offsets"),
    ("dead_letter", "dead_letter"),
    ("fetch", "consume"),
    ("start-up", "_find_and_load"),
)
SUPERVISOR_STAGES: Stages = (("fold_deltas", "_fold_ready"), ("fold_deltas", "_drain"), ("start-up", "_find_and_load"))


def stage_of(stack: str, stages: Stages) -> str:
    """The stage of one collapsed stack (``frame;frame;...``, root first): its innermost stage function."""
    frames = [f.split(" (", 1)[0].rsplit(".", 1)[-1] for f in stack.split(";")]  # Worker.prepare → prepare
    for frame in reversed(frames):
        for stage, name in stages:
            if frame == name:
                return stage
    return "other"


_PROCESS = re.compile(r'process (\d+):"[^"]*"')


def read_samples(path: Path) -> dict[int, Counter[str]]:
    """py-spy's raw output with ``--subprocesses``: stack counts per process id (a stack starts with
    ``process PID:"command"`` for each process from the recorded one down to the sampled one)."""
    per_pid: dict[int, Counter[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        marks = list(_PROCESS.finditer(stack))
        if not marks or not count.isdigit():
            continue
        pid, frames = int(marks[-1].group(1)), stack[marks[-1].end() + 1 :]
        per_pid.setdefault(pid, Counter())[frames] += int(count)
    return per_pid


def breakdown(
    samples: Counter[str], cpu_s: float, tweets: int, stages: tuple[tuple[str, str], ...]
) -> dict[str, float]:
    total = sum(samples.values())
    if not total or not tweets:
        return {}
    by_stage: Counter[str] = Counter()
    for stack, count in samples.items():
        by_stage[stage_of(stack, stages)] += count
    return {stage: round(cpu_s * n / total / tweets * 1e6, 2) for stage, n in by_stage.most_common()}


def broker_process(broker: Broker) -> psutil.Process | None:
    port = int(broker.bootstrap.rsplit(":", 1)[1])
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            return psutil.Process(conn.pid)
    return None


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def profile_run(broker: Broker, n: int, folder: Path, *extra: str) -> dict[str, Any]:
    """One profiled ``tweetpulse listen`` over ``n`` preloaded tweets; ``extra``: more of its arguments
    (``--scorer model:PATH`` profiles the trained scorer the same way)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    tweetpulse = str(Path(sys.executable).with_name("tweetpulse"))
    with fresh_topic(broker, PARTITIONS, prefix="profile") as kafka:
        preload(kafka, data.records(n, id_prefix="profile"))
        jvm = broker_process(broker)
        jvm_before = cpu_seconds(jvm) if jvm else 0.0
        # fmt: off
        listen = subprocess.Popen([
            tweetpulse, "listen", "--workers", "2", "--no-dashboard", "--idle-exit", "2",
            "--store", str(folder / "profile.db"), "--group", f"profile-{uuid.uuid4().hex[:8]}",
            "--topic", kafka.topic, "--bootstrap-servers", kafka.bootstrap_servers,
            "--summary-json", str(folder / "summary.json"), *extra,
        ], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        raw = folder / "profile.txt"
        recorder = subprocess.Popen([
            spy, "record", "--pid", str(listen.pid), "--subprocesses", "--rate", str(RATE), "--format", "raw",
            "--nonblocking", "--output", str(raw),
        ], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # fmt: on
        parent = psutil.Process(listen.pid)
        cpu: dict[int, float] = {}
        marks: list[tuple[int, float]] = []  # (tweets stored, the broker's CPU seconds then)
        started = time.monotonic()
        while listen.poll() is None and time.monotonic() - started < 600:
            for p in [parent, *parent.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process that just ended
                    cpu[p.pid] = cpu_seconds(p)
            if jvm:
                marks.append((stored_count(folder / "profile.db"), cpu_seconds(jvm)))
            time.sleep(0.2)
        _, err = listen.communicate(timeout=60)
        jvm_cpu = cpu_seconds(jvm) - jvm_before if jvm else None
        recorder.wait(timeout=120)
    if listen.returncode != 0:
        raise RuntimeError(f"profile: tweetpulse listen exited {listen.returncode}: {err.strip()[-300:]}")
    if not raw.is_file():
        said = recorder.stderr.read() if recorder.stderr else ""
        raise RuntimeError(f"profile: py-spy wrote nothing: {said[-300:]}")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    samples = read_samples(raw)
    return {
        "pids": cpu,
        "supervisor": listen.pid,
        "broker_cpu_s": jvm_cpu,
        "broker_steady_us": steady_cost(marks, n),
        "samples": samples,
        "summary": summary,
    }


def steady_cost(marks: list[tuple[int, float]], n: int) -> float | None:
    """µs of CPU per tweet between the marks where 10% and 90% of ``n`` were stored (the broker's
    cost at work, without its share of the group's join, the topics' metadata and the idle wait)."""
    low = next((m for m in marks if m[0] >= 0.1 * n), None)
    high = next((m for m in marks if m[0] >= 0.9 * n), None)
    if low is None or high is None or high[0] <= low[0]:
        return None
    return round((high[1] - low[1]) / (high[0] - low[0]) * 1e6, 2)


def run(broker: Broker, n: int = N_FULL) -> dict[str, Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        got = profile_run(broker, n, Path(tmp))
    summary = got["summary"]
    stored = int(summary["stored"])
    processes: dict[str, Any] = {}
    worker_total = 0.0
    for pid, cpu_s in sorted(got["pids"].items()):
        is_supervisor = pid == got["supervisor"]
        stages = SUPERVISOR_STAGES if is_supervisor else WORKER_STAGES
        samples = got["samples"].get(pid, Counter())
        name = "supervisor" if is_supervisor else f"worker pid {pid}"
        if not is_supervisor and cpu_s < 0.5:  # the spawn helper (resource tracker), not a worker
            name = f"helper pid {pid}"
        per_tweet = round(cpu_s / stored * 1e6, 2) if stored else None
        processes[name] = {
            "cpu_s": round(cpu_s, 2),
            "us_per_tweet": per_tweet,
            "stages_us_per_tweet": breakdown(samples, cpu_s, stored, stages),
        }
        if name.startswith("worker"):
            worker_total += cpu_s
    broker_cpu = got["broker_cpu_s"]
    processes["broker (JVM, CPU time only)"] = {
        "cpu_s": round(broker_cpu, 2) if broker_cpu is not None else None,
        "us_per_tweet": round(broker_cpu / stored * 1e6, 2) if broker_cpu is not None and stored else None,
        # its cost while tweets were being stored (10% → 90%): what the steady figure counts
        "steady_us_per_tweet": got["broker_steady_us"],
    }
    settings = {
        "tweets": n,
        "stored": stored,
        "command": "tweetpulse listen --workers 2 --no-dashboard --idle-exit 2 (SQLite)",
        "partitions": PARTITIONS,
        "profiler": f"py-spy record --subprocesses --rate {RATE} (idle samples left out); CPU times by psutil",
        "listener_rate_tweets_per_s": round(float(summary.get("rate", 0))),
        "processes": processes,
    }
    steady = steady_us_per_tweet(processes)
    cores = os.cpu_count() or 1
    return {
        "profile_worker_us_per_tweet": {
            "value": round(worker_total / stored * 1e6, 2) if stored else None,
            "unit": "us CPU/tweet (all workers)",
            "settings": settings,
        },
        "profile_cpu_us_per_tweet": {
            "value": steady,
            "unit": "us CPU/tweet (every process, start-up left out)",
            "settings": {
                "capacity_tweets_per_s": round(cores * 1e6 / steady) if steady else None,
                "capacity": f"what {cores} cores free of other work would store at this CPU cost per tweet "
                "(an estimate from the profile, not a measured rate)",
                "processes": "supervisor, workers, broker",
            },
        },
    }


def steady_us_per_tweet(processes: dict[str, Any]) -> float | None:
    """CPU per tweet over every process, without the start-up (imports) the profile saw."""
    total = 0.0
    for proc in processes.values():
        if proc.get("steady_us_per_tweet") is not None:  # the broker: measured over the steady window
            total += proc["steady_us_per_tweet"]
            continue
        if proc.get("us_per_tweet") is None:
            return None
        total += proc["us_per_tweet"] - (proc.get("stages_us_per_tweet") or {}).get("start-up", 0.0)
    return round(total, 2)
