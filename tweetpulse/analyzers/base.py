"""What every sentiment analyzer offers, and the labelling rule they share.

This is the shape ``tweetpulse.scoring`` gives its pluggable scorers (``SentimentAnalyzer``,
``Sentiment``); the analyzers in this package satisfy it without importing it, so they work
before and after the scorer registry lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from tweetpulse.errors import ConfigError

LABELS = ("negative", "neutral", "positive")


class Sentiment(NamedTuple):
    """One text's sentiment: ``polarity`` in [-1, 1] and ``subjectivity`` in [0, 1]."""

    polarity: float
    subjectivity: float


class SentimentAnalyzer(Protocol):
    """A scorer: a name (stored with each row), a neutral band, ``sentiment`` and ``label``."""

    name: str
    neutral_band: float

    def sentiment(self, text: str) -> Sentiment: ...

    def label(self, polarity: float) -> str: ...


@runtime_checkable
class BatchAnalyzer(Protocol):
    """An analyzer that scores many texts at once faster than one by one (the trained model)."""

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]: ...


def label_for(polarity: float, neutral_band: float) -> str:
    """positive above ``+neutral_band``, negative below ``-neutral_band``, else neutral."""
    if polarity > neutral_band:
        return "positive"
    if polarity < -neutral_band:
        return "negative"
    return "neutral"


def check_band(neutral_band: float) -> float:
    """A usable neutral band (0 <= band < 1), or a ConfigError saying what to give."""
    if not 0.0 <= neutral_band < 1.0:
        raise ConfigError(f"the neutral band must be at least 0 and below 1, got {neutral_band}")
    return float(neutral_band)


class Banded:
    """``label`` and ``repr`` for analyzers that keep their ``neutral_band`` as an attribute."""

    neutral_band: float

    def label(self, polarity: float) -> str:
        return label_for(polarity, self.neutral_band)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(neutral_band={self.neutral_band})"


def no_argument(name: str, arg: str | None) -> None:
    """Refuse ``name:arg`` for a scorer that takes no argument."""
    if arg:
        raise ConfigError(f"the {name} scorer takes no argument, got '{name}:{arg}'; use --scorer {name}")


def sentiments(analyzer: SentimentAnalyzer, texts: Sequence[str]) -> list[Sentiment]:
    """Score ``texts`` with ``analyzer``, in one batch when it can."""
    if isinstance(analyzer, BatchAnalyzer):
        return analyzer.sentiments(texts)
    return [analyzer.sentiment(text) for text in texts]
