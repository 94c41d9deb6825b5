"""``--idle-exit`` means idle, against the real broker: nothing fetched and the group caught up.

Issue 23 point 5: with a slow scorer (batches of seconds) ``listen --idle-exit 6`` once ended after
6,000 of 50,000 tweets, because "idle" was "no batch finished for S seconds".
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.integration.test_listener import make_tweets, produce
from tests.support.slow_scorer import SlowScorerSettings
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.stores.sqlite import SqliteStore as Store


def test_a_slow_scorer_is_not_idle_every_tweet_is_stored(kafka: KafkaConfig, tmp_path: Path) -> None:
    """Batches of 1,000 tweets at 2 ms a tweet take 2 s, longer than the 1 s idle limit: the run
    must still go on until the group has consumed and committed all 9,000 tweets."""
    tweets = make_tweets(9000, seed=23)
    produce(kafka, tweets)
    store = tmp_path / "slow.db"
    settings = SlowScorerSettings(kafka=kafka, group="slow", store_path=str(store), batch_size=1000, delay=0.002)
    with Listener(settings, workers=2) as listener:
        summary = listener.wait(duration=240, idle_exit=1.0)
    assert summary.consumed == 9000, summary.line()
    with Store(store) as s:
        assert s.count() == 9000


def test_idle_exit_ends_a_caught_up_run_and_a_latest_group(kafka: KafkaConfig, tmp_path: Path) -> None:
    """Caught up is reached: a group that consumed everything stops after the idle seconds, and so does
    a group that starts from the latest offset (it has committed nothing, and nothing is left for it)."""
    produce(kafka, make_tweets(500, seed=24))
    for start_from, expect in (("earliest", 500), ("latest", 0)):
        settings = ListenerSettings(
            kafka=kafka,
            group=f"idle-{start_from}",
            store_path=str(tmp_path / f"{start_from}.db"),
            start_from=start_from,
        )
        began = time.monotonic()
        with Listener(settings, workers=2) as listener:
            summary = listener.wait(duration=120, idle_exit=1.0)
        assert time.monotonic() - began < 60, f"{start_from}: idle exit did not come"
        assert summary.consumed == expect, (start_from, summary.line())
