"""The listener's settings: everything a worker process needs, as plain picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field

from tweetpulse.config import DEFAULT_STORE, KafkaConfig
from tweetpulse.models import DEFAULT_MAX_TEXT


@dataclass(frozen=True)
class ListenerSettings:
    """Everything a worker needs, as plain picklable data (never clients)."""

    kafka: KafkaConfig = field(default_factory=KafkaConfig)
    group: str = "tweetpulse"
    store_path: str = DEFAULT_STORE  # a path (SQLite) or a store URL: see tweetpulse.stores.open_store
    start_from: str = "earliest"
    batch_size: int = 2000
    poll_timeout: float = 0.1  # a batch waits at most this long to fill: latency under light load
    max_text: int = DEFAULT_MAX_TEXT
    neutral_band: float = 0.0
    cache_size: int = 65536
