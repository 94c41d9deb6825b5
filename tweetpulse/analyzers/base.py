"""What every sentiment analyzer is: the :class:`SentimentAnalyzer` seam and its shared label rule.

An analyzer turns a text into a :class:`Sentiment` (polarity in [-1, 1], subjectivity in [0, 1])
and calls a polarity ``positive``, ``negative`` or ``neutral`` by its neutral band
(:class:`NeutralBand`). Analyzers are built by name (:mod:`tweetpulse.analyzers.registry`), so that
spawned listener workers can build their own from a plain string.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

__all__ = ["AnalyzerFactory", "NeutralBand", "Sentiment", "SentimentAnalyzer"]


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


class NeutralBand:
    """The label rule every analyzer shares: positive above ``+band``, negative below ``-band``.

    A polarity exactly on the band's edge (and 0.0 with a band of 0) is neutral. A subclass sets
    its own :attr:`DEFAULT_NEUTRAL_BAND`, which ``neutral_band=None`` picks.
    """

    DEFAULT_NEUTRAL_BAND = 0.0

    def __init__(self, neutral_band: float | None = None) -> None:
        band = self.DEFAULT_NEUTRAL_BAND if neutral_band is None else neutral_band
        if not band >= 0:  # also rejects NaN
            raise ValueError(f"neutral_band must be a number >= 0, got {band!r}")
        self.neutral_band = band

    def label(self, polarity: float) -> str:
        """Classify a polarity: positive/negative outside ±neutral_band, else neutral."""
        if polarity > self.neutral_band:
            return "positive"
        if polarity < -self.neutral_band:
            return "negative"
        return "neutral"
