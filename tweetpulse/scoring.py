"""How a tweet is scored: ``score = ln(followers + 1) × polarity``, labelled by a sentiment analyzer.

The one rule, used by the listener, ``tweetpulse score`` and the page's classify box:

* an analyzer (:class:`SentimentAnalyzer`, built by name with :func:`make_analyzer`) gives the
  text's :class:`Sentiment` (polarity, subjectivity);
* :func:`weight` gives the tweet's influence, ``ln(followers + 1)`` (1.0 when unknown);
* :func:`score_tweet` puts them together: polarity, subjectivity, weight, ``weight × polarity``
  and the analyzer's label (by its neutral band) in one :class:`TweetScore`.

Scorers (``--scorer``): ``textblob`` (the default) is :class:`TextBlobAnalyzer`, equal bit for bit to
``TextBlob(text).sentiment`` and several times faster (``Scorer`` is its older name). See
:mod:`tweetpulse.analyzers.registry` for adding one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

from tweetpulse.analyzers.base import Sentiment, SentimentAnalyzer, sentiments
from tweetpulse.analyzers.registry import DEFAULT_SCORER, check_spec, make_analyzer, scorer_names
from tweetpulse.analyzers.textblob import TextBlobAnalyzer, textblob_sentiment

__all__ = [
    "DEFAULT_SCORER",
    "ScoreFields",
    "Scorer",
    "Sentiment",
    "SentimentAnalyzer",
    "TextBlobAnalyzer",
    "TweetScore",
    "batch_scorer",
    "check_spec",
    "make_analyzer",
    "score_tweet",
    "scorer_names",
    "textblob_sentiment",
    "tweet_scorer",
    "weight",
]

Scorer = TextBlobAnalyzer  # the name tests, benchmarks and notebooks have always used


class TweetScore(NamedTuple):
    """Everything the score of one tweet is made of."""

    polarity: float
    subjectivity: float
    weight: float  # ln(followers + 1), or 1.0 when the follower count is unknown
    score: float  # weight × polarity
    label: str  # positive / negative / neutral, by the analyzer's neutral band


def weight(followers: int | None) -> float:
    """Influence weight of a tweet: ``ln(followers + 1)``, or 1.0 if unknown."""
    if followers is None:
        return 1.0
    return math.log(followers + 1)


ScoreFields = tuple[float, float, float, float, str]
"""A :class:`TweetScore`'s fields in order, unnamed: what the listener's per-tweet loop unpacks."""


BatchScorer = Callable[[Sequence[str], Sequence[int | None]], list[ScoreFields]]


def batch_scorer(analyzer: SentimentAnalyzer) -> BatchScorer:
    """The scoring rule with ``analyzer`` bound once: ``score(texts, followers)`` gives, per tweet, the
    fields of :class:`TweetScore` (polarity, subjectivity, weight, score, label) as a plain tuple.

    This is the one place the rule is written. The listener calls it once per poll batch: the texts
    go to the analyzer's batch method (``sentiments``: one ``predict_proba`` for the trained model),
    then :func:`weight` (inline), ``weight × polarity`` and the label are computed per tweet.
    """
    label = analyzer.label
    log = math.log

    def score(texts: Sequence[str], followers: Sequence[int | None]) -> list[ScoreFields]:
        out: list[ScoreFields] = []
        append = out.append
        for (polarity, subjectivity), count in zip(sentiments(analyzer, texts), followers, strict=True):
            w = 1.0 if count is None else log(count + 1)  # weight(followers), inline
            append((polarity, subjectivity, w, w * polarity, label(polarity)))
        return out

    return score


def tweet_scorer(analyzer: SentimentAnalyzer) -> Callable[[str, int | None], ScoreFields]:
    """:func:`batch_scorer` for one tweet at a time: ``score(text, followers)``."""
    batch = batch_scorer(analyzer)

    def score(text: str, followers: int | None) -> ScoreFields:
        return batch((text,), (followers,))[0]

    return score


def score_tweet(analyzer: SentimentAnalyzer, text: str, followers: int | None) -> TweetScore:
    """Score one tweet: its sentiment by ``analyzer``, its weight, ``weight × polarity`` and label."""
    return TweetScore._make(tweet_scorer(analyzer)(text, followers))
