"""Scorers by name: ``--scorer textblob`` (the default), ``vader``, ``model:PATH``.

A *spec* is a registered name, optionally followed by ``:`` and an argument (``model:PATH``).
Adding a scorer means adding one module with a factory (a :class:`tweetpulse.scorers.base.ScorerFactory`)
and one entry in :data:`SCORERS`. Settings carry the spec string, never a scorer object, so spawned
workers build their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from tweetpulse.errors import ConfigError
from tweetpulse.scorers import base, model, textblob, vader
from tweetpulse.scorers.base import Scorer, ScorerFactory

__all__ = [
    "DEFAULT_SCORER",
    "SCORERS",
    "ScorerEntry",
    "ScorerSpec",
    "check_band",
    "check_spec",
    "make_scorer",
    "parse_spec",
    "scorer_names",
]

DEFAULT_SCORER = textblob.NAME


class ScorerEntry(NamedTuple):
    """One registered scorer: its factory, the name of its argument (``None``: it takes none) and
    an optional check of that argument that builds nothing (run by :func:`check_spec`, so that a
    bad file fails the command line before any worker starts)."""

    factory: ScorerFactory
    argument: str | None = None
    check: Callable[[str], None] | None = None


def _model_file(arg: str) -> None:
    from tweetpulse.scorers.modelfile import check_file  # reads and checks the file, loads no model

    check_file(arg)


SCORERS: dict[str, ScorerEntry] = {
    textblob.NAME: ScorerEntry(textblob.create),
    vader.NAME: ScorerEntry(vader.create),  # vaderSentiment loads when one is made
    model.NAME: ScorerEntry(model.create, "PATH", _model_file),  # skops and scikit-learn too
}


class ScorerSpec(NamedTuple):
    """A parsed ``--scorer`` value: the registered name and the argument after the colon."""

    name: str
    arg: str | None


def scorer_names() -> str:
    """The known scorers as the user types them, e.g. ``textblob, model:PATH``."""
    return ", ".join(name if entry.argument is None else f"{name}:{entry.argument}" for name, entry in SCORERS.items())


def parse_spec(spec: str) -> ScorerSpec:
    """Split ``name[:arg]`` and check the name is registered and gets the argument it needs."""
    name, colon, arg = spec.strip().partition(":")
    name = name.strip().lower()
    entry = SCORERS.get(name)
    if entry is None:
        raise ConfigError(f"unknown scorer {spec!r}: use one of {scorer_names()} (e.g. --scorer {DEFAULT_SCORER})")
    if entry.argument is None and colon:
        raise ConfigError(f"the {name} scorer takes no argument (got {spec!r}): use --scorer {name}")
    if entry.argument is not None and not arg:
        raise ConfigError(f"the {name} scorer needs a {entry.argument}: use --scorer {name}:{entry.argument}")
    return ScorerSpec(name, arg or None)


def check_band(neutral_band: float | None) -> None:
    """A neutral band is a number in [0, 1), or ``None`` for the scorer's own default."""
    if neutral_band is not None:
        base.check_band(neutral_band)


def check_spec(spec: str, neutral_band: float | None = None) -> ScorerSpec:
    """What :func:`make_scorer` checks before it builds anything, and the argument's own check
    (a model file's header and types: read, nothing built or run)."""
    check_band(neutral_band)
    parsed = parse_spec(spec)
    check = SCORERS[parsed.name].check
    if check is not None and parsed.arg is not None:
        check(parsed.arg)
    return parsed


def make_scorer(
    spec: str = DEFAULT_SCORER, neutral_band: float | None = None, cache_size: int = textblob.DEFAULT_CACHE_SIZE
) -> Scorer:
    """The scorer ``spec`` names. ``neutral_band``: ``None`` keeps the scorer's own default.

    ``cache_size`` bounds the result cache of scorers that keep one (0: no cache).
    Raises :class:`ConfigError` (one line that lists the known scorers) for a bad spec or band.
    """
    check_band(neutral_band)
    name, arg = parse_spec(spec)  # the factory checks its argument itself
    return SCORERS[name].factory(arg, neutral_band=neutral_band, cache_size=cache_size)
