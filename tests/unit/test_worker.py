"""A worker's batch logic with messages made by hand (no broker): score, dead-letter, persist, fold, offsets."""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson
import pytest
from confluent_kafka import TIMESTAMP_CREATE_TIME, KafkaError, Message, TopicPartition

from tests.support.bad_messages import BAD_MESSAGES, GOOD
from tweetpulse.errors import InvalidRecord
from tweetpulse.kafka.consumer import next_offsets
from tweetpulse.live.aggregates import COUNT, NEG, POS, SCORE, Aggregator, Delta
from tweetpulse.pipeline.deadletter import Undelivered
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.worker import GC_YOUNG, Budget, Notice, PartitionStopped, StartGate, Worker
from tweetpulse.records import ScoredTweet
from tweetpulse.scorers.scoring import textblob_sentiment
from tweetpulse.stores.sqlite import SqliteStore

NOW = 1_700_000_000.0


def message(offset: int, value: bytes | None, partition: int = 0, produced_ms: int | None = None) -> Message:
    return Message(
        topic="tweets",
        partition=partition,
        offset=offset,
        key=b"k",
        value=value,
        timestamp=(TIMESTAMP_CREATE_TIME, produced_ms if produced_ms is not None else int(NOW * 1000) - 50),
    )


def record(tid: str, text: str = "bitcoin is great", followers: int | None = 10, **more: object) -> bytes:
    return orjson.dumps({**GOOD, "id": tid, "text": text, "followers": followers, **more})


class Policy:
    """A dead-letter policy that remembers what it was given; the letters of partitions in ``refused`` are not kept."""

    def __init__(self, refused: frozenset[int] = frozenset()) -> None:
        self.letters: list[tuple[int | None, str]] = []
        self.unflushed: list[Message] = []
        self.flushes = 0
        self.refused = refused
        self.closed = False

    def __call__(self, msg: Message, err: InvalidRecord) -> None:
        self.letters.append((msg.offset(), err.reason))
        self.unflushed.append(msg)

    def flush(self) -> list[Undelivered]:
        self.flushes += 1
        sent, self.unflushed = self.unflushed, []
        return [
            Undelivered(m.topic() or "", m.partition() or 0, m.offset() or 0, "Broker: Message size too large")
            for m in sent
            if m.partition() in self.refused
        ]

    def close(self) -> None:
        self.closed = True


def make_worker(
    policy: Policy | None = None,
    emitted: list[Delta] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    notices: list[Notice] | None = None,
) -> Worker:
    sink = emitted if emitted is not None else []
    return Worker(
        0,
        ListenerSettings(batch_size=100),
        sink.append,
        Budget(None),
        should_stop,
        dead_letters=policy or Policy(),
        clock=lambda: NOW,
        notify=(notices if notices is not None else []).append,
    )


def test_valid_messages_become_exact_scored_tweets() -> None:
    worker = make_worker()
    batch = worker.prepare(
        [
            message(7, record("a", "bitcoin is great", 99, keywords=["bitcoin"]), partition=2),
            message(8, record("b", "so sad today", None, keywords=[])),
        ]
    )
    assert batch.consumed == 2 and batch.dead == 0
    first, second = batch.tweets
    polarity, subjectivity = textblob_sentiment("bitcoin is great")
    assert first == ScoredTweet(
        id="a",
        text="bitcoin is great",
        created_at=str(GOOD["created_at"]),
        author="a",
        author_id="9",
        followers=99,
        lang="en",
        keywords=["bitcoin"],
        source="sample",
        polarity=polarity,
        subjectivity=subjectivity,
        weight=math.log(100),
        score=math.log(100) * polarity,
        label="positive",
        kafka_partition=2,
        kafka_offset=7,
        produced_at=NOW - 0.05,
        scored_at=NOW,
    )
    assert second.weight == 1.0 and second.label == "negative" and second.score == second.polarity < 0


@pytest.mark.parametrize(("kind", "value", "reason"), BAD_MESSAGES[:12], ids=[k for k, _, _ in BAD_MESSAGES[:12]])
def test_an_invalid_message_goes_to_the_policy_with_its_reason(kind: str, value: bytes | None, reason: str) -> None:
    policy = Policy()
    worker = make_worker(policy)
    batch = worker.prepare([message(1, record("ok")), message(2, value), message(3, record("ok2"))])
    assert policy.letters == [(2, reason)] and policy.flushes == 1
    assert [t.id for t in batch.tweets] == ["ok", "ok2"] and batch.dead == 1 and batch.consumed == 3


def test_a_scoring_bug_sets_the_message_aside_and_the_batch_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = Policy()
    worker = make_worker(policy)

    def sentiment(text: str) -> tuple[float, float]:
        if "boom" in text:
            raise ZeroDivisionError("boom")
        return 0.5, 0.5

    monkeypatch.setattr(worker.scorer, "sentiment", sentiment)
    monkeypatch.setattr(worker.scorer, "score_messages", lambda *_: None, raising=False)  # the Python path
    batch = worker.prepare([message(1, record("x", "boom")), message(2, record("y", "fine"))])
    assert policy.letters == [(1, "internal-error")] and [t.id for t in batch.tweets] == ["y"]


