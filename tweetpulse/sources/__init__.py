"""Tweet sources: each yields :class:`tweetpulse.records.Tweet` records for the streamer.

A source is a :class:`~tweetpulse.sources.base.TweetSource` (iterate it, then ``close()`` it; its
``skipped`` tells what it set aside). Each source module exports one
:class:`~tweetpulse.sources.base.SourceSpec` (name, label, command-line options, opener, replay
format); :data:`SOURCES` lists them, and the CLI, the demo and the notebooks loop over it. Adding a
source is one module plus one line here. Loading the specs imports no client library (tweepy,
requests, websockets): an opener imports what its source needs when it is called.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.sources.base import SourceRequest, SourceSpec, TweetSource

SOURCES: dict[str, str] = {
    "sample": "tweetpulse.sources.sample:SOURCE",
    "synthetic": "tweetpulse.sources.composer:SOURCE",
    "replay": "tweetpulse.sources.replay:SOURCE",
    "x": "tweetpulse.sources.x:SOURCE",
    "bluesky": "tweetpulse.sources.bluesky:SOURCE",
    "mastodon": "tweetpulse.sources.mastodon:SOURCE",
}
"""Source name → ``"module:attribute"`` of its :class:`SourceSpec`."""

DEFAULT_SOURCE = "sample"  # what tweetpulse stream sends unless --source says otherwise
DEMO_SOURCE = "synthetic"  # what tweetpulse demo streams unless --source says otherwise

__all__ = [
    "DEFAULT_SOURCE",
    "DEMO_SOURCE",
    "SOURCES",
    "SourceRequest",
    "SourceSpec",
    "open_source",
    "source_names",
    "source_spec",
]


def source_names() -> tuple[str, ...]:
    """The registered sources' names, in registry order."""
    return tuple(SOURCES)


def _choices() -> str:
    *rest, last = source_names()
    return f"{', '.join(rest)} or {last}" if rest else last


def source_spec(name: str) -> SourceSpec:
    """The spec registered for ``name``; :class:`ConfigError` for an unknown name."""
    where = SOURCES.get(name)
    if where is None:
        raise ConfigError(f"unknown source {name!r}: use {_choices()}")
    module_name, _, attr = where.partition(":")
    spec: SourceSpec = getattr(importlib.import_module(module_name), attr)
    return spec


def source_specs() -> list[SourceSpec]:
    """Every registered spec, in registry order."""
    return [source_spec(name) for name in SOURCES]


def open_source(
    name: str = DEFAULT_SOURCE,
    matcher: KeywordMatcher | None = None,
    *,
    loop: bool = False,
    duration: float | None = None,
    on_status: Callable[[Any], None] | None = None,
    **options: Any,
) -> TweetSource:
    """The source called ``name`` (see :data:`SOURCES`), ``options`` being its own (by key, e.g.
    ``dataset`` and ``fmt`` for ``replay``, ``lang`` for ``bluesky``)."""
    spec = source_spec(name)
    return spec.open(spec.request(matcher, loop=loop, duration=duration, on_status=on_status, **options))
