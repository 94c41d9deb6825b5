"""The listener under bad input, a killed worker, and signals: nothing lost, nothing left running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from confluent_kafka import Consumer

from tests.integration.test_listener import listen, make_tweets, produce
from tests.support.bad_messages import BAD_MESSAGES
from tests.support.headers import message_headers
from tests.support.processes import kill_tree, run_tree
from tests.support.stores import refusing_store
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.stores import read_frame
from tweetpulse.stores.sqlite import SqliteStore as Store

TWEETPULSE = str(Path(sys.executable).parent / "tweetpulse")


def read_dlq(kafka: KafkaConfig, count: int, deadline: float = 30.0) -> list[tuple[bytes | None, dict[str, bytes]]]:
    consumer = Consumer(kafka.client_conf(**{"group.id": f"dlq-{time.time()}", "auto.offset.reset": "earliest"}))
    consumer.subscribe([kafka.dlq_topic])
    got: list[tuple[bytes | None, dict[str, bytes]]] = []
    end = time.monotonic() + deadline
    while len(got) < count and time.monotonic() < end:
        for m in consumer.consume(100, 0.5):
            if m.error() is None:
                got.append((m.value(), message_headers(m)))
    consumer.close()
    return got


def test_bad_message_corpus_goes_to_the_dlq_and_good_ones_around_it_are_stored(
    kafka: KafkaConfig, tmp_path: Path
) -> None:
    assert len({kind for kind, _, _ in BAD_MESSAGES}) >= 30
    good = make_tweets(len(BAD_MESSAGES) + 1, seed=21)
    with TweetProducer(kafka) as producer:
        for i, (kind, value, _reason) in enumerate(BAD_MESSAGES):
            producer.send(good[i])
            producer.produce(f"bad-{i}".encode(), value, headers=[("kind", kind.encode())])
        producer.send(good[-1])
    listener = listen(kafka, tmp_path / "t.db", workers=2)
    summary = listener.summary()
    assert summary.dead == len(BAD_MESSAGES)
    assert summary.stored == len(good)
    with Store(tmp_path / "t.db") as store:
        assert store.count() == len(good)
    letters = read_dlq(kafka, len(BAD_MESSAGES))
    assert len(letters) == len(BAD_MESSAGES)
    expected = {kind: (value, reason) for kind, value, reason in BAD_MESSAGES}
    for value, headers in letters:
        kind = headers["kind"].decode()  # the original headers are kept
        original, reason = expected.pop(kind)
        assert value == original, kind  # the original bytes, untouched
        assert headers["tweetpulse.reason"].decode() == reason, kind
        assert headers["tweetpulse.error"], kind
        assert headers["tweetpulse.source.topic"] == kafka.topic.encode()
        assert int(headers["tweetpulse.source.offset"]) >= 0
    assert not expected


def test_a_worker_killed_mid_stream_loses_nothing(kafka: KafkaConfig, tmp_path: Path) -> None:
    tweets = make_tweets(6000, seed=33)
    produce(kafka, tweets[:2000])
    store = tmp_path / "t.db"
    settings = ListenerSettings(kafka=kafka, group="killed", store_path=str(store), batch_size=100)
    with Listener(settings, workers=2) as listener:
        deadline = time.monotonic() + 60
        while listener.aggregator.counters["stored"] < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        victim = listener.processes[0]
        feeder = threading.Thread(target=produce, args=(kafka, tweets[2000:]))
        feeder.start()
        os.kill(victim.pid or 0, signal.SIGKILL)  # no chance to commit or clean up
        victim.join(10)
        assert victim.exitcode == -signal.SIGKILL
        feeder.join(60)
        listener.wait(duration=120, idle_exit=12)  # > session timeout: the dead member's partitions move
        assert listener.restarts >= 1
    frame = read_frame(store)
    assert len(frame) == 6000 and frame["id"].is_unique
    assert set(frame["id"]) == {t.id for t in tweets}
    summary = listener.summary()
    # the page counts each stored tweet once; the victim's last batch, stored but not yet reported
    # when it was killed, is the most it can miss (the store, the truth, has everything)
    assert 6000 - settings.batch_size <= summary.stored <= 6000
    assert summary.consumed == summary.stored + summary.duplicates


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def run_and_signal(
    kafka: KafkaConfig, store: Path, sig: int, tmp_path: Path, expect: int
) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    summary = tmp_path / f"summary-{sig}.json"
    proc = subprocess.Popen(
        [
            TWEETPULSE,
            "listen",
            "--workers",
            "2",
            "--no-dashboard",
            "--store",
            str(store),
            "--group",
            f"sig{sig}",
            "--topic",
            kafka.topic,
            "--bootstrap-servers",
            kafka.bootstrap_servers,
            "--summary-json",
            str(summary),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own: kill_tree reaches every worker, orphaned or not
    )
    try:
        return signal_when_busy(proc, store, sig, expect)
    except BaseException:
        kill_tree(proc)
        raise


def signal_when_busy(
    proc: subprocess.Popen[str], store: Path, sig: int, expect: int
) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline:
        workers = [
            p
            for p in descendants(proc.pid)
            if "worker_main" in " ".join(p.cmdline()) or "spawn_main" in " ".join(p.cmdline())
        ]
        if len(workers) >= 2 and store.exists():
            break
        time.sleep(0.2)
    while time.monotonic() < deadline:  # signal once the workers are busy and have stored everything
        with Store(store) as s:
            if s.count() >= expect:
                break
        time.sleep(0.2)
    tree = descendants(proc.pid)
    assert len(tree) >= 2
    proc.send_signal(sig)
    proc.wait(60)
    return proc, tree


def test_sigint_and_sigterm_stop_cleanly_with_no_orphans(kafka: KafkaConfig, tmp_path: Path) -> None:
    produce(kafka, make_tweets(2000, seed=44))
    for sig in (signal.SIGINT, signal.SIGTERM):
        store = tmp_path / f"t{sig}.db"
        proc, tree = run_and_signal(kafka, store, sig, tmp_path, expect=2000)
        try:
            out = proc.stdout.read() if proc.stdout else ""
            err = proc.stderr.read() if proc.stderr else ""
            assert proc.returncode in (0, 130), err
            time.sleep(0.5)
            alive = [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
            assert not alive, f"left running after {signal.Signals(sig).name}: {alive}"
        finally:
            kill_tree(proc)  # a failed check leaves nothing behind either
        summary = json.loads((tmp_path / f"summary-{sig}.json").read_text())
        assert "consumed" in out and summary["stored"] == 2000
        with Store(store) as s:
            assert s.count() == 2000


def test_idle_exit_with_workers_that_keep_dying_is_a_failure(kafka: KafkaConfig, tmp_path: Path) -> None:
    """A store that passes the start-up check but refuses every insert: the workers die batch after
    batch. Before the fix ``--idle-exit`` ended such a run with exit code 0 and a summary line."""
    produce(kafka, make_tweets(50, seed=45))
    store = refusing_store(tmp_path / "t.db", why="the archive is read-only")
    proc = run_tree(
        [
            TWEETPULSE,
            "listen",
            "--workers",
            "2",
            "--no-dashboard",
            "--idle-exit",
            "1",
            "--store",
            str(store),
            "--group",
            "dying",
            "--topic",
            kafka.topic,
            "--bootstrap-servers",
            kafka.bootstrap_servers,
        ],
        timeout=180,
    )
    assert proc.returncode != 0, proc.stdout
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("tweetpulse listen: error: workers kept exiting"), proc.stderr
    assert "the archive is read-only" in last and "nothing of this batch was stored" in last
    with Store(store) as s:
        assert s.count() == 0
