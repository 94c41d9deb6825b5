"""TextBlob (the default scorer) in the analyzer shape: the listener's exact ``Scorer``."""

from __future__ import annotations

from tweetpulse.analyzers.base import Banded, Sentiment, check_band, no_argument
from tweetpulse.scoring import Scorer


class TextBlobAnalyzer(Banded):
    """``TextBlob(text).sentiment``, bit for bit (through :class:`tweetpulse.scoring.Scorer`)."""

    name = "textblob"
    default_band = 0.0

    def __init__(self, neutral_band: float | None = None, cache_size: int = 65536) -> None:
        self.neutral_band = check_band(self.default_band if neutral_band is None else neutral_band)
        self._scorer = Scorer(cache_size=cache_size)

    def sentiment(self, text: str) -> Sentiment:
        return Sentiment(*self._scorer.sentiment(text))


def create(arg: str | None = None, neutral_band: float | None = None) -> TextBlobAnalyzer:
    """The registry's factory for ``textblob`` (it takes no argument)."""
    no_argument("textblob", arg)
    return TextBlobAnalyzer(neutral_band)
