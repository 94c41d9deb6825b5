"""The streamer against the real broker: every replay format lands on the topic exactly, nothing dropped.

Each test writes a small dataset in ``tmp_path`` (broken rows included), streams it with
:func:`tweetpulse.pipeline.streamer.stream` into the fresh topic of the ``kafka`` fixture and reads the whole
topic back (its size from the partitions' watermarks, so an extra or a missing record shows). The
expected records are worked out here from the file itself (ids, text, followers, keywords, times),
not by running the replay module again.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

import tweetpulse.kafka.producer as producer_module
from tests.support.replay_files import kaggle_bitcoin_csv
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.pipeline.pacing import Pacer
from tweetpulse.pipeline.streamer import StreamSummary, stream
from tweetpulse.records import SCHEMA_VERSION, Tweet
from tweetpulse.sources.replay import ReplaySource
from tweetpulse.sources.sample import SampleSource

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MATCH = KeywordMatcher().match  # the default groups: bitcoin, ethereum, dogecoin

_NOT_READY = (
    KafkaError.NOT_LEADER_FOR_PARTITION,
    KafkaError.LEADER_NOT_AVAILABLE,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
    KafkaError._UNKNOWN_PARTITION,
)


# -- reading the topic back ---------------------------------------------------------------------
@dataclass
class Record:
    key: str
    value: dict[str, Any]
    partition: int


def topic_size(kafka: KafkaConfig, topic: str | None = None, timeout: float = 10.0) -> int:
    """Messages on the topic: the sum of its partitions' watermark spans.

    A topic created moments ago may not have its partition leaders yet: those answers are retried.
    """
    topic = topic or kafka.topic
    probe = Consumer(kafka.client_conf(**{"group.id": f"probe-{uuid.uuid4().hex}", "enable.auto.commit": False}))
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                meta = probe.list_topics(topic, timeout=timeout)
                total = 0
                for p in meta.topics[topic].partitions:
                    low, high = probe.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)
                    total += high - low
                return total
            except KafkaException as exc:
                if exc.args[0].code() not in _NOT_READY or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        probe.close()


def read_topic(
    kafka: KafkaConfig, expected: int | None = None, topic: str | None = None, timeout: float = 30.0
) -> list[Record]:
    """Every record on the topic, from the beginning of each partition.

    The count comes from the watermarks (``expected``, when given, must equal it), then messages
    are consumed until there are that many or ``timeout`` passes.
    """
    topic = topic or kafka.topic
    total = topic_size(kafka, topic)
    if expected is not None:
        assert total == expected, f"{topic} holds {total} messages, expected {expected}"
    consumer = Consumer(
        kafka.client_conf(
            **{
                "group.id": f"it-{uuid.uuid4().hex}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
    )
    records: list[Record] = []
    try:
        meta = consumer.list_topics(topic, timeout=10)
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(meta.topics[topic].partitions)])
        deadline = time.monotonic() + timeout
        while len(records) < total and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            err = msg.error()
            if err is not None:
                assert err.code() == KafkaError._PARTITION_EOF, err.str()
                continue
            key, value = msg.key(), msg.value()
            assert key is not None and value is not None
            records.append(Record(key.decode("utf-8"), orjson.loads(value), int(msg.partition() or 0)))
    finally:
        consumer.close()
    assert len(records) == total, f"read {len(records)} of the {total} messages on {topic} within {timeout}s"
    return records


def by_id(records: list[Record]) -> dict[str, dict[str, Any]]:
    """The records keyed by id; every key is the record's id and appears once."""
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        assert record.key == record.value["id"], f"key {record.key!r} != id {record.value['id']!r}"
        assert record.key not in out, f"{record.key} is on the topic twice"
        out[record.key] = record.value
    return out