def test_partition_eof_is_not_a_message() -> None:
    policy = Policy()
    eof = Message(topic="tweets", partition=0, error=KafkaError(KafkaError._PARTITION_EOF))
    batch = make_worker(policy).prepare([eof, message(1, record("a"))])
    assert batch.consumed == 1 and len(batch.tweets) == 1 and policy.flushes == 0  # nothing to flush


def test_only_newly_stored_tweets_are_folded_each_once(tmp_path: Path) -> None:
    emitted: list[Delta] = []
    worker = make_worker(emitted=emitted)
    with SqliteStore(tmp_path / "s.db") as store:
        store.insert(make_worker().prepare([message(0, record("old", keywords=["ethereum"]))]).tweets)
        worker.process(
            [
                message(1, record("a", keywords=["bitcoin"])),
                message(2, record("old", keywords=["ethereum"])),  # stored by an earlier run
                message(3, record("b", "awful news", keywords=["bitcoin"])),
                message(4, record("a", keywords=["bitcoin"])),  # the same id twice in one batch
                message(5, b"not json"),
            ],
            store,
        )
        assert store.count() == 3
    worker._flush_delta()
    agg = Aggregator()
    for delta in emitted:
        agg.fold(delta)
    assert agg.counters == {"consumed": 5, "stored": 2, "duplicates": 2, "dead": 1}
    overall, bitcoin = agg.series["overall"].total, agg.series["bitcoin"].total
    assert overall[COUNT] == 2 and bitcoin[COUNT] == 2 and bitcoin[POS] == 1 and bitcoin[NEG] == 1
    assert "ethereum" not in agg.series
    assert [t["id"] for t in agg.recent] == ["a", "b"] and len(agg.latencies) == 2


class FakeConsumer:
    def __init__(self, batches: list[list[Message]], events: list[str]) -> None:
        self.batches = batches
        self.events = events
        self.stored: list[list[TopicPartition]] = []
        self.paused: list[tuple[str, int]] = []

    def pause(self, partitions: Sequence[TopicPartition]) -> None:
        self.events.append("pause")
        self.paused += [(tp.topic, tp.partition) for tp in partitions]

    def consume(self, max_messages: int, timeout: float) -> list[Message]:
        return self.batches.pop(0) if self.batches else []

    def store_offsets(self, messages: Sequence[Message]) -> None:
        self.events.append("store_offsets")
        self.stored.append(next_offsets(messages))

    def __enter__(self) -> FakeConsumer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.events.append("consumer closed")


class RecordingStore(SqliteStore):
    def __init__(self, path: Path, events: list[str], fail: bool = False) -> None:
        super().__init__(path)
        self.events = events
        self.fail = fail

    def insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        self.events.append("insert begins")
        if self.fail:
            raise OSError("disk full")
        new = super().insert(tweets)
        self.events.append("insert returned")
        return new


def serve(
    batches: list[list[Message]],
    store_fails: bool,
    tmp_path: Path,
    policy: Policy | None = None,
    emitted: list[Delta] | None = None,
    notices: list[Notice] | None = None,
) -> tuple[list[str], FakeConsumer]:
    events: list[str] = []
    consumer = FakeConsumer(batches, events)
    worker = make_worker(policy, emitted=emitted, should_stop=lambda: not consumer.batches, notices=notices)
    with RecordingStore(tmp_path / "s.db", events, fail=store_fails) as store:
        try:
            worker.serve(consumer, store)
        except OSError:
            events.append("failed")
    return events, consumer


def test_offsets_are_stored_only_after_the_insert_returns(tmp_path: Path) -> None:
    events, consumer = serve([[message(i, record(f"t{i}"), partition=i % 2) for i in range(5)]], False, tmp_path)
    assert events == ["insert begins", "insert returned", "store_offsets"]
    assert sorted((tp.partition, tp.offset) for tp in consumer.stored[0]) == [(0, 5), (1, 4)]


def test_no_offsets_when_the_insert_fails(tmp_path: Path) -> None:
    events, consumer = serve([[message(1, record("t1"))]], True, tmp_path)
    assert events == ["insert begins", "failed"] and consumer.stored == []


def test_a_dead_letter_not_kept_stops_its_partition_and_only_it(tmp_path: Path) -> None:
    """Nothing of the partition whose dead letter was refused is stored, counted or committed; the
    partition is paused and the supervisor told; the other partitions go on."""
    emitted: list[Delta] = []
    notices: list[Notice] = []
    first = [
        message(1, record("p0-a"), partition=0),
        message(2, b"junk", partition=0),
        message(3, record("p0-b"), partition=0),
        message(1, record("p1-a"), partition=1),
        message(2, b"junk too", partition=1),
    ]
    later = [message(4, record("p0-c"), partition=0), message(3, record("p1-b"), partition=1)]
    events, consumer = serve([first, later], False, tmp_path, Policy(refused=frozenset({0})), emitted, notices)
    assert consumer.paused == [("tweets", 0)]
    batch_events = ["insert begins", "insert returned", "store_offsets"]
    assert events == [*batch_events[:2], "pause", *batch_events[2:], *batch_events]
    assert [[(tp.partition, tp.offset) for tp in stored] for stored in consumer.stored] == [[(1, 3)], [(1, 4)]]
    assert notices == [PartitionStopped(0, "tweets", 0, 2, "Broker: Message size too large")]
    assert isinstance(notices[0], PartitionStopped) and "stopped at offset 2" in notices[0].line()
    with SqliteStore(tmp_path / "s.db") as store:
        assert sorted(store.read_frame()["id"]) == ["p1-a", "p1-b"]
    agg = Aggregator()
    for delta in emitted:
        agg.fold(delta)
    assert agg.counters == {"consumed": 3, "stored": 2, "duplicates": 0, "dead": 1}


