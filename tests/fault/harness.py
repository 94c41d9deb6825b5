"""What the fault tests share: the CLI as a subprocess, its worker processes, a replay file, and the
checks of what was stored against what Kafka holds and what the group committed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import psutil
import pytest
from confluent_kafka import Consumer, TopicPartition

from tests.integration.test_listener import make_tweets
from tests.support import processes
from tweetpulse.dashboard.standalone import StoreFollower
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.live.aggregates import COUNT, NEG, OVERALL, POS, SCORE, Aggregator
from tweetpulse.records import Tweet
from tweetpulse.stores import read_frame
from tweetpulse.stores.sqlite import SqliteStore as Store

TWEETPULSE = str(Path(sys.executable).parent / "tweetpulse")


def kafka_args(kafka: KafkaConfig) -> list[str]:
    return ["--topic", kafka.topic, "--bootstrap-servers", kafka.bootstrap_servers]


def replay_file(path: Path, n: int, seed: int) -> list[Tweet]:
    """``n`` tweet records (ids unique to ``seed``) written as a JSONL dataset for ``--source replay``."""
    tweets = make_tweets(n, seed=seed)
    path.write_bytes(b"".join(t.to_json() + b"\n" for t in tweets))
    return tweets


def start_stream(kafka: KafkaConfig, dataset: Path, rate: float, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            TWEETPULSE,
            "stream",
            "--source",
            "replay",
            "--dataset",
            str(dataset),
            "--format",
            "jsonl",
            "--rate",
            f"{rate:g}",
            "--no-progress",
            *kafka_args(kafka),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own: kill_tree reaches workers a dead listener orphaned
    )


def start_listen(kafka: KafkaConfig, store: Path | str, group: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            TWEETPULSE,
            "listen",
            "--workers",
            "2",
            "--no-dashboard",
            "--store",
            str(store),
            "--group",
            group,
            *kafka_args(kafka),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own: kill_tree reaches workers a dead listener orphaned
    )


def workers(proc: subprocess.Popen[str], want: int = 2, timeout: float = 60) -> list[psutil.Process]:
    """The worker processes of a ``tweetpulse listen`` (spawned children), once ``want`` of them run."""
    deadline = time.monotonic() + timeout
    found: list[psutil.Process] = []
    while time.monotonic() < deadline:
        try:
            found = [p for p in psutil.Process(proc.pid).children() if "spawn_main" in " ".join(p.cmdline())]
        except psutil.NoSuchProcess:
            found = []
        if len(found) >= want:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{want} workers did not start within {timeout:.0f}s (found {len(found)})")


def kill_tree(proc: subprocess.Popen[str], sig: int) -> None:
    """``sig`` to the listener and every process under it or left in its group, at once (no chance to
    clean up); safe to call on one that already ended (its orphaned workers are still reached)."""
    processes.kill_tree(proc, sig)


def stored_count(store: Path) -> int:
    if not store.exists():
        return 0
    with Store(store) as s:
        return s.count()


def wait_stored(store: Path, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while stored_count(store) < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} tweets stored after {timeout:.0f}s"
        time.sleep(0.2)


class Snapshot(NamedTuple):
    """The group's committed offsets, then the ids stored: taken in that order, so every offset
    committed by then belongs to a tweet that must already be in ``stored``."""

    committed: dict[int, int]
    stored: set[str]


def committed(kafka: KafkaConfig, group: str, partitions: int = 3) -> dict[int, int]:
    client = Consumer(kafka.client_conf(**{"group.id": group}))
    try:
        offsets = client.committed([TopicPartition(kafka.topic, p) for p in range(partitions)], timeout=20)
    finally:
        client.close()
    return {tp.partition: tp.offset for tp in offsets}


def snapshot(kafka: KafkaConfig, group: str, store: Path) -> Snapshot:
    offsets = committed(kafka, group)
    frame = read_frame(store) if store.exists() else None
    return Snapshot(offsets, set() if frame is None else set(frame["id"]))


def topic_ids(kafka: KafkaConfig, expect: int, timeout: float = 120) -> dict[tuple[int, int], str]:
    """(partition, offset) → tweet id of every message on the topic."""
    client = Consumer(
        kafka.client_conf(
            **{"group.id": f"audit-{time.time()}", "auto.offset.reset": "earliest", "enable.auto.commit": False}
        )
    )
    client.subscribe([kafka.topic])
    ids: dict[tuple[int, int], str] = {}
    deadline = time.monotonic() + timeout
    while len(ids) < expect and time.monotonic() < deadline:
        for m in client.consume(1000, 0.5):
            if m.error() is None and m.key() is not None:
                ids[(m.partition() or 0, m.offset() or 0)] = (m.key() or b"").decode()
    client.close()
    return ids


def unstored_but_committed(snapshots: list[Snapshot], ids: dict[tuple[int, int], str]) -> list[str]:
    """Ids whose offset a snapshot shows committed while the store did not hold them."""
    wrong = []
    for shot in snapshots:
        for (partition, offset), tid in ids.items():
            if offset < shot.committed.get(partition, -1) and tid not in shot.stored:
                wrong.append(tid)
    return wrong


def page_matches_store(store: Path) -> None:
    """The page of ``tweetpulse dashboard`` (built from the store) totals exactly what the store holds:
    tweets, positives, negatives and score, overall and per keyword group."""
    frame = read_frame(store)
    aggregator = Aggregator(window_seconds=3600)
    with StoreFollower(store, aggregator, poll=0.1):
        pass
    assert aggregator.counters["stored"] == len(frame)
    for group in (OVERALL, "bitcoin"):
        rows = frame if group == OVERALL else frame[frame["keywords"].map(lambda k, g=group: g in k)]
        total = aggregator.series[group].total
        assert (total[COUNT], total[POS], total[NEG]) == (
            len(rows),
            (rows["label"] == "positive").sum(),
            (rows["label"] == "negative").sum(),
        ), group
        assert total[SCORE] == pytest.approx(rows["score"].sum()), group
