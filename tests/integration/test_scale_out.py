"""Several hosts, simulated honestly: two ``tweetpulse listen`` process trees (each its own supervisor
and workers, as on two hosts) in one consumer group write one PostgreSQL (or MongoDB) store; one whole listener is
SIGKILLed mid-run and started again. Every tweet ends up stored exactly once, and a standalone page
that followed the store all along shows the store's totals."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from tests.integration.test_listener import make_tweets, produce
from tests.support.processes import kill_tree
from tweetpulse.dashboard.standalone import StoreFollower
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.live.aggregates import COUNT, NEG, NEU, OVERALL, POLARITY, POS, SCORE, Aggregator
from tweetpulse.stores import open_store, read_frame

TWEETPULSE = str(Path(sys.executable).parent / "tweetpulse")
TWEETS = 40_000
WORKERS = 2  # per listener


class Host:
    """One listener host: ``tweetpulse listen`` in a process group of its own (its workers with it)."""

    def __init__(self, name: str, kafka: KafkaConfig, store: str, group: str, folder: Path) -> None:
        self.name = name
        self.summary = folder / f"{name}.json"
        self.log = (folder / f"{name}.log").open("w")
        self.proc = subprocess.Popen(
            [TWEETPULSE, "listen", "--workers", str(WORKERS), "--no-dashboard", "--store", store, "--group", group,
             "--topic", kafka.topic, "--bootstrap-servers", kafka.bootstrap_servers,
             "--summary-json", str(self.summary)],
            stdout=self.log, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the whole tree at once: no batch finished, nothing committed, nothing cleaned up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(30) == -signal.SIGKILL

    def stop(self) -> dict[str, float]:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(60)
        self.log.close()
        output = Path(self.log.name).read_text()
        assert code == 0, f"{self.name} exited {code}:\n{output}"
        summary: dict[str, float] = json.loads(self.summary.read_text())
        return summary


@contextlib.contextmanager
def hosts_killed_at_the_end(hosts: list[Host]) -> Iterator[None]:
    """Whatever happens in the block (a failed wait, a timeout), no listener tree outlives it."""
    try:
        yield
    finally:
        for host in hosts:
            kill_tree(host.proc)


def members(kafka: KafkaConfig, group: str) -> int:
    admin = AdminClient(kafka.client_conf())
    try:
        description = admin.describe_consumer_groups([group])[group].result(timeout=10)
    except KafkaException:  # no such group yet (its coordinator is not known)
        return 0
    return len(description.members)


def wait_for(what: str, check: Callable[[], bool], timeout: float, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}", pytrace=False)
        time.sleep(step)


def store_totals(url: str) -> dict[str, list[float]]:
    """Per keyword group (and overall): count, sum of score, sum of polarity, positives, negatives, neutrals."""
    frame = read_frame(url)

    def sums(rows: pd.DataFrame) -> list[float]:
        labels = rows["label"].value_counts()
        counts = [float(labels.get(label, 0)) for label in ("positive", "negative", "neutral")]
        return [float(len(rows)), float(rows["score"].sum()), float(rows["polarity"].sum()), *counts]

    groups = {g for keywords in frame["keywords"] for g in keywords}
    return {
        OVERALL: sums(frame),
        **{g: sums(frame[frame["keywords"].map(lambda k, g=g: g in k)]) for g in groups},
    }


@pytest.mark.parametrize("backend", ["postgresql", "mongodb"])
def test_two_listener_hosts_one_killed_and_restarted_store_every_tweet_once(
    kafka6: KafkaConfig, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    store_url: str = request.getfixturevalue("pg_store_url" if backend == "postgresql" else "mongo_store_url")
    tweets = make_tweets(TWEETS, seed=14)
    group = f"hosts-{uuid.uuid4().hex[:6]}"
    with open_store(store_url) as store:  # what `make postgres` + the first listener would have made
        store.open()
    page = StoreFollower(store_url, Aggregator(window_seconds=3600), poll=0.2)
    hosts: list[Host] = []
    with page, open_store(store_url, create=False) as store, hosts_killed_at_the_end(hosts):
        hosts += [Host(name, kafka6, store_url, group, tmp_path) for name in ("a", "b")]
        wait_for("both hosts' workers in the group", lambda: members(kafka6, group) == 2 * WORKERS, 120, 0.5)
        produce(kafka6, tweets[: TWEETS // 2])
        wait_for("a quarter of the tweets stored", lambda: store.count() >= TWEETS // 8, 120)
        hosts[0].kill()
        killed_at = store.count()
        produce(kafka6, tweets[TWEETS // 2 :])
        hosts[0] = Host("a-again", kafka6, store_url, group, tmp_path)
        wait_for("every tweet stored", lambda: store.count() >= TWEETS, 180, 0.2)
        summaries = [host.stop() for host in hosts]
        wait_for("the page to read every stored tweet", lambda: page.rows_read >= TWEETS, 30)
        time.sleep(0.5)  # one more poll: anything read twice would show now
        page_totals = page.aggregator.totals([OVERALL, "bitcoin"])

    assert killed_at < TWEETS
    stored = read_frame(store_url)
    assert set(stored["id"]) == {t.id for t in tweets} and len(stored) == TWEETS  # every id, exactly once
    for summary in summaries:  # a redelivered tweet is consumed again but counted as a duplicate, not stored
        assert summary["consumed"] == summary["stored"] + summary["duplicates"] and summary["dead"] == 0
    expected = store_totals(store_url)
    assert page.rows_read == TWEETS
    for group_name in (OVERALL, "bitcoin"):
        got, want = page_totals[group_name], expected[group_name]
        assert [got[i] for i in (COUNT, POS, NEG, NEU)] == [want[i] for i in (COUNT, POS, NEG, NEU)], group_name
        assert got[SCORE] == pytest.approx(want[SCORE]) and got[POLARITY] == pytest.approx(want[POLARITY])