def record(
    tweet_id: str,
    text: str,
    source: str,
    *,
    created_at: str | None = None,
    author: str | None = None,
    author_id: str | None = None,
    followers: int | None = None,
    lang: str | None = None,
    keywords: list[str] | None = None,
) -> dict[str, Any]:
    """The wire form of the record the streamer should produce (keywords default to the text's)."""
    return {
        "v": SCHEMA_VERSION,
        "id": tweet_id,
        "text": text,
        "created_at": created_at,
        "author": author,
        "author_id": author_id,
        "followers": followers,
        "lang": lang,
        "keywords": MATCH(text) if keywords is None else keywords,
        "source": source,
    }


class Window:
    """The wall-clock span of a run: replay-time stamps must fall inside it."""

    def __init__(self) -> None:
        self.start = datetime.now(UTC).replace(microsecond=0)  # stamps keep milliseconds only
        self.end = self.start

    def close(self) -> None:
        self.end = datetime.now(UTC)

    def check(self, stamp: object) -> None:
        assert isinstance(stamp, str) and ISO_MS.match(stamp), f"not a replay-time stamp: {stamp!r}"
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert self.start <= moment <= self.end, f"{stamp} is outside the run ({self.start} .. {self.end})"


def assert_records(got: dict[str, dict[str, Any]], expected: list[dict[str, Any]], window: Window) -> None:
    """``got`` holds exactly ``expected``; a ``created_at`` of None there means "the replay time"."""
    assert sorted(got) == sorted(r["id"] for r in expected)
    for want in expected:
        have = dict(got[want["id"]])
        if want["created_at"] is None:
            window.check(have.pop("created_at"))
            want = {k: v for k, v in want.items() if k != "created_at"}
        assert have == want


def replay_exactly(
    kafka: KafkaConfig,
    path: Path,
    fmt: str,
    expected: list[dict[str, Any]],
    skipped_at: list[int],
    *,
    named: bool = False,
) -> tuple[StreamSummary, ReplaySource, dict[str, dict[str, Any]]]:
    """Stream the dataset at ``path`` (its format detected, or ``fmt`` named when ``named``) and check the run:
    the format is ``fmt``, the topic holds exactly ``expected`` and the rows starting on the lines ``skipped_at``,
    and only those, were skipped. The summary, the source and the records read back, for further checks."""
    window = Window()
    source = ReplaySource(path, fmt if named else None)
    summary = stream(source, kafka, progress=False)
    window.close()
    got = by_id(read_topic(kafka))
    assert source.format == fmt
    assert_records(got, expected, window)
    assert_clean(summary, len(expected), skipped=len(skipped_at))
    assert skipped_lines(source) == skipped_at
    return summary, source, got


def assert_clean(summary: StreamSummary, n: int, skipped: int) -> None:
    assert (summary.read, summary.produced, summary.delivered, summary.failed) == (n, n, n, 0)
    assert summary.skipped == skipped and not summary.interrupted


def skipped_lines(source: ReplaySource) -> list[int]:
    return [line for line, _ in source.skipped.examples]


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def jsonl(*objects: object) -> bytes:
    return b"".join(obj if isinstance(obj, bytes) else orjson.dumps(obj) + b"\n" for obj in objects)


# -- kaggle-entity ------------------------------------------------------------------------------
def test_shared_kaggle_csv_lands_exactly(kafka: KafkaConfig, shared_csv: Path) -> None:
    # the expected records, from the csv module: id = "<tweet id>-<line the row starts on>"
    expected = []
    with shared_csv.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        end = 0
        for row in reader:
            start, end = end + 1, reader.line_num
            tweet_id, _entity, _sentiment, text = row
            expected.append(record(f"{tweet_id}-{start}", text, "replay:kaggle-entity"))
    assert len(expected) == 500 and end > 500  # some texts span lines: line numbers matter

    _, _, got = replay_exactly(kafka, shared_csv, "kaggle-entity", expected, skipped_at=[])

    assert sum("bitcoin" in r["keywords"] for r in got.values()) > 0


