"""Analyzers by name: ``--scorer textblob`` (the default), ``vader``, ``model:PATH``.

A *spec* is a registered name, optionally followed by ``:`` and an argument (``model:PATH``).
Adding a scorer means adding one module with a factory (see
:class:`tweetpulse.analyzers.base.AnalyzerFactory`) and one entry in :data:`ANALYZERS`.
Settings carry the spec string, never an analyzer object, so spawned workers build their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from tweetpulse.analyzers import base, textblob
from tweetpulse.analyzers.base import AnalyzerFactory, SentimentAnalyzer
from tweetpulse.errors import ConfigError

__all__ = [
    "ANALYZERS",
    "DEFAULT_SCORER",
    "AnalyzerEntry",
    "AnalyzerSpec",
    "check_band",
    "check_spec",
    "make_analyzer",
    "parse_spec",
    "scorer_names",
]

DEFAULT_SCORER = textblob.NAME


class AnalyzerEntry(NamedTuple):
    """One registered scorer: its factory, the name of its argument (``None``: it takes none) and
    an optional check of that argument that builds nothing (run by :func:`check_spec`, so that a
    bad file fails the command line before any worker starts)."""

    factory: AnalyzerFactory
    argument: str | None = None
    check: Callable[[str], None] | None = None


def _vader(arg: str | None, *, neutral_band: float | None, cache_size: int) -> SentimentAnalyzer:
    from tweetpulse.analyzers import vader  # vaderSentiment loads only when asked for

    return vader.create(arg, neutral_band)


def _model(arg: str | None, *, neutral_band: float | None, cache_size: int) -> SentimentAnalyzer:
    from tweetpulse.analyzers import model  # scikit-learn loads only when asked for

    return model.create(arg, neutral_band)


def _model_file(arg: str) -> None:
    from tweetpulse.modelfile import check_file  # reads and checks the file, loads no model

    check_file(arg)


ANALYZERS: dict[str, AnalyzerEntry] = {
    textblob.NAME: AnalyzerEntry(textblob.create),
    "vader": AnalyzerEntry(_vader),
    "model": AnalyzerEntry(_model, "PATH", _model_file),
}


class AnalyzerSpec(NamedTuple):
    """A parsed ``--scorer`` value: the registered name and the argument after the colon."""

    name: str
    arg: str | None


def scorer_names() -> str:
    """The known scorers as the user types them, e.g. ``textblob, model:PATH``."""
    return ", ".join(
        name if entry.argument is None else f"{name}:{entry.argument}" for name, entry in ANALYZERS.items()
    )


def parse_spec(spec: str) -> AnalyzerSpec:
    """Split ``name[:arg]`` and check the name is registered and gets the argument it needs."""
    name, colon, arg = spec.strip().partition(":")
    name = name.strip().lower()
    entry = ANALYZERS.get(name)
    if entry is None:
        raise ConfigError(f"unknown scorer {spec!r}: use one of {scorer_names()} (e.g. --scorer {DEFAULT_SCORER})")
    if entry.argument is None and colon:
        raise ConfigError(f"the {name} scorer takes no argument (got {spec!r}): use --scorer {name}")
    if entry.argument is not None and not arg:
        raise ConfigError(f"the {name} scorer needs a {entry.argument}: use --scorer {name}:{entry.argument}")
    return AnalyzerSpec(name, arg or None)


def check_band(neutral_band: float | None) -> None:
    """A neutral band is a number in [0, 1), or ``None`` for the analyzer's own default."""
    if neutral_band is not None:
        base.check_band(neutral_band)


def check_spec(spec: str, neutral_band: float | None = None) -> AnalyzerSpec:
    """What :func:`make_analyzer` checks before it builds anything, and the argument's own check
    (a model file's header and types: read, nothing built or run)."""
    check_band(neutral_band)
    parsed = parse_spec(spec)
    check = ANALYZERS[parsed.name].check
    if check is not None and parsed.arg is not None:
        check(parsed.arg)
    return parsed


def make_analyzer(
    spec: str = DEFAULT_SCORER, neutral_band: float | None = None, cache_size: int = textblob.DEFAULT_CACHE_SIZE
) -> SentimentAnalyzer:
    """The analyzer ``spec`` names. ``neutral_band``: ``None`` keeps the analyzer's own default.

    ``cache_size`` bounds the result cache of analyzers that keep one (0: no cache).
    Raises :class:`ConfigError` (one line that lists the known scorers) for a bad spec or band.
    """
    check_band(neutral_band)
    name, arg = parse_spec(spec)  # the factory checks its argument itself
    return ANALYZERS[name].factory(arg, neutral_band=neutral_band, cache_size=cache_size)
