"""Bounded memory: keyword names the listener was never told about cost it a bounded number of series.

Records whose ``keywords`` carry ever new names (a bug upstream, a hostile producer) go through the
real broker and the real listener; the page's aggregator must keep at most MAX_GROUPS named series
(plus ``overall`` and ``other``), the configured groups keep their own, and every tweet is counted.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_listener import produce
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.live.aggregates import COUNT, OTHER, OVERALL
from tweetpulse.live.groupcap import MAX_GROUPS
from tweetpulse.pipeline.demo import page_aggregator
from tweetpulse.pipeline.listener import Listener, ListenerSettings
from tweetpulse.records import Tweet

TWEETS = 5_000
NAMES_PER_TWEET = 10
FIRST_BITCOIN = 1_000  # thousands of other names come first: bitcoin must still get its own series


def is_bitcoin(i: int) -> bool:
    return i >= FIRST_BITCOIN and i % 2 == 1


def test_unique_keyword_names_cost_bounded_series(kafka: KafkaConfig, tmp_path: Path) -> None:
    tweets = [
        Tweet(
            id=f"names-{i}",
            text="bitcoin is great" if is_bitcoin(i) else "what a day",
            keywords=[f"n{i}-{k}" for k in range(NAMES_PER_TWEET)] + (["bitcoin"] if is_bitcoin(i) else []),
            created_at="2024-05-01T12:00:00Z",
            source="test",
        )
        for i in range(TWEETS)
    ]
    produce(kafka, tweets)
    settings = ListenerSettings(kafka=kafka, group="names", store_path=str(tmp_path / "names.db"), batch_size=500)
    with Listener(settings, workers=1, max_messages=TWEETS, aggregator=page_aggregator()) as listener:
        listener.wait(duration=120)
    agg = listener.aggregator

    assert len(agg.series) <= MAX_GROUPS + 2, f"{len(agg.series)} series for {TWEETS * NAMES_PER_TWEET} names"
    totals = agg.totals([OVERALL, "bitcoin", OTHER])
    assert totals[OVERALL][COUNT] == TWEETS
    assert totals["bitcoin"][COUNT] == sum(map(is_bitcoin, range(TWEETS)))
    assert totals[OTHER][COUNT] >= TWEETS - MAX_GROUPS
