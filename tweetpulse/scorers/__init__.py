"""Sentiment scorers behind ``--scorer``: TextBlob (the default), VADER and a trained model.

:mod:`tweetpulse.scorers.scoring` is their public face; :mod:`tweetpulse.scorers.registry` maps a name to
a factory (heavy libraries load only when their scorer is asked for).
"""

from tweetpulse.scorers.base import LABELS, BandedScorer, Scorer, Sentiment, label_for
from tweetpulse.scorers.registry import make_scorer

__all__ = ["LABELS", "BandedScorer", "Scorer", "Sentiment", "label_for", "make_scorer"]
