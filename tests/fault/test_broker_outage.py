"""A broker outage mid-replay (a private broker, stopped and started again): the streamer says the
broker is unavailable, once, and does not crash; afterwards every tweet is stored exactly once.
A streamer whose delivery timeout is shorter than the outage counts the tweets it could not
deliver, names them and writes them to a file that ``--source replay`` re-sends."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import orjson

from tests.conftest import Broker
from tests.fault.harness import (
    TWEETPULSE,
    kafka_args,
    kill_tree,
    replay_file,
    start_listen,
    start_stream,
    stored_count,
    wait_stored,
)
from tests.fault.scale import pick
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.stores import read_frame

TWEETS = pick(3000, 20_000)  # per streamer
OUTAGE_SECONDS = pick(4, 20)  # the broker is down this long, plus its stop and start (~15 s)
SHORT_TIMEOUT_MS = 3000  # the second streamer's delivery timeout: shorter than any outage here


def lines_with(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def test_an_outage_is_survived_and_what_timed_out_is_re_sent(
    private_broker: Broker, private_kafka: KafkaConfig, tmp_path: Path
) -> None:
    kafka, store = private_kafka, tmp_path / "t.db"
    patient = replay_file(tmp_path / "patient.jsonl", TWEETS, seed=91)
    hasty = replay_file(tmp_path / "hasty.jsonl", TWEETS, seed=92)
    undelivered, summary_json = tmp_path / "undelivered.jsonl", tmp_path / "hasty-summary.json"
    listener = start_listen(kafka, store, "outage")
    rate = TWEETS / (OUTAGE_SECONDS + 25)  # both replays last well past the outage
    streamers = [
        start_stream(kafka, tmp_path / "patient.jsonl", rate),
        start_stream(
            kafka,
            tmp_path / "hasty.jsonl",
            rate,
            "-X",
            f"message.timeout.ms={SHORT_TIMEOUT_MS}",
            "--undelivered",
            str(undelivered),
            "--summary-json",
            str(summary_json),
        ),
    ]
    try:
        wait_stored(store, TWEETS // 5)
        assert private_broker.setup("stop").returncode == 0
        down_at = stored_count(store)
        time.sleep(OUTAGE_SECONDS)
        assert stored_count(store) == down_at  # nothing gets through while the broker is down
        assert all(s.poll() is None for s in streamers), "a streamer ended during the outage"
        started = private_broker.setup("start")
        assert started.returncode == 0, started.stderr
        (_, patient_err), (_, hasty_err) = (s.communicate(timeout=300) for s in streamers)
        print("patient streamer:", patient_err, "hasty streamer:", hasty_err, sep="\n")  # shown when a check fails
        # the patient streamer: the outage told once, then that it is over; nothing lost
        assert streamers[0].returncode == 0, patient_err
        assert "Traceback" not in patient_err
        assert len(lines_with(patient_err, "broker unavailable")) == 1, patient_err
        assert len(lines_with(patient_err, "reachable again")) == 1, patient_err
        # the hasty one: what timed out is counted, named and kept for a re-send
        assert streamers[1].returncode == 1 and "Traceback" not in hasty_err, hasty_err
        assert len(lines_with(hasty_err, "delivery to")) <= 2  # not one line per tweet
        summary = json.loads(summary_json.read_text())
        assert summary["failed"] > 0 and summary["delivered"] + summary["failed"] == TWEETS
        kept = [orjson.loads(line)["id"] for line in undelivered.read_bytes().splitlines()]
        assert len(kept) == summary["failed"] == len(set(kept)) and sorted(kept) == sorted(summary["undelivered_ids"])
        assert f"--dataset {undelivered}" in hasty_err and kept[0] in hasty_err
        resend = subprocess.run(
            [
                TWEETPULSE,
                "stream",
                "--source",
                "replay",
                "--dataset",
                str(undelivered),
                "--no-progress",
                *kafka_args(kafka),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert resend.returncode == 0, resend.stderr
        wait_stored(store, 2 * TWEETS, timeout=180)
        time.sleep(2)  # a duplicate would show up now
        listener.send_signal(signal.SIGTERM)
        _, listen_err = listener.communicate(timeout=60)
        assert listener.returncode in (0, 130), listen_err
        # one line per state change per client, not one per reconnection attempt
        assert len(lines_with(listen_err, "unavailable")) <= 6, listen_err
    finally:
        for proc in (*streamers, listener):
            kill_tree(proc, signal.SIGKILL)  # also when it ended: its workers may not have
    frame = read_frame(store)
    assert len(frame) == 2 * TWEETS and frame["id"].is_unique
    assert set(frame["id"]) == {t.id for t in patient + hasty}