def test_kaggle_entity_with_broken_rows(kafka: KafkaConfig, tmp_path: Path) -> None:
    long_text = "btc " * 2600  # 10,400 characters: over the record's 10,000 cap
    data = (
        b'2401,Borderlands,Positive,"im getting on borderlands, and i will murder you all"\n'  # 1
        b"2401,Bitcoin,Positive,I am coming for the $BTC \xf0\x9f\x9a\x80\n"  # 2: same tweet id, other row
        b"2402,Bitcoin,Negative,too,many,columns\n"  # 3
        b'2403,Ethereum,Neutral,"a text over\n'  # 4
        b'two lines about ""ETH"""\n'  # 5
        b"2404,Bitcoin,Neutral,\n"  # 6: no text
        b"2405,Bitcoin,Neutral,caf\xe9 is latin-1 not utf-8\n"  # 7
        b"\n"  # 8: blank, ignored
        b"2406,Dogecoin,Positive,DOGE to the moon\r\n"  # 9
        b"only-one-column\n"  # 10
        b"2407,Bitcoin,Neutral,   \n"  # 11: only spaces
        + f"2408,Bitcoin,Positive,{long_text}\n".encode()  # 12: too long
        + b"2409,Bitcoin,Negative,bitcoin and dogecoin both down\n"  # 13
    )
    path = write(tmp_path / "entity.csv", data)
    src = "replay:kaggle-entity"
    expected = [
        record("2401-1", "im getting on borderlands, and i will murder you all", src, keywords=[]),
        record("2401-2", "I am coming for the $BTC \U0001f680", src, keywords=["bitcoin"]),
        record("2403-4", 'a text over\ntwo lines about "ETH"', src, keywords=["ethereum"]),
        record("2406-9", "DOGE to the moon", src, keywords=["dogecoin"]),
        record("2409-13", "bitcoin and dogecoin both down", src, keywords=["bitcoin", "dogecoin"]),
    ]

    summary, source, _ = replay_exactly(kafka, path, "kaggle-entity", expected, skipped_at=[3, 6, 7, 10, 11, 12])

    reasons = dict(source.skipped.examples)
    assert reasons[3] == "expected 4 columns (id, entity, sentiment, text), got 6"
    assert reasons[6] == reasons[11] == "no text"
    assert reasons[7] == "not UTF-8"
    assert reasons[12] == "text has 10400 characters, cap is 10000"
    assert summary.skipped_report.startswith("6 row(s) skipped in replay:kaggle-entity: line 3 (expected 4 columns")


# -- kaggle-bitcoin -----------------------------------------------------------------------------
def bitcoin_id(author: str, date: str, text: str, line: int) -> str:
    digest = hashlib.blake2b(f"{author}\x1f{date}\x1f{text}".encode(), digest_size=8).hexdigest()
    return f"{digest}-{line}"


def bitcoin_record(line: int, author: str, date: str, text: str, **fields: Any) -> dict[str, Any]:
    """What the kaggle-bitcoin row on ``line`` should become (its id from its content and line)."""
    return record(bitcoin_id(author, date, text, line), text, "replay:kaggle-bitcoin", author=author, **fields)


def test_kaggle_bitcoin_with_broken_rows(kafka: KafkaConfig, tmp_path: Path) -> None:
    path = write(tmp_path / "Bitcoin_tweets.csv", kaggle_bitcoin_csv(erin_followers="-5"))
    alice: dict[str, Any] = {"created_at": "2021-02-10T23:59:04Z", "followers": 8534, "keywords": ["bitcoin"]}
    bob: dict[str, Any] = {"created_at": "2021-02-10T23:58:48Z", "followers": 12, "keywords": ["ethereum"]}
    erin: dict[str, Any] = {"created_at": "2021-02-11T00:02:03Z", "followers": None, "keywords": ["bitcoin"]}
    expected = [
        bitcoin_record(2, "alice", "2021-02-10 23:59:04", "Buying more #Bitcoin", **alice),
        bitcoin_record(3, "bob", "2021-02-10 23:58:48", "multi\nline $eth", **bob),
        bitcoin_record(6, "dave", "not a date", "doge", keywords=["dogecoin"]),
        bitcoin_record(7, "erin", "2021-02-11T01:02:03+01:00", "btc", **erin),
        # the same row again on line 9: the same digest, another line, so another record
        bitcoin_record(9, "alice", "2021-02-10 23:59:04", "Buying more #Bitcoin", **alice),
    ]

    _, source, _ = replay_exactly(kafka, path, "kaggle-bitcoin", expected, skipped_at=[5, 8])

    assert source.skipped.examples[0][1] == "expected 13 columns, got 5"
    assert source.skipped.examples[1][1] == "no text"


