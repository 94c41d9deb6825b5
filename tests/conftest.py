"""Shared fixtures: a real Kafka broker started through kafka-setup.sh, fresh topics, tiers.

The session starts its own broker on free ports (state in a temporary folder, the jars shared
with the user's ``.kafka/libs``) so it never touches a broker on 9092, and stops it afterwards.
Set ``TWEETPULSE_TEST_BOOTSTRAP`` to run the tests against a broker you already have.

A test that needs the broker or the browser and can't have it FAILS (it never skips).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.broker import free_port
from tests.support.mongodb import fresh_database, session_mongodb
from tests.support.postgres import PostgresServer, fresh_schema, session_postgres
from tweetpulse.kafka.config import KafkaConfig

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
TIERS = ("unit", "integration", "notebook", "browser", "fault")


# -- tiers --------------------------------------------------------------------------------------
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test belongs to the tier of its folder (tests/unit → unit, ...)."""
    for item in items:
        parts = Path(str(item.fspath)).relative_to(ROOT / "tests").parts
        if parts and parts[0] in TIERS and item.get_closest_marker(parts[0]) is None:
            item.add_marker(getattr(pytest.mark, parts[0]))


_ran: Counter[str] = Counter()
_failed: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        tier = next((t for t in TIERS if t in report.keywords), "other")
        if report.outcome != "skipped":
            _ran[tier] += 1
        if report.outcome == "failed":
            _failed[tier] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    parts = [
        f"{tier} {_ran[tier]} ran ({_failed[tier]} failed)" for tier in (*TIERS, "other") if _ran[tier] or tier in TIERS
    ]
    terminalreporter.write_line("tests per tier: " + ", ".join(parts))


# -- the broker ---------------------------------------------------------------------------------
class Broker:
    def __init__(self, bootstrap: str, state_dir: Path | None, env: dict[str, str]) -> None:
        self.bootstrap = bootstrap
        self.state_dir = state_dir
        self.env = env

    def setup(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run kafka-setup.sh against this test broker."""
        return subprocess.run(
            [str(ROOT / "kafka-setup.sh"), *args], env={**self.env, **env}, capture_output=True, text=True, timeout=300
        )


def private_broker_run(what: str = "test broker") -> Iterator[Broker]:
    """Start a broker with kafka-setup.sh on free ports (its state in a temporary folder, the jars
    shared), yield it, stop it and remove its state; a broker that doesn't start fails the test."""
    state = Path(tempfile.mkdtemp(prefix="tweetpulse-kafka-"))
    port, controller = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_HOME")}
    env.update(
        KAFKA_PORT=str(port), KAFKA_CONTROLLER_PORT=str(controller), KAFKA_STATE_DIR=str(state), KAFKA_HEAP="384m"
    )
    broker = Broker(f"127.0.0.1:{port}", state, env)
    started = broker.setup("start")
    if started.returncode != 0:
        shutil.rmtree(state, ignore_errors=True)
        pytest.fail(
            f"the {what} did not start (kafka-setup.sh start exited {started.returncode}):\n"
            f"{started.stdout}\n{started.stderr}",
            pytrace=False,
        )
    try:
        yield broker
    finally:
        broker.setup("stop")
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[Broker]:
    external = os.environ.get("TWEETPULSE_TEST_BOOTSTRAP")
    if external:
        yield Broker(external, None, dict(os.environ))
        return
    yield from private_broker_run()


def fresh_tweets_topic(broker: Broker, partitions: int, prefix: str) -> Iterator[KafkaConfig]:
    """A KafkaConfig on ``broker`` with a fresh tweets topic of ``partitions`` (and its .dlq), deleted after."""
    from tests.support.broker import delete_topics
    from tweetpulse.kafka.admin import ensure_topics

    config = KafkaConfig(bootstrap_servers=broker.bootstrap, topic=f"{prefix}-{uuid.uuid4().hex[:10]}")
    ensure_topics(config, partitions=partitions)
    yield config
    delete_topics(config, [config.topic, config.dlq_topic, config.status_topic])


@pytest.fixture
def kafka(kafka_broker: Broker) -> Iterator[KafkaConfig]:
    """A KafkaConfig on the test broker with a fresh 3-partition tweets topic (and its .dlq), deleted after."""
    yield from fresh_tweets_topic(kafka_broker, 3, "tweets")


@pytest.fixture
def kafka6(kafka_broker: Broker) -> Iterator[KafkaConfig]:
    """The same with 6 partitions (as kafka-setup.sh makes the tweets topic): 3 for each of 2 workers."""
    yield from fresh_tweets_topic(kafka_broker, 6, "tweets6")


@pytest.fixture
def shared_csv() -> Path:
    path = SHARED_DATA / "twitter_validation_sample.csv"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the tests need ../shared/data beside the project", pytrace=False)
    return path


# -- PostgreSQL (scripts/postgres-setup.sh; the details are in tests/support/postgres.py) --------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL on a free port (or TWEETPULSE_TEST_POSTGRES_URL's), stopped and removed after."""
    yield from session_postgres(free_port())


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """postgresql://user:password@127.0.0.1:port/tweetpulse of the session's server."""
    return postgres_server.url


@pytest.fixture
def pg_store_url(postgres_url: str) -> Iterator[str]:
    """A store URL on the session's server whose table lives in a fresh schema, dropped after the test."""
    with fresh_schema(postgres_url) as url:
        yield url


# -- MongoDB (scripts/mongodb-setup.sh; the details are in tests/support/mongodb.py) -----------
@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    """mongodb://127.0.0.1:port/tweetpulse of the session's server (FerretDB, or TWEETPULSE_TEST_MONGODB_URL's)."""
    yield from session_mongodb(free_port())


@pytest.fixture
def mongo_store_url(mongodb_url: str) -> Iterator[str]:
    """A store URL on the session's server naming a fresh database, dropped after the test."""
    with fresh_database(mongodb_url) as url:
        yield url
