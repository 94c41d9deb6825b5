"""What every price feed shares: the request an opener gets, the feed protocol, and opening one by name."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from tweetpulse.errors import ConfigError
from tweetpulse.prices.records import PriceTick
from tweetpulse.sources.base import SkippedRows
from tweetpulse.sources.prices import FEEDS


class FeedRequest(NamedTuple):
    """What an opener gets: the products, the feed's URL (None: the exchange's), ``--duration``,
    ``--file`` (replay) and feed-specific keywords (tests: ``backoff_scale``, ``idle_timeout`` …)."""

    products: tuple[str, ...]
    url: str | None = None
    duration: float | None = None
    file: str | None = None
    options: Mapping[str, Any] = {}


class PriceFeed(Protocol):
    """A feed: iterate ticks, ``close()`` from any thread, ``skipped`` rows/frames."""

    name: str
    skipped: SkippedRows

    def __iter__(self) -> Iterator[PriceTick]: ...

    def close(self) -> None: ...


def open_feed(name: str, request: FeedRequest) -> PriceFeed:
    """The feed ``name`` of :data:`~tweetpulse.sources.prices.FEEDS`, opened with ``request``."""
    target = FEEDS.get(name)
    if target is None:
        raise ConfigError(f"--source {name!r}: choose one of {', '.join(FEEDS)}")
    module, _, opener = target.partition(":")
    feed: PriceFeed = getattr(importlib.import_module(module), opener)(request)
    return feed
