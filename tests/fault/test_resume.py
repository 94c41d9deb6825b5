"""Resume: stop the listener at random points and start it again; the store ends identical to the
one an uninterrupted run makes from the same topic (every column but the time of scoring)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from tests.fault.harness import stored_count
from tests.fault.scale import pick
from tests.integration.test_listener import make_tweets, produce
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.stores import read_frame

TWEETS = pick(6000, 40_000)
STOPS = pick(4, 8)


def settings(kafka: KafkaConfig, store: Path, group: str) -> ListenerSettings:
    return ListenerSettings(kafka=kafka, group=group, store_path=str(store), batch_size=100)


def test_a_listener_stopped_and_restarted_at_random_points_stores_what_one_run_stores(
    kafka: KafkaConfig, tmp_path: Path
) -> None:
    produce(kafka, make_tweets(TWEETS, seed=99))
    rng = random.Random(2024)
    straight, resumed = tmp_path / "straight.db", tmp_path / "resumed.db"
    with Listener(settings(kafka, straight, "straight"), workers=2, max_messages=TWEETS) as listener:
        listener.wait(duration=300)
    stops = sorted(rng.sample(range(TWEETS // 10, TWEETS * 9 // 10), STOPS))
    for stop_at in [*stops, None]:
        with Listener(settings(kafka, resumed, "resumed"), workers=2) as listener:
            if stop_at is None:
                listener.wait(duration=300, idle_exit=5)
            else:
                deadline = time.monotonic() + 120
                while stored_count(resumed) < stop_at and time.monotonic() < deadline:
                    time.sleep(0.02)
        # leaving the block stopped it as Ctrl-C does: batch finished, persisted, committed
    a, b = read_frame(straight), read_frame(resumed)
    assert len(a) == len(b) == TWEETS
    columns = [c for c in a.columns if c != "scored_at"]
    a, b = (f.sort_values("id").reset_index(drop=True)[columns] for f in (a, b))
    assert a.equals(b)
