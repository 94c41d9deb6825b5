"""The listener's settings: everything a worker process needs, as plain picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field

from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.records import DEFAULT_MAX_TEXT
from tweetpulse.scorers.scoring import DEFAULT_SCORER, Scorer, check_spec, make_scorer
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
        DEFAULT_SCORER  # the scorer's spec (tweetpulse.scorers.scoring.make_scorer); each worker builds its own
    )
    neutral_band: float | None = None  # None: the scorer's own default
    cache_size: int = 65536

    def __post_init__(self) -> None:
        check_spec(self.scorer, self.neutral_band)  # a bad --scorer or band fails here, before anything starts

    def make_scorer(self) -> Scorer:
        """A new scorer as these settings name it (workers and the page's classify box)."""
        return make_scorer(self.scorer, self.neutral_band, cache_size=self.cache_size)