# -- x-v2-jsonl ---------------------------------------------------------------------------------
def v2_message(tweet_id: str, text: str, tags: list[str] | None = None, followers: int = 42) -> dict[str, Any]:
    message: dict[str, Any] = {
        "data": {
            "id": tweet_id,
            "text": text,
            "author_id": "9",
            "lang": "en",
            "created_at": "2024-03-05T14:00:01.000Z",
            "edit_history_tweet_ids": [tweet_id],
        },
        "includes": {
            "users": [
                {"id": "8", "username": "other"},
                {"id": "9", "username": "satoshi", "public_metrics": {"followers_count": followers}},
            ]
        },
    }
    if tags is not None:
        message["matching_rules"] = [{"id": str(1000 + i), "tag": tag} for i, tag in enumerate(tags)]
    return message


def test_x_v2_jsonl_with_broken_lines(kafka: KafkaConfig, tmp_path: Path) -> None:
    page = {
        "data": [
            {"id": "201", "text": "bitcoin page", "author_id": "9", "created_at": "2024-03-05T15:00:00.000Z"},
            {"id": "202", "author_id": "9"},  # no text
            {"id": "203", "text": "dogecoin page", "author_id": "8"},
        ],
        "includes": {
            "users": [
                {"id": "9", "username": "a", "public_metrics": {"followers_count": 5}},
                {"id": "8", "username": "b", "public_metrics": {"followers_count": 0}},
            ]
        },
        "meta": {"result_count": 3, "newest_id": "203", "oldest_id": "201"},
    }
    data = jsonl(
        v2_message("101", "BTC is up", tags=["bitcoin"], followers=1200),  # 1
        b"\r\n",  # 2: keep-alive
        v2_message("102", "ETH and DOGE", tags=["Dogecoin", "not-a-group"]),  # 3: keywords from the tag
        v2_message("103", "ETH and DOGE", tags=["crypto rule"], followers=0),  # 4: keywords from the text
        b"{not json\n",  # 5
        {"errors": [{"title": "operational-disconnect", "disconnect_type": "OperationalDisconnect"}]},  # 6
        {"data": {"id": "107", "author_id": "9"}},  # 7: no text
        b"\n",  # 8
        {"data": {"id": "109", "text": "no user for this one $eth"}},  # 9
        page,  # 10: a search page, one bad item
        {"meta": {"result_count": 0}},  # 11: an empty page, not a problem
        b"[1, 2]\n",  # 12
    )
    path = write(tmp_path / "recorded.jsonl", data)
    src, when, paged = "replay:x-v2-jsonl", "2024-03-05T14:00:01.000Z", "2024-03-05T15:00:00.000Z"
    sat: dict[str, Any] = {"author": "satoshi", "author_id": "9", "lang": "en", "created_at": when}
    expected = [
        record("101", "BTC is up", src, followers=1200, keywords=["bitcoin"], **sat),
        record("102", "ETH and DOGE", src, followers=42, keywords=["dogecoin"], **sat),
        record("103", "ETH and DOGE", src, followers=0, keywords=["ethereum", "dogecoin"], **sat),
        record("109", "no user for this one $eth", src, keywords=["ethereum"]),
        record(
            "201", "bitcoin page", src, author="a", author_id="9", followers=5, keywords=["bitcoin"], created_at=paged
        ),
        record("203", "dogecoin page", src, author="b", author_id="8", followers=0, keywords=["dogecoin"]),
    ]

    _, source, _ = replay_exactly(kafka, path, "x-v2-jsonl", expected, skipped_at=[5, 6, 7, 10, 12])

    reasons = dict(source.skipped.examples)
    assert reasons[5].startswith("bad JSON")
    assert reasons[6] == "an API error message, not a tweet"
    assert reasons[7] == reasons[10] == "no text"
    assert reasons[12] == "not a JSON object (list)"