def test_the_budget_limits_what_is_processed(tmp_path: Path) -> None:
    events: list[str] = []
    consumer = FakeConsumer([[message(i, record(f"t{i}")) for i in range(5)]], events)
    worker = make_worker(should_stop=lambda: not consumer.batches)
    worker.budget = Budget(mp.get_context("spawn").Value("q", 3))
    with SqliteStore(tmp_path / "s.db") as store:
        worker.serve(consumer, store)
        assert store.count() == 3
    assert [(tp.partition, tp.offset) for tp in consumer.stored[0]] == [(0, 3)]  # the rest is left for later
    assert worker.budget.exhausted()


def test_run_closes_the_policy_and_reports_the_last_delta(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``run`` wires a TweetConsumer and the --store store; with the consumer stood in, no broker is needed."""
    import tweetpulse.pipeline.worker as worker_module

    events: list[str] = []
    consumer = FakeConsumer([[message(1, record("t1", keywords=["bitcoin"]))]], events)
    monkeypatch.setattr(worker_module, "TweetConsumer", lambda *settings: consumer)
    policy, emitted = Policy(), list[Delta]()
    worker = Worker(
        0,
        ListenerSettings(store_path=str(tmp_path / "run.db")),
        emitted.append,
        Budget(None),
        lambda: not consumer.batches,
        dead_letters=policy,
        clock=lambda: NOW,
    )
    worker.run()
    assert events == ["store_offsets", "consumer closed"] and policy.closed
    assert sum(d["counters"]["stored"] for d in emitted) == 1
    assert SqliteStore(tmp_path / "run.db").count() == 1
    assert next(b for b in emitted[0]["buckets"] if b[1] == "bitcoin")[2][SCORE] > 0


def test_a_worker_process_settles_the_collector_before_its_first_batch() -> None:
    # a fresh interpreter, so that pytest's own collector settings are not touched
    script = """
import gc, json, os, threading
from multiprocessing import Pipe
from tweetpulse.pipeline import worker
seen = {}
class Built:
    def __init__(self, *args, **kwargs):
        seen["built"] = gc.get_threshold()
    def run(self):
        seen["run"] = gc.get_threshold()
        seen["frozen"] = gc.get_freeze_count()
worker.Worker = Built
ours, _ = Pipe()
worker.worker_main(0, None, ours, threading.Event(), None, os.getppid())
print(json.dumps(seen))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(out.stdout)
    assert seen["built"][0] == 700  # Python's default while the worker is built
    assert seen["run"] == [GC_YOUNG, 10, 10] and seen["frozen"] > 1000


def test_the_first_workers_wait_for_each_other_before_they_subscribe() -> None:
    gate = StartGate(mp.get_context("spawn").Value("i", 0), workers=2)
    passed: dict[str, float] = {}

    def worker(name: str, build_s: float, fails: bool = False) -> None:
        time.sleep(build_s)
        gate.arrive()  # worker_main arrives also when building failed
        if not fails:
            gate.wait(lambda: False)
            passed[name] = time.monotonic()

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=("fast", 0.0)), threading.Thread(target=worker, args=("slow", 0.4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert passed["fast"] - start >= 0.4  # it waited for the slow one
    assert abs(passed["fast"] - passed["slow"]) < 0.1

    # one that failed to build holds no one; one that never comes holds the others only for the timeout
    failed = StartGate(mp.get_context("spawn").Value("i", 0), workers=2)
    failed.arrive()
    failed.arrive()
    t0 = time.monotonic()
    failed.wait(lambda: False)
    lonely = StartGate(mp.get_context("spawn").Value("i", 0), workers=2, timeout=0.2)
    lonely.arrive()
    lonely.wait(lambda: False)
    told = StartGate(mp.get_context("spawn").Value("i", 0), workers=2)
    told.arrive()
    told.wait(lambda: True)
    assert time.monotonic() - t0 < 1.0


def test_a_worker_that_fails_to_build_still_arrives_at_the_gate() -> None:
    script = """
import os, threading
from multiprocessing import Pipe, get_context
from tweetpulse.pipeline import worker
class Broken:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("no scorer")
worker.Worker = Broken
gate = worker.StartGate(get_context("spawn").Value("i", 0), 2)
ours, _ = Pipe()
try:
    worker.worker_main(0, None, ours, threading.Event(), None, os.getppid(), None, gate)
except SystemExit as exit:
    print(exit.code, gate.built.value)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["3", "1"]
