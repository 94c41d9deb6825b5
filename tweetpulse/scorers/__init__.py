"""Sentiment analyzers behind ``--scorer``: TextBlob (the default), VADER and a trained model.

:mod:`tweetpulse.scorers.scoring` is their public face; :mod:`tweetpulse.scorers.registry` maps a name to
a factory (heavy libraries load only when their scorer is asked for).
"""

from tweetpulse.scorers.base import LABELS, BatchAnalyzer, Sentiment, SentimentAnalyzer, label_for, sentiments
from tweetpulse.scorers.registry import make_analyzer

__all__ = ["LABELS", "BatchAnalyzer", "Sentiment", "SentimentAnalyzer", "label_for", "make_analyzer", "sentiments"]