# -- x-v1-jsonl ---------------------------------------------------------------------------------
def test_x_v1_jsonl_with_broken_lines(kafka: KafkaConfig, tmp_path: Path) -> None:
    user = {"id_str": "77", "screen_name": "hodler", "followers_count": 1234}
    data = jsonl(
        # 1
        {
            "id_str": "1",
            "text": "short btc…",
            "truncated": True,
            "user": user,
            "lang": "en",
            "created_at": "Wed Oct 10 20:19:24 +0000 2018",
            "extended_tweet": {"full_text": "short btc and the rest $ETH"},
        },
        {"id": 2, "id_str": "2", "full_text": "full text doge", "text": "ignored", "user": user},  # 2
        {"delete": {"status": {"id_str": "1", "user_id_str": "77"}}},  # 3: control message, ignored
        {"limit": {"track": 12}},  # 4: control message, ignored
        {"text": "no id", "user": user},  # 5
        # 6
        {
            "id": 6,
            "text": "int id btc",
            "user": {"id": 78, "followers_count": "9"},
            "created_at": "Thu Oct 11 01:00:00 +0200 2018",
        },
        {"id_str": "7", "user": user},  # 7: no text
        b'{"id_str": "8", "text": \n',  # 8: cut short
        {"id_str": "9", "text": "no user at all, just ether"},  # 9
    )
    path = write(tmp_path / "statuses.jsonl", data)
    src = "replay:x-v1-jsonl"
    hodler: dict[str, Any] = {"author": "hodler", "author_id": "77", "followers": 1234}
    expected = [
        record(
            "1",
            "short btc and the rest $ETH",
            src,
            created_at="2018-10-10T20:19:24Z",
            lang="en",
            keywords=["bitcoin", "ethereum"],
            **hodler,
        ),
        record("2", "full text doge", src, keywords=["dogecoin"], **hodler),
        record(
            "6",
            "int id btc",
            src,
            created_at="2018-10-10T23:00:00Z",
            author_id="78",
            followers=9,
            keywords=["bitcoin"],
        ),
        record("9", "no user at all, just ether", src, keywords=["ethereum"]),
    ]

    _, source, _ = replay_exactly(kafka, path, "x-v1-jsonl", expected, skipped_at=[5, 7, 8])

    reasons = dict(source.skipped.examples)
    assert reasons[5] == "no id_str" and reasons[7] == "no text" and reasons[8].startswith("bad JSON")


