"""Crash recovery: during a replay, SIGKILL random workers, SIGSTOP one past the session timeout,
SIGKILL the whole listener; restart it. The store ends with every produced id exactly once, the page
totals what the store holds, and no offset was ever committed for a tweet not yet stored."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from tests.fault.harness import (
    Snapshot,
    kill_tree,
    page_matches_store,
    replay_file,
    snapshot,
    start_listen,
    start_stream,
    stored_count,
    topic_ids,
    unstored_but_committed,
    wait_stored,
    workers,
)
from tests.fault.scale import pick
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.stores import read_frame

TWEETS = pick(6000, 50_000)
REPLAY_SECONDS = pick(30, 90)  # long enough for every fault below to land mid-replay
KILLS = pick(3, 5)
STOP_SECONDS = pick(8, 20)  # past the 6 s session timeout: the group moves the partitions on


def test_killed_and_stopped_workers_and_a_killed_listener_lose_nothing(kafka: KafkaConfig, tmp_path: Path) -> None:
    rng = random.Random(1313)
    dataset, store, group = tmp_path / "replay.jsonl", tmp_path / "t.db", "crashes"
    tweets = replay_file(dataset, TWEETS, seed=77)
    streamer = start_stream(kafka, dataset, TWEETS / REPLAY_SECONDS)
    listener = start_listen(kafka, store, group)
    shots: list[Snapshot] = []
    try:
        step = TWEETS // 10  # a kill at every tenth stored, then the stop, then the listener
        for k in range(KILLS):  # SIGKILL a random worker: no chance to commit or clean up
            wait_stored(store, step * (k + 1))
            os.kill(rng.choice(workers(listener)).pid, signal.SIGKILL)
            shots.append(snapshot(kafka, group, store))
        wait_stored(store, step * (KILLS + 1))
        frozen = rng.choice(workers(listener))
        frozen.suspend()  # SIGSTOP: alive to the supervisor, silent to the group
        time.sleep(STOP_SECONDS)
        shots.append(snapshot(kafka, group, store))
        frozen.resume()
        time.sleep(1)
        kill_tree(listener, signal.SIGKILL)  # the whole listener, workers and all
        shots.append(snapshot(kafka, group, store))
        assert stored_count(store) < TWEETS, "the replay ended before the faults: raise REPLAY_SECONDS"
        # idle long enough for the group to drop the killed members (6 s session) and rebalance
        listener = start_listen(kafka, store, group, "--idle-exit", "15")
        _out, err = streamer.communicate(timeout=REPLAY_SECONDS * 4)
        assert streamer.returncode == 0, err
        _out, err = listener.communicate(timeout=300)
        assert listener.returncode == 0, err
    finally:
        for proc in (streamer, listener):
            kill_tree(proc, signal.SIGKILL)  # also when it ended: its workers may not have
    frame = read_frame(store)
    assert len(frame) == TWEETS and frame["id"].is_unique
    assert set(frame["id"]) == {t.id for t in tweets}
    page_matches_store(store)
    ids = topic_ids(kafka, TWEETS)
    assert len(ids) == TWEETS
    shots.append(snapshot(kafka, group, store))
    assert shots[-1].committed == {p: 1 + max(o for (q, o) in ids if q == p) for p in range(3)}
    assert unstored_but_committed(shots, ids) == []
