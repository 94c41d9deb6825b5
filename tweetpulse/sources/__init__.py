"""Tweet sources: each yields :class:`tweetpulse.records.Tweet` records for the streamer.

A source is a :class:`~tweetpulse.sources.base.TweetSource` (iterate it, then ``close()`` it; its
``skipped`` tells what it set aside). :func:`open_source` opens one by name from :data:`SOURCES`,
the registry the CLI's ``--source`` choices come from. Adding a source is one module with an
opener (a :data:`SourceOpener`: ``SourceRequest`` → source) plus one entry here; openers are
imported when used, so naming the sources costs no import of tweepy or any other client library.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.sources.base import TweetSource

SOURCES: dict[str, str] = {
    "sample": "tweetpulse.sources.sample:open_sample",
    "replay": "tweetpulse.sources.replay:open_replay",
    "x": "tweetpulse.sources.x:open_x",
    "bluesky": "tweetpulse.sources.bluesky.jetstream:open_bluesky",
    "mastodon": "tweetpulse.sources.mastodon.source:open_mastodon",
}
"""Source name → ``"module:opener"``."""

SOURCE_NAMES = tuple(SOURCES)


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """What was asked of a source; each opener reads what applies to it.

    ``options`` are the source's own settings (for ``x``: ``mode``, ``groups``, ``api_base``,
    ``record_path``, ...); a source that has none refuses any with :meth:`no_options`.
    """

    name: str
    dataset: str | None = None
    fmt: str | None = None
    matcher: KeywordMatcher | None = None
    loop: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    def no_options(self) -> None:
        """Raise :class:`ConfigError` when options were given to a source that takes none."""
        if self.options:
            names = ", ".join(sorted(self.options))
            raise ConfigError(f"--source {self.name} takes no options ({names}): drop them or pick another source")


SourceOpener = Callable[[SourceRequest], TweetSource]


def _choices() -> str:
    *rest, last = SOURCE_NAMES
    return f"{', '.join(rest)} or {last}" if rest else last


def opener(name: str) -> SourceOpener:
    """The opener registered for ``name``; :class:`ConfigError` for an unknown name."""
    spec = SOURCES.get(name)
    if spec is None:
        raise ConfigError(f"unknown source {name!r}: use {_choices()}")
    module_name, _, attr = spec.partition(":")
    found: SourceOpener = getattr(importlib.import_module(module_name), attr)
    return found


def open_source(
    name: str = "sample",
    dataset: str | None = None,
    fmt: str | None = None,
    matcher: KeywordMatcher | None = None,
    loop: bool = False,
    **options: Any,
) -> TweetSource:
    """The source called ``name`` (see :data:`SOURCES`): ``sample`` (bundled), ``replay`` (a dataset,
    ``dataset`` and ``fmt``), or ``x``, ``bluesky``, ``mastodon`` (live; ``options`` are their settings)."""
    request = SourceRequest(name, dataset=dataset, fmt=fmt, matcher=matcher, loop=loop, options=options)
    return opener(name)(request)
