"""CPU per tweet of each stage of a worker's batch, no broker: ``python -m benchmarks.bench_stages [-n N]``.

The messages are made by hand (confluent-kafka ``Message`` objects holding :mod:`benchmarks.data`
records), so only the worker's own work is timed: ``prepare`` (validate, score, build the
``ScoredTweet``), ``insert`` (the SQLite store) and ``fold`` (the page's delta, and taking it).
Each pass uses a fresh worker (an empty scorer cache) and a fresh store; every batch keeps its
fastest time over the passes, which filters out other jobs sharing the cores; µs per tweet =
sum of those minima / N. Not part of ``make bench``: a tool for deciding what to optimise next.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from confluent_kafka import TIMESTAMP_CREATE_TIME, Message  # noqa: E402

from benchmarks import data  # noqa: E402
from tweetpulse.pipeline.deadletter import Undelivered  # noqa: E402
from tweetpulse.pipeline.settings import ListenerSettings  # noqa: E402
from tweetpulse.pipeline.worker import Budget, Worker  # noqa: E402
from tweetpulse.stores.sqlite import SqliteStore  # noqa: E402

STAGES = ("prepare", "insert", "fold")


class _NoDeadLetters:
    """The benchmark's records are all valid; a dead letter would be a bug here."""

    def __call__(self, msg: Message, err: Exception) -> None:
        raise AssertionError(f"unexpected dead letter at offset {msg.offset()}: {err}")

    def flush(self) -> list[Undelivered]:
        return []

    def close(self) -> None: ...


def messages(n: int) -> list[Message]:
    return [
        Message(
            topic="tweets",
            partition=i % 6,
            offset=i,
            key=key,
            value=value,
            timestamp=(TIMESTAMP_CREATE_TIME, 1_700_000_000_000 + i),
        )
        for i, (key, value) in enumerate(data.records(n, id_prefix="stages"))
    ]


def one_pass(batches: Sequence[Sequence[Message]], folder: Path, batch_size: int) -> list[dict[str, float]]:
    """Seconds per stage for every batch, with a fresh worker and store."""
    settings = ListenerSettings(batch_size=batch_size)
    emit: Callable[[Any], None] = lambda delta: None  # noqa: E731
    worker = Worker(0, settings, emit, Budget(None), lambda: False, dead_letters=_NoDeadLetters())
    clock = time.perf_counter
    times = []
    with SqliteStore(folder / f"stages-{time.monotonic_ns()}.db") as store:
        for batch in batches:
            t0 = clock()
            prepared = worker.prepare(batch)
            t1 = clock()
            new = store.insert(prepared.tweets)
            t2 = clock()
            worker.record(prepared, new)
            worker.delta.take()
            t3 = clock()
            times.append({"prepare": t1 - t0, "insert": t2 - t1, "fold": t3 - t2})
    return times


def run(n: int = 40_000, batch_size: int = 2000, passes: int = 10) -> dict[str, float]:
    """µs per tweet of each stage (and their total), from per-batch minima over ``passes``."""
    msgs = messages(n)
    batches = [msgs[i : i + batch_size] for i in range(0, n, batch_size)]
    best = [dict.fromkeys(STAGES, float("inf")) for _ in batches]
    with tempfile.TemporaryDirectory(prefix="bench-stages-") as tmp:
        for _ in range(passes):
            for fastest, timed in zip(best, one_pass(batches, Path(tmp), batch_size), strict=True):
                for stage in STAGES:
                    fastest[stage] = min(fastest[stage], timed[stage])
    result = {f"{stage}_us": round(sum(b[stage] for b in best) / n * 1e6, 2) for stage in STAGES}
    result["total_us"] = round(sum(result.values()), 2)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=10)
    args = parser.parse_args(argv)
    result = run(args.n, args.batch_size, args.passes)
    print(
        f"{args.n} tweets, batch {args.batch_size}, {args.passes} passes: "
        + ", ".join(f"{k} {v:.2f}" for k, v in result.items())
        + " (µs per tweet)"
    )


if __name__ == "__main__":
    main()
