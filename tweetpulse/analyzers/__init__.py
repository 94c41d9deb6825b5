"""Sentiment analyzers: TextBlob (the default), VADER and a trained model, by name.

``make_analyzer("vader")``, ``make_analyzer("model:model.joblib", neutral_band=0.1)``. Each
analyzer module has one factory, ``create(arg, neutral_band)``; the registry below maps a name to
it, so the scorer registry of :mod:`tweetpulse.scoring` can take them over as they are. Modules
are imported only when their scorer is asked for (scikit-learn is not loaded for TextBlob).
"""

from __future__ import annotations

import importlib

from tweetpulse.analyzers.base import LABELS, BatchAnalyzer, Sentiment, SentimentAnalyzer, label_for, sentiments
from tweetpulse.errors import ConfigError

__all__ = [
    "FACTORIES",
    "LABELS",
    "BatchAnalyzer",
    "Sentiment",
    "SentimentAnalyzer",
    "label_for",
    "make_analyzer",
    "sentiments",
]

# name -> module whose ``create(arg, neutral_band)`` builds it
FACTORIES = {
    "textblob": "tweetpulse.analyzers.textblob",
    "vader": "tweetpulse.analyzers.vader",
    "model": "tweetpulse.analyzers.model",
}


def make_analyzer(spec: str, neutral_band: float | None = None) -> SentimentAnalyzer:
    """The analyzer named by ``spec`` (``name`` or ``name:arg``); ``neutral_band=None``: its own default."""
    name, _, arg = spec.partition(":")
    module = FACTORIES.get(name.strip().lower())
    if module is None:
        raise ConfigError(f"unknown scorer {spec!r}; known scorers: textblob, vader, model:PATH")
    analyzer: SentimentAnalyzer = importlib.import_module(module).create(arg or None, neutral_band)
    return analyzer
