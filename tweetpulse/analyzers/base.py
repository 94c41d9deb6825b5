"""What every sentiment analyzer is: the :class:`SentimentAnalyzer` seam and its shared label rule.

An analyzer turns a text into a :class:`Sentiment` (polarity in [-1, 1], subjectivity in [0, 1])
and calls a polarity ``positive``, ``negative`` or ``neutral`` by its neutral band
(:class:`NeutralBand`). Analyzers are built by name (:mod:`tweetpulse.analyzers.registry`), so that
spawned listener workers can build their own from a plain string.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from tweetpulse.errors import ConfigError

__all__ = [
    "LABELS",
    "AnalyzerFactory",
    "Banded",
    "BatchAnalyzer",
    "NeutralBand",
    "PerText",
    "Sentiment",
    "SentimentAnalyzer",
    "check_band",
    "label_for",
    "no_argument",
    "sentiments",
]

LABELS = ("negative", "neutral", "positive")


class Sentiment(NamedTuple):
    """One text's sentiment: ``polarity`` in [-1, 1] and ``subjectivity`` in [0, 1]."""

    polarity: float
    subjectivity: float


class SentimentAnalyzer(Protocol):
    """Scores texts; :func:`tweetpulse.scoring.score_tweet` turns that into a tweet's score."""

    @property
    def name(self) -> str:
        """The spec that builds this analyzer again (``textblob``, ``model:PATH``...)."""
        ...

    @property
    def neutral_band(self) -> float:
        """Half-width of the polarity interval :meth:`label` calls neutral."""
        ...

    def sentiment(self, text: str) -> Sentiment:
        """The text's polarity and subjectivity."""
        ...

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        """``[sentiment(t) for t in texts]``, equal item for item, scored as one batch where that is faster
        (:class:`PerText` gives the loop to analyzers that have nothing faster)."""
        ...

    def label(self, polarity: float) -> str:
        """``positive`` / ``negative`` outside ``±neutral_band``, else ``neutral``."""
        ...


class AnalyzerFactory(Protocol):
    """Builds an analyzer from the part of its spec after the colon (``None`` if there is none).

    ``neutral_band`` is ``None`` for the analyzer's own default. A factory raises
    :class:`tweetpulse.errors.ConfigError` for an argument it can't use, and imports heavy
    libraries itself, so that naming other scorers never loads them.
    """

    def __call__(self, arg: str | None, *, neutral_band: float | None, cache_size: int) -> SentimentAnalyzer: ...


class PerText:
    """The default batch method: :meth:`sentiments` loops :meth:`sentiment`."""

    def sentiment(self, text: str) -> Sentiment:
        raise NotImplementedError

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        """Each text's :meth:`sentiment`, in order."""
        sentiment = self.sentiment
        return [sentiment(text) for text in texts]


class NeutralBand(PerText):
    """The label rule every analyzer shares: positive above ``+band``, negative below ``-band``.

    A polarity exactly on the band's edge (and 0.0 with a band of 0) is neutral. A subclass sets
    its own :attr:`DEFAULT_NEUTRAL_BAND`, which ``neutral_band=None`` picks.
    """

    DEFAULT_NEUTRAL_BAND = 0.0

    def __init__(self, neutral_band: float | None = None) -> None:
        self.neutral_band = check_band(self.DEFAULT_NEUTRAL_BAND if neutral_band is None else neutral_band)

    def label(self, polarity: float) -> str:
        """Classify a polarity: positive/negative outside ±neutral_band, else neutral (inline: per tweet)."""
        if polarity > self.neutral_band:
            return "positive"
        if polarity < -self.neutral_band:
            return "negative"
        return "neutral"


@runtime_checkable
class BatchAnalyzer(Protocol):
    """Anything with the batch method (every analyzer built here has it; see :func:`sentiments`)."""

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
    if not 0.0 <= neutral_band < 1.0:  # also rejects NaN
        raise ConfigError(
            f"the neutral band must be at least 0 and below 1, got {neutral_band}: "
            "e.g. --neutral-band 0.05 calls |polarity| <= 0.05 neutral"
        )
    return float(neutral_band)


class Banded(PerText):
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
    """Score ``texts`` with ``analyzer``, in one batch when it can (also for analyzers written before
    the protocol had :meth:`SentimentAnalyzer.sentiments`)."""
    if isinstance(analyzer, BatchAnalyzer):
        return analyzer.sentiments(texts)
    return [analyzer.sentiment(text) for text in texts]
