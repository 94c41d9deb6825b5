"""Dead letters against the real broker: too large for the DLQ, refused by it, spoofed headers.

A poison message must never take the listener down, and a dead letter counts only once the
dead-letter topic acknowledged it.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from confluent_kafka import Consumer, Message, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

from tests.integration.test_listener import make_tweets
from tests.support.headers import message_headers
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.records import Tweet
from tweetpulse.stores.sqlite import SqliteStore as Store


def produce_raw(kafka: KafkaConfig, items: list[tuple[bytes, bytes, int]], **conf: object) -> None:
    """``(key, value, partition)`` to the tweets topic with a producer configured by ``conf``."""
    producer = Producer(kafka.client_conf(**{"acks": "all", **conf}))
    failures: list[str] = []
    for key, value, partition in items:
        producer.produce(
            kafka.topic,
            value,
            key,
            partition=partition,
            on_delivery=lambda err, _m: failures.append(err.str()) if err else None,
        )
        producer.poll(0)
    assert producer.flush(60) == 0 and not failures, failures


def tweet_items(tweets: list[Tweet], partition: int) -> list[tuple[bytes, bytes, int]]:
    return [(t.id.encode(), t.to_json(), partition) for t in tweets]


def read_letters(kafka: KafkaConfig, count: int, deadline: float = 30.0) -> list[Message]:
    consumer = Consumer(kafka.client_conf(**{"group.id": f"dlq-{time.time()}", "auto.offset.reset": "earliest"}))
    consumer.subscribe([kafka.dlq_topic])
    got: list[Message] = []
    end = time.monotonic() + deadline
    while len(got) < count and time.monotonic() < end:
        got += [m for m in consumer.consume(10, 0.5) if m.error() is None]
    consumer.close()
    return got


def run(kafka: KafkaConfig, store: Path, group: str, expect: int | None = None) -> Listener:
    """One worker until ``expect`` messages are handled (else until 8 s go by with nothing new)."""
    settings = ListenerSettings(kafka=kafka, group=group, store_path=str(store), batch_size=50)
    with Listener(settings, workers=1, max_messages=expect) as listener:
        listener.wait(duration=90, idle_exit=None if expect else 8)
    return listener


def committed(kafka: KafkaConfig, group: str) -> dict[int, int]:
    client = Consumer(kafka.client_conf(**{"group.id": group}))
    offsets = client.committed([TopicPartition(kafka.topic, p) for p in range(3)], timeout=10)
    client.close()
    return {tp.partition: tp.offset for tp in offsets}


def test_poison_messages_too_large_for_the_dlq_leave_a_trace_and_the_stream_goes_on(
    kafka: KafkaConfig, tmp_path: Path
) -> None:
    """A 2 MB value (compressed on the topic) and an uncompressed one just under 1 MiB: the DLQ
    producer can't send either whole. Before the fix, produce() raised MSG_SIZE_TOO_LARGE, the
    worker died before committing, reread them after every restart and the listener gave up with
    none of the good tweets around them stored."""
    good = make_tweets(300, seed=61)
    huge = b'{"id": "huge", "text": "' + b"moon " * 400_000 + b'"}'  # 2 MB of JSON, text over the cap
    near_mib = b"\xff" + os.urandom(1_040_000)  # not UTF-8, incompressible
    produce_raw(
        kafka,
        [*tweet_items(good[:100], 0), (b"huge", huge, 0), *tweet_items(good[100:200], 0)],
        **{"compression.type": "lz4", "message.max.bytes": 3_000_000},
    )
    produce_raw(
        kafka,
        [(b"near", near_mib, 1), *tweet_items(good[200:], 1)],
        **{"compression.type": "none", "message.max.bytes": 1_100_000},
    )
    listener = run(kafka, tmp_path / "t.db", "poison", expect=302)
    summary = listener.summary()
    assert listener.restarts == 0 and not summary.stopped
    assert (summary.stored, summary.dead) == (300, 2)
    with Store(tmp_path / "t.db") as store:
        assert store.count() == 300
    letters = {
        headers["tweetpulse.reason"]: (m.value() or b"", headers)
        for m in read_letters(kafka, 2)
        for headers in [message_headers(m)]
    }
    assert set(letters) == {b"text-too-long", b"not-utf8"}
    for reason, original in ((b"text-too-long", huge), (b"not-utf8", near_mib)):
        value, headers = letters[reason]
        assert int(headers["tweetpulse.truncated"]) == len(original)
        assert headers["tweetpulse.sha256"].decode() == hashlib.sha256(original).hexdigest()
        assert 100_000 < len(value) < len(original) and original.startswith(value)
    assert committed(kafka, "poison") == {0: 201, 1: 101, 2: -1001}


def limit_dlq(kafka: KafkaConfig, max_message_bytes: int) -> None:
    """Make the dead-letter topic refuse records over ``max_message_bytes`` (a topic setting on the broker)."""
    admin = AdminClient(kafka.client_conf())
    entry = ConfigEntry("max.message.bytes", str(max_message_bytes), incremental_operation=AlterConfigOpType.SET)
    resource = ConfigResource(ConfigResource.Type.TOPIC, kafka.dlq_topic, incremental_configs=[entry])
    for future in admin.incremental_alter_configs([resource]).values():
        future.result(30)


def test_a_dead_letter_the_dlq_refuses_for_size_is_sent_again_as_a_trace(kafka: KafkaConfig, tmp_path: Path) -> None:
    limit_dlq(kafka, 4000)
    bad = b"\xfe" + os.urandom(50_000)  # incompressible: the broker sees it whole
    produce_raw(kafka, [(b"bad", bad, 2), *tweet_items(make_tweets(20, seed=63), 2)])
    summary = run(kafka, tmp_path / "t.db", "trace", expect=21).summary()
    assert (summary.stored, summary.dead, summary.stopped) == (20, 1, [])
    (letter,) = read_letters(kafka, 1)
    headers = message_headers(letter)
    assert headers["tweetpulse.reason"] == b"not-utf8" and int(headers["tweetpulse.truncated"]) == 50_001
    assert 0 < len(letter.value() or b"") <= 1024 and bad.startswith(letter.value() or b"")


def test_a_dead_letter_the_dlq_refuses_stops_its_partition_and_is_not_counted(
    kafka: KafkaConfig, tmp_path: Path
) -> None:
    """The DLQ topic takes no record this large (max.message.bytes=200): every delivery report is an
    error. Before the fix flush() returned 0, the offsets were committed and the summary said
    'dead-lettered 1' for a message that was lost. Now its partition stops uncommitted, loudly, and
    the other partitions go on."""
    limit_dlq(kafka, 200)
    good = make_tweets(200, seed=62)
    produce_raw(kafka, [*tweet_items(good[:50], 0), (b"bad", b"not json", 0), *tweet_items(good[50:100], 0)])
    produce_raw(kafka, tweet_items(good[100:], 1))
    listener = run(kafka, tmp_path / "t.db", "refused")
    summary = listener.summary()
    assert summary.dead == 0 and len(summary.stopped) == 1
    assert "partition" in summary.stopped[0] and "[0] stopped at offset 50" in summary.stopped[0]
    assert listener.restarts == 0
    with Store(tmp_path / "t.db") as store:
        stored = set(store.read_frame()["id"])
    assert {t.id for t in good[100:]} <= stored  # the other partition went on
    assert not stored & {t.id for t in good[50:100]}  # nothing of partition 0 past the refused letter
    offsets = committed(kafka, "refused")
    assert offsets[1] == 100 and offsets[0] <= 50  # nothing committed past the message not kept
    assert read_letters(kafka, 1, deadline=3) == []


def test_spoofed_dead_letter_headers_are_kept_apart_from_ours(kafka: KafkaConfig, tmp_path: Path) -> None:
    producer = Producer(kafka.client_conf())
    producer.produce(
        kafka.topic,
        b"junk",
        b"k",
        partition=2,
        headers=[("tweetpulse.reason", b"all-good"), ("tweetpulse.source.offset", b"-1")],
    )
    producer.flush(30)
    run(kafka, tmp_path / "t.db", "spoof", expect=1)
    letter = read_letters(kafka, 1)[0]
    raw = letter.headers()
    assert isinstance(raw, list)  # a consumed message's headers: (name, value) pairs, repeats kept
    names = [name for name, _ in raw]
    ours = [name for name in names if name.startswith("tweetpulse.")]
    assert len(ours) == len(set(ours))  # before the fix: tweetpulse.reason twice, the forged one first
    headers = message_headers(letter)
    assert headers["tweetpulse.reason"] == b"not-json" and headers["tweetpulse.source.offset"] == b"0"
    assert headers["original.tweetpulse.reason"] == b"all-good"
