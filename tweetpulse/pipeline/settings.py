"""The listener's settings: everything a worker process needs, as plain picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field

from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.records import DEFAULT_MAX_TEXT
from tweetpulse.scorers.scoring import DEFAULT_SCORER, SentimentAnalyzer, check_spec, make_analyzer
from tweetpulse.stores import DEFAULT_STORE


@dataclass(frozen=True)
class ListenerSettings:
    """Everything a worker needs, as plain picklable data (never clients)."""

    kafka: KafkaConfig = field(default_factory=KafkaConfig)
    group: str = "tweetpulse"
    # a path (SQLite) or a store URL (see tweetpulse.stores.open_store); left out of repr: a URL may hold a password
    store_path: str = field(default=DEFAULT_STORE, repr=False)
    start_from: str = "earliest"
    batch_size: int = 2000
    poll_timeout: float = 0.1  # a batch waits at most this long to fill: latency under light load
    max_text: int = DEFAULT_MAX_TEXT
    scorer: str = (
        DEFAULT_SCORER  # the analyzer's spec (tweetpulse.scorers.scoring.make_analyzer); each worker builds its own
    )
    neutral_band: float | None = None  # None: the analyzer's own default
    cache_size: int = 65536

    def __post_init__(self) -> None:
        check_spec(self.scorer, self.neutral_band)  # a bad --scorer or band fails here, before anything starts

    def analyzer(self) -> SentimentAnalyzer:
        """A new analyzer as these settings name it (workers and the page's classify box)."""
        return make_analyzer(self.scorer, self.neutral_band, cache_size=self.cache_size)