# -- jsonl --------------------------------------------------------------------------------------
def test_jsonl_records_with_broken_lines(kafka: KafkaConfig, tmp_path: Path) -> None:
    when = "2024-01-01T00:00:00.000Z"
    kept: dict[str, Any] = {"created_at": when, "author": "x", "author_id": "5", "followers": 3, "lang": "en"}
    good = Tweet(id="a1", text="btc!", keywords=["stale"], source="elsewhere", **kept)
    data = jsonl(
        good.to_dict(),  # 1
        {"id": "a2", "text": "ETH", "followers": 0},  # 2: no created_at -> the replay time
        {"id": "a3"},  # 3: no text
        [1, 2, 3],  # 4
        b"\xff\xfe not utf-8\n",  # 5
        {"id": "a6", "text": "doge", "followers": -1},  # 6
        {"v": 2, "id": "a7", "text": "x"},  # 7
        {"id": 8, "text": "int id"},  # 8
        {"id": "a9", "text": "doge and $eth", "keywords": None, "source": None},  # 9
    )
    path = write(tmp_path / "records.jsonl", data)
    src = "replay:jsonl"
    expected = [
        # keywords are matched again (custom groups apply) and the source is the replay's
        record("a1", "btc!", src, keywords=["bitcoin"], **kept),
        record("a2", "ETH", src, followers=0, keywords=["ethereum"]),
        record("a9", "doge and $eth", src, keywords=["ethereum", "dogecoin"]),
    ]

    _, source, _ = replay_exactly(kafka, path, "jsonl", expected, skipped_at=[3, 4, 5, 6, 7, 8])

    reasons = dict(source.skipped.examples)
    assert reasons[3].startswith("missing-text") and reasons[4] == "not a JSON object (list)"
    assert reasons[5] == "not UTF-8" and reasons[6].startswith("bad-followers")
    assert reasons[7].startswith("unknown-version") and reasons[8].startswith("bad-id")


# -- gzip ---------------------------------------------------------------------------------------
def test_gzipped_dataset(kafka: KafkaConfig, tmp_path: Path) -> None:
    lines = [orjson.dumps({"id": f"g{i}", "text": f"btc tick {i}", "followers": i}) + b"\n" for i in range(300)]
    lines[150] = b'{"id": "broken",\n'
    path = write(tmp_path / "records.jsonl.gz", gzip.compress(b"".join(lines)))
    expected = [
        record(f"g{i}", f"btc tick {i}", "replay:jsonl", followers=i, keywords=["bitcoin"])
        for i in range(300)
        if i != 150
    ]

    replay_exactly(kafka, path, "jsonl", expected, skipped_at=[151])


def test_gzipped_entity_csv_with_a_named_format(kafka: KafkaConfig, tmp_path: Path) -> None:
    path = write(tmp_path / "entity.bin", gzip.compress(b"1,e,s,btc\n2,e,s\n3,e,s,eth\n"))
    expected = [record("1-1", "btc", "replay:kaggle-entity"), record("3-3", "eth", "replay:kaggle-entity")]

    replay_exactly(kafka, path, "kaggle-entity", expected, skipped_at=[2], named=True)


# -- the producer under pressure ----------------------------------------------------------------
class CountingProducer(Producer):
    """confluent-kafka's Producer, counting the BufferErrors its produce() raises."""

    buffer_errors = 0

    def produce(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().produce(*args, **kwargs)
        except BufferError:
            CountingProducer.buffer_errors += 1
            raise


def test_a_full_local_queue_drops_nothing(kafka: KafkaConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(producer_module, "Producer", CountingProducer)
    CountingProducer.buffer_errors = 0
    n = 1200
    expected_ids = [t.id for t in Pacer(limit=n).pace(SampleSource())]

    tiny_queue: dict[str, Any] = {"queue.buffering.max.messages": 10, "linger.ms": 5}
    summary = stream(SampleSource(), kafka, Pacer(limit=n), progress=False, **tiny_queue)

    assert CountingProducer.buffer_errors > 0  # the queue of 10 really was full, again and again
    assert_clean(summary, n, skipped=0)
    got = by_id(read_topic(kafka, expected=n))
    assert sorted(got) == sorted(expected_ids)
    assert all(r["source"] == "sample" for r in got.values())


def test_progress_callback_sees_deliveries(kafka: KafkaConfig) -> None:
    seen: list[tuple[int, int, int]] = []
    n = 5000  # the whole bundled sample

    summary = stream(
        SampleSource(), kafka, progress=False, on_progress=lambda s: seen.append((s.read, s.produced, s.delivered))
    )

    assert_clean(summary, n, skipped=0)
    assert [read for read, _, _ in seen[:-1]] == [1024, 2048, 3072, 4096]
    assert seen[-1] == (n, n, n)
    assert all(delivered <= produced <= read for read, produced, delivered in seen)
    assert topic_size(kafka) == n
