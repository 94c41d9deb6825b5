"""``tweetpulse spark`` against the real broker with a real Spark (``local[2]``): the listener's results,
its dead letters, and each tweet exactly once across a SIGKILLed driver and restarts."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pandas as pd
import psutil
import pytest
from confluent_kafka import Message

from tests.integration.test_dead_letters import limit_dlq, produce_raw, read_letters, tweet_items
from tests.integration.test_dead_letters import run as listen
from tests.integration.test_listener import make_tweets, produce
from tests.support.bad_messages import BAD_MESSAGES
from tests.support.headers import message_headers
from tests.support.spark import require_spark, run_spark, start_spark, wait_for
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.stores import read_frame

pytestmark = pytest.mark.spark

SPOOFED: list[tuple[str, str | bytes | None]] = [
    ("tweetpulse.reason", b"spoofed"),
    ("trace-id", b"abc"),
]  # a producer's own headers on a bad message


@pytest.fixture(autouse=True)
def _spark() -> None:
    require_spark()


def stored(path: Path) -> pd.DataFrame:
    """Every stored row but ``scored_at`` (when it was scored), by id."""
    return read_frame(path).drop(columns=["scored_at"]).sort_values("id").reset_index(drop=True)


def letter_key(m: Message) -> tuple[bytes, bytes]:
    h = message_headers(m)
    return h["tweetpulse.source.partition"], h["tweetpulse.source.offset"]


def produce_bad(kafka: KafkaConfig) -> None:
    from confluent_kafka import Producer

    producer = Producer(kafka.client_conf(**{"acks": "all", "message.max.bytes": 3_000_000}))
    for i, (_kind, value, _reason) in enumerate(BAD_MESSAGES):
        producer.produce(kafka.topic, value, f"bad-{i}".encode(), partition=i % 3, headers=SPOOFED)
    assert producer.flush(60) == 0


def test_spark_stores_what_listen_stores_and_dead_letters_the_rest_with_the_same_headers(
    kafka: KafkaConfig, tmp_path: Path
) -> None:
    good = make_tweets(600, seed=21)
    produce_raw(kafka, tweet_items(good[:1], 0))
    produce(kafka, good[1:300])
    produce_bad(kafka)
    # a redelivered tweet, later on the same partition: stored once, the first copy (as listen keeps it)
    produce_raw(kafka, tweet_items(good[:1], 0))
    produce(kafka, good[300:])

    n_bad = len(BAD_MESSAGES)
    listened = listen(kafka, tmp_path / "listen.db", "listen", expect=len(good) + 1 + n_bad).summary()
    assert (listened.stored, listened.dead) == (len(good), n_bad)
    summary = run_spark(kafka, str(tmp_path / "spark.db"), tmp_path / "ckpt", tmp_path / "out")

    assert (summary["consumed"], summary["stored"], summary["duplicates"], summary["dead"]) == (
        len(good) + 1 + n_bad,
        len(good),
        1,
        n_bad,
    )
    spark_rows, listen_rows = stored(tmp_path / "spark.db"), stored(tmp_path / "listen.db")
    assert list(spark_rows["id"]) == sorted(t.id for t in good)
    # every column the listener stores (scores, Kafka partition and offset, produced_at, scorer), but scored_at
    pd.testing.assert_frame_equal(spark_rows, listen_rows)

    # both runs dead-lettered every bad message: the same value, key and headers, reason by reason
    letters = read_letters(kafka, 2 * n_bad)
    assert len(letters) == 2 * n_bad
    by_source: dict[tuple[bytes, bytes], list[Message]] = {}
    for m in letters:
        by_source.setdefault(letter_key(m), []).append(m)
    assert len(by_source) == n_bad and all(len(pair) == 2 for pair in by_source.values())
    for first, second in by_source.values():
        assert (first.key(), first.value(), first.headers()) == (second.key(), second.value(), second.headers())
    reasons = sorted(message_headers(m)["tweetpulse.reason"].decode() for m in letters)
    assert reasons == sorted(reason for _k, _v, reason in BAD_MESSAGES for _ in range(2))
    for m in letters:
        h = message_headers(m)
        assert h["original.tweetpulse.reason"] == b"spoofed" and h["trace-id"] == b"abc"

    # a restart on the same checkpoint with nothing new reads nothing and stores nothing
    again = run_spark(kafka, str(tmp_path / "spark.db"), tmp_path / "ckpt", tmp_path / "out")
    assert (again["consumed"], again["stored"], again["dead"]) == (0, 0, 0)
    assert len(stored(tmp_path / "spark.db")) == len(good)
    assert len(read_letters(kafka, 2 * n_bad + 1, deadline=5)) == 2 * n_bad


def test_a_dead_letter_the_dlq_refuses_stops_the_query_uncommitted_and_a_restart_loses_nothing(
    kafka: KafkaConfig, tmp_path: Path
) -> None:
    limit_dlq(kafka, 200)  # the dead-letter topic refuses every letter (even the 1 KB trace)
    good = make_tweets(200, seed=23)
    produce_raw(kafka, [*tweet_items(good[:50], 0), (b"bad", b"not json", 0), *tweet_items(good[50:100], 0)])
    produce_raw(kafka, tweet_items(good[100:], 1))
    db, checkpoint, out = tmp_path / "spark.db", tmp_path / "ckpt", tmp_path / "out"

    failed = start_spark(kafka, str(db), checkpoint, out, "--idle-exit", "3")
    code, _ = failed.wait()
    errors = [line for line in failed.log().splitlines() if line.startswith("tweetpulse spark: error:")]
    assert code == 2 and len(errors) == 1, failed.log()[-4000:]
    assert f"not kept by {kafka.dlq_topic}" in errors[0] and f"{kafka.topic}[0]@50" in errors[0]
    assert not set(stored(db)["id"]) & {t.id for t in good[:100]}  # nothing of partition 0 was stored

    limit_dlq(kafka, 1_000_000)  # the topic fixed: the same batch again, nothing lost, nothing twice
    summary = run_spark(kafka, str(db), checkpoint, out)
    assert (summary["stored"] + summary["duplicates"], summary["dead"]) == (200, 1)
    assert sorted(stored(db)["id"]) == sorted(t.id for t in good)
    (letter,) = read_letters(kafka, 1)
    assert message_headers(letter)["tweetpulse.reason"] == b"not-json"


def count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM scored_tweets").fetchone()[0])
    except sqlite3.OperationalError:  # the table isn't there yet
        return 0


def test_a_sigkilled_driver_restarted_on_its_checkpoint_stores_each_tweet_exactly_once(
    kafka: KafkaConfig, tmp_path: Path
) -> None:
    tweets = make_tweets(20_000, seed=22)
    produce(kafka, tweets)
    db, checkpoint, out = tmp_path / "spark.db", tmp_path / "ckpt", tmp_path / "out"

    first = start_spark(kafka, str(db), checkpoint, out, "--max-offsets-per-trigger", "1500")
    wait_for(lambda: count(db) >= 3000 or first.process.poll() is not None, 300, "the first micro-batches")
    assert first.process.poll() is None, first.log()[-4000:]
    first.kill()
    before = count(db)
    assert 0 < before < len(tweets), "the driver was not killed mid-run"

    summary = run_spark(kafka, str(db), checkpoint, out)
    assert count(db) == len(tweets)
    with sqlite3.connect(db) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM scored_tweets")]
    assert sorted(ids) == sorted(t.id for t in tweets)
    # the restart read on from the checkpoint (not from the start) and stored exactly what was missing;
    # what the killed batch had already stored came again and was ignored
    assert summary["stored"] == len(tweets) - before
    assert summary["consumed"] == summary["stored"] + summary["duplicates"] < len(tweets)


def test_spark_writes_a_postgresql_store_with_the_listeners_values(
    kafka: KafkaConfig, tmp_path: Path, pg_store_url: str
) -> None:
    good = make_tweets(300, seed=24)
    produce(kafka, good)
    produce_raw(kafka, [(b"bad", b"[]", 0)])
    listened = listen(kafka, tmp_path / "listen.db", "listen", expect=len(good) + 1).summary()
    assert (listened.stored, listened.dead) == (len(good), 1)

    summary = run_spark(kafka, pg_store_url, tmp_path / "ckpt", tmp_path / "out")
    assert (summary["stored"], summary["duplicates"], summary["dead"]) == (len(good), 0, 1)
    spark_rows = read_frame(pg_store_url).drop(columns=["scored_at"]).sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(spark_rows, stored(tmp_path / "listen.db"), check_dtype=False)


def test_sigterm_stops_the_query_and_spark_cleanly_with_the_summary(kafka: KafkaConfig, tmp_path: Path) -> None:
    good = make_tweets(100, seed=25)
    produce(kafka, good)
    db = tmp_path / "spark.db"
    running = start_spark(kafka, str(db), tmp_path / "ckpt", tmp_path / "out")
    wait_for(lambda: count(db) == len(good) or running.process.poll() is not None, 300, "every tweet stored")
    assert running.process.poll() is None, running.log()[-4000:]  # it stopped before it was told to
    children = psutil.Process(running.process.pid).children(recursive=True)
    running.process.send_signal(signal.SIGTERM)
    code, summary = running.wait(120)
    assert code == 0, running.log()[-4000:]
    assert (summary["stored"], summary["dead"]) == (len(good), 0)
    assert "Traceback" not in running.log()
    _, alive = psutil.wait_procs(children, timeout=60)
    assert not alive  # the JVM and the Python workers went with it
