"""Sentiment analyzers behind ``--scorer``: TextBlob (the default), VADER and a trained model.

:mod:`tweetpulse.scoring` is their public face; :mod:`tweetpulse.analyzers.registry` maps a name to
a factory (heavy libraries load only when their scorer is asked for).
"""

from tweetpulse.analyzers.base import LABELS, BatchAnalyzer, Sentiment, SentimentAnalyzer, label_for, sentiments
from tweetpulse.analyzers.registry import make_analyzer

__all__ = ["LABELS", "BatchAnalyzer", "Sentiment", "SentimentAnalyzer", "label_for", "make_analyzer", "sentiments"]
