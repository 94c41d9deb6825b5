"""How a tweet is scored: ``score = ln(followers + 1) × polarity``, labelled by a scorer.

The one rule, used by the listener, ``tweetpulse score`` and the page's classify box:

* a scorer (:class:`~tweetpulse.scorers.base.Scorer`, built by name with :func:`make_scorer`) gives
  each text's :class:`Sentiment` (polarity, subjectivity), a batch at a time;
* :func:`weight` gives the tweet's influence, ``ln(followers + 1)`` (1.0 when unknown);
* :func:`score_texts` puts them together: polarity, subjectivity, weight, ``weight × polarity`` and
  the scorer's label (by its neutral band) for each tweet; :func:`score_tweet` does it for one.

Scorers (``--scorer``): ``textblob`` (the default) is :class:`TextBlobScorer`, equal bit for bit to
``TextBlob(text).sentiment`` and several times faster. See :mod:`tweetpulse.scorers.registry` for
adding one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from tweetpulse.scorers.base import MessageScorer, Scorer, Sentiment
from tweetpulse.scorers.registry import DEFAULT_SCORER, check_spec, make_scorer, scorer_names
from tweetpulse.scorers.textblob import TextBlobScorer, textblob_sentiment

__all__ = [
    "DEFAULT_SCORER",
    "MessageScorer",
    "ScoreFields",
    "Scorer",
    "Sentiment",
    "TextBlobScorer",
    "TweetScore",
    "check_spec",
    "make_scorer",
    "score_texts",
    "score_tweet",
    "scorer_names",
    "textblob_sentiment",
    "weight",
]


class TweetScore(NamedTuple):
    """Everything the score of one tweet is made of."""

    polarity: float
    subjectivity: float
    weight: float  # ln(followers + 1), or 1.0 when the follower count is unknown
    score: float  # weight × polarity
    label: str  # positive / negative / neutral, by the scorer's neutral band


def weight(followers: int | None) -> float:
    """Influence weight of a tweet: ``ln(followers + 1)``, or 1.0 if unknown."""
    if followers is None:
        return 1.0
    return math.log(followers + 1)


ScoreFields = tuple[float, float, float, float, str]
"""A :class:`TweetScore`'s fields in order, unnamed: what the listener keeps per tweet until it builds its row."""


def score_texts(scorer: Scorer, texts: Sequence[str], followers: Sequence[int | None]) -> list[ScoreFields]:
    """The scoring rule over a batch: ``texts`` scored by ``scorer`` in one call (its batch method, which a
    trained model runs as one prediction), each with the weight of its ``followers``; the fields of a
    :class:`TweetScore` per text, as plain tuples.

    This is the one place the rule is written; the listener calls it once per batch, so it looks the
    label rule up once, computes :func:`weight` inline and builds no record per tweet.
    """
    label = scorer.label
    log = math.log
    out: list[ScoreFields] = []
    append = out.append
    for (polarity, subjectivity), count in zip(scorer.sentiments(texts), followers, strict=True):
        w = 1.0 if count is None else log(count + 1)  # weight(count), inline
        append((polarity, subjectivity, w, w * polarity, label(polarity)))
    return out


def score_tweet(scorer: Scorer, text: str, followers: int | None) -> TweetScore:
    """Score one tweet: its sentiment by ``scorer``, its weight, ``weight × polarity`` and label."""
    return TweetScore._make(score_texts(scorer, [text], [followers])[0])
