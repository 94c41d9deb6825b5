"""VADER (``vaderSentiment``) as a scorer: its compound score in place of polarity.

VADER is a lexicon and rule based model tuned for social media text (emoticons, emoji, slang,
capitals, "!!!", "but"). Its lexicons ship inside the ``vaderSentiment`` package, so it needs no
download. Its authors document ``compound >= 0.05`` as positive, ``<= -0.05`` as negative and the
rest as neutral; that ±0.05 band is the default here (a compound of exactly ±0.05 counts as neutral,
the same strict rule every tweetpulse scorer uses).

``Sentiment.subjectivity`` is ``pos + neg``: the share of the text VADER found sentiment in
(0 for an empty or purely neutral text), VADER's nearest counterpart to TextBlob's subjectivity.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from tweetpulse.scorers.base import BandedScorer, Sentiment, no_argument

NAME = "vader"


@functools.cache
def _intensity_analyzer() -> Any:
    """One ``SentimentIntensityAnalyzer`` per process (loading the lexicons takes ~0.1 s)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


class VaderScorer(BandedScorer):
    """VADER's compound score as polarity, ``pos + neg`` as subjectivity, ±0.05 neutral by default."""

    name = NAME
    DEFAULT_BAND = 0.05  # VADER's documented neutral band

    def __init__(self, neutral_band: float | None = None) -> None:
        super().__init__(neutral_band)
        self._polarity_scores = _intensity_analyzer().polarity_scores

    def sentiment(self, text: str) -> Sentiment:
        scores = self._polarity_scores(text)
        return Sentiment(float(scores["compound"]), min(1.0, float(scores["pos"]) + float(scores["neg"])))

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        """The batch: each distinct text is scored once (retweets and repeats in a poll batch are
        common), with the lexicon scorer's method looked up once for the whole batch."""
        polarity_scores = self._polarity_scores
        done: dict[str, Sentiment] = {}
        out: list[Sentiment] = []
        for text in texts:
            result = done.get(text)
            if result is None:
                scores = polarity_scores(text)
                result = Sentiment(float(scores["compound"]), min(1.0, float(scores["pos"]) + float(scores["neg"])))
                done[text] = result
            out.append(result)
        return out


def create(arg: str | None, *, neutral_band: float | None, cache_size: int) -> VaderScorer:
    """The registry's factory for ``vader`` (it takes no argument and keeps no cache across batches)."""
    no_argument("vader", arg)
    return VaderScorer(neutral_band)
