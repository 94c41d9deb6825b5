"""tweetpulse spark without a JVM: what the Python workers do with an Arrow batch, the driver's settings,
the connector's jars, failure lines and the command's arguments."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from tests.support.bad_messages import GOOD, with_
from tweetpulse.cli import main
from tweetpulse.errors import ConfigError, InvalidRecord, StoreUnreachable
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.deadletter import Undelivered, dead_letter_headers
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.records import ScoredTweet
from tweetpulse.scorers.scoring import make_scorer, score_tweet
from tweetpulse.spark.job import SparkJob, SparkSummary, default_checkpoint, failure
from tweetpulse.spark.partitions import INPUT_COLUMNS, Counts, DeadLettersLost, KafkaRow, process_batch
from tweetpulse.spark.runtime import connector_jars
from tweetpulse.stores import TweetStore, host_local, open_store

HEADERS = pa.list_(pa.struct([("key", pa.string()), ("value", pa.binary())]))
SCHEMA = pa.schema(
    [
        ("key", pa.binary()),
        ("value", pa.binary()),
        ("topic", pa.string()),
        ("partition", pa.int32()),
        ("offset", pa.int64()),
        ("produced_ms", pa.int64()),
        ("headers", HEADERS),
    ]
)


def kafka_batch(values: list[bytes | None], produced_ms: int | None = 1_700_000_000_123) -> pa.RecordBatch:
    """A batch as the query hands it to the Python workers: values on partition 1 from offset 40."""
    rows = {
        "key": [f"k{i}".encode() for i in range(len(values))],
        "value": values,
        "topic": ["tweets"] * len(values),
        "partition": [1] * len(values),
        "offset": [40 + i for i in range(len(values))],
        "produced_ms": [produced_ms] * len(values),
        "headers": [[{"key": "tweetpulse.reason", "value": b"spoofed"}, {"key": "h", "value": None}]] * len(values),
    }
    assert tuple(rows) == INPUT_COLUMNS
    return pa.RecordBatch.from_pydict(rows, schema=SCHEMA)


class Letters:
    """A dead-letter policy that keeps what it was given (``lose``: report those partitions undelivered)."""

    def __init__(self, lose: bool = False) -> None:
        self.got: list[tuple[KafkaRow, InvalidRecord]] = []
        self.lose = lose

    def __call__(self, msg: KafkaRow, err: InvalidRecord) -> None:
        self.got.append((msg, err))

    def flush(self) -> list[Undelivered]:
        return [Undelivered(m.topic(), m.partition(), m.offset(), "refused") for m, _ in self.got] if self.lose else []

    def close(self) -> None: ...


def settings(tmp_path: Path) -> ListenerSettings:
    return ListenerSettings(kafka=KafkaConfig(topic="tweets"), store_path=str(tmp_path / "t.db"))


def test_a_batch_is_scored_stored_and_dead_lettered_by_the_listeners_rules(tmp_path: Path) -> None:
    s = settings(tmp_path)
    values = [with_(id="a", text="I love it", followers=99), None, with_(id="b", followers=None), b"{", with_(id="a")]
    letters = Letters()
    with open_store(s.store_path) as store:
        counts = process_batch(s, kafka_batch(values), store, letters)  # type: ignore[arg-type]
        assert counts == Counts(consumed=5, stored=2, duplicates=1, dead=2)
        frame = store.read_frame()
    assert [(m.offset(), e.reason) for m, e in letters.got] == [(41, "empty"), (43, "not-json")]
    row = frame.set_index("id").loc["a"]
    expected = score_tweet(make_scorer("textblob"), "I love it", 99)
    assert (row.polarity, row.weight, row.score, row.label) == (
        expected.polarity,
        expected.weight,
        expected.score,
        expected.label,
    )
    assert (row.kafka_partition, row.kafka_offset, row.produced_at.timestamp()) == (1, 40, 1_700_000_000.123)
    assert frame.set_index("id").loc["b"].weight == 1.0  # followers unknown


def test_a_dead_letter_carries_the_rows_key_value_and_renamed_headers(tmp_path: Path) -> None:
    letters = Letters()
    with open_store(settings(tmp_path).store_path) as store:
        process_batch(settings(tmp_path), kafka_batch([b"[1]"]), store, letters)  # type: ignore[arg-type]
    ((msg, err),) = letters.got
    assert (msg.key(), msg.value(), msg.topic(), msg.partition(), msg.offset()) == (b"k0", b"[1]", "tweets", 1, 40)
    headers = dict(dead_letter_headers(msg, err))  # type: ignore[arg-type]
    assert headers["original.tweetpulse.reason"] == b"spoofed" and headers["h"] is None
    assert (headers["tweetpulse.reason"], headers["tweetpulse.source.offset"]) == (b"not-object", b"40")


def test_a_batch_whose_dead_letters_are_lost_stores_nothing(tmp_path: Path) -> None:
    s = settings(tmp_path)
    with open_store(s.store_path) as store, pytest.raises(DeadLettersLost, match=r"tweets\.dlq.*tweets\[1\]@41"):
        process_batch(s, kafka_batch([orjson.dumps(GOOD), b"x"]), store, Letters(lose=True))  # type: ignore[arg-type]
    with sqlite3.connect(s.store_path) as conn:
        assert conn.execute("SELECT count(*) FROM scored_tweets").fetchone()[0] == 0


class FlakyStore:
    """A real store whose first insert finds its server gone (a PostgreSQL restart)."""

    def __init__(self, store: TweetStore) -> None:
        self.store, self.failures = store, 1

    def insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        if self.failures:
            self.failures -= 1
            raise StoreUnreachable("can't connect to the store: the server is restarting")
        return self.store.insert(tweets)


def test_a_store_that_went_away_is_waited_for_and_the_batch_stored_once(tmp_path: Path) -> None:
    s = settings(tmp_path)
    with open_store(s.store_path) as store:
        flaky = FlakyStore(store)
        counts = process_batch(s, kafka_batch([orjson.dumps(GOOD)]), flaky, Letters())  # type: ignore[arg-type]
        assert flaky.failures == 0 and counts == Counts(consumed=1, stored=1, duplicates=0, dead=0)
        assert store.count() == 1


def test_a_message_without_a_timestamp_has_no_produced_at(tmp_path: Path) -> None:
    s = settings(tmp_path)
    with open_store(s.store_path) as store:
        process_batch(s, kafka_batch([orjson.dumps(GOOD)], produced_ms=None), store, Letters())  # type: ignore[arg-type]
        assert store.read_frame()["produced_at"].isna().all()


def test_each_store_gets_its_own_default_checkpoint() -> None:
    a, b = default_checkpoint("tweets", "data/a.db"), default_checkpoint("tweets", "postgresql://u:pw@db/x")
    assert a != b and a == default_checkpoint("tweets", "data/a.db")
    assert a.startswith("data/spark/tweets-") and "pw" not in b


def test_a_sqlite_store_is_refused_on_a_cluster(tmp_path: Path) -> None:
    job = SparkJob(settings(tmp_path), "ckpt", master="spark://head:7077", conf={"spark.jars": "x.jar"})
    with pytest.raises(ConfigError, match="postgresql:// store on a cluster"):
        job.session_conf()


def test_a_postgresql_store_is_fine_on_a_cluster(tmp_path: Path) -> None:
    pg = ListenerSettings(kafka=KafkaConfig(topic="tweets"), store_path="postgresql://u@db:5432/t")
    job = SparkJob(pg, "hdfs:///ckpt", master="yarn", conf={"spark.jars": "x.jar"})
    assert job.session_conf()["spark.master"] == "yarn"
    assert host_local(tmp_path / "t.db") and host_local("sqlite:///t.db") and not host_local(pg.store_path)


def test_the_users_conf_wins_and_their_jars_replace_ours(tmp_path: Path) -> None:
    job = SparkJob(
        settings(tmp_path), "ckpt", master="local[2]", conf={"spark.jars.packages": "p", "spark.log.level": "INFO"}
    )
    conf = job.session_conf()
    assert "spark.jars" not in conf and conf["spark.log.level"] == "INFO" and conf["spark.master"] == "local[2]"


def test_the_connector_must_be_there_and_match_pyspark(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="make spark"):
        connector_jars(tmp_path, "4.2.0")
    (tmp_path / "spark-sql-kafka-0-10_2.13-4.1.0.jar").touch()
    (tmp_path / "kafka-clients-3.9.2.jar").touch()
    with pytest.raises(ConfigError, match=r"for Spark 4\.1\.0, but pyspark is 4\.2\.0"):
        connector_jars(tmp_path, "4.2.0")
    assert [j.name for j in connector_jars(tmp_path, "4.1.0")] == [
        "kafka-clients-3.9.2.jar",
        "spark-sql-kafka-0-10_2.13-4.1.0.jar",
    ]


def test_a_failed_query_is_told_in_our_errors_words() -> None:
    trace = (
        "[FOREACH_BATCH_USER_FUNCTION_ERROR] An error occurred in the user provided function\n"
        "org.apache.spark.api.python.PythonException: Traceback (most recent call last):\n"
        '  File "partitions.py", line 150, in process_batch\n'
        "tweetpulse.spark.partitions.DeadLettersLost: 2 dead letter(s) not kept by tweets.dlq\n"
        "\tat org.apache.spark.api.python.BasePythonRunner"
    )
    assert failure(trace) == "2 dead letter(s) not kept by tweets.dlq"
    assert failure("Py4JJavaError: boom\nmore").startswith("Py4JJavaError: boom (the Spark log")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--conf", "no-equals"], "expected a Spark setting as key=value"),
        (["--trigger", "0"], "expected a number above 0"),
        (["--from", "middle"], "invalid choice"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["spark", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_the_summary_adds_up_the_batches_and_writes_as_json() -> None:
    summary = SparkSummary(seconds=2.0)
    summary.add(Counts(10, 7, 1, 2))
    summary.add(Counts(4, 4, 0, 0))
    assert summary.as_dict() == {
        "consumed": 14,
        "stored": 11,
        "duplicates": 1,
        "dead": 2,
        "batches": 2,
        "seconds": 2.0,
        "rate": 7.0,
    }
    assert summary.line().startswith("consumed 14, stored 11, duplicates ignored 1, dead-lettered 2 in 2 micro-batches")
