"""A scorer trained by ``tweetpulse train``: signed class probability in place of polarity.

``polarity = P(positive) - P(negative)`` and ``subjectivity = 1 - P(neutral)``, from the
classifier's probabilities. A tweet is labelled neutral when ``|polarity|`` is within the neutral
band, which ``tweetpulse train`` chose on its training data (cross-validated) and wrote into the
model file; give ``neutral_band`` to override it.

The model file holds no code and loading it runs none (see :mod:`tweetpulse.scorers.modelfile`).
:meth:`ModelScorer.sentiments` scores a whole batch with one vectorize and one ``predict_proba``;
:meth:`ModelScorer.sentiment` is a batch of one, with the same result for the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tweetpulse.errors import ConfigError
from tweetpulse.scorers.base import BandedScorer, Sentiment
from tweetpulse.scorers.modelfile import load_model

NAME = "model"


def signed_sentiments(classes: Sequence[str], probabilities: Any) -> list[Sentiment]:
    """``P(positive) - P(negative)`` and ``1 - P(neutral)`` per row of class probabilities
    (an ``(n, classes)`` array; a class the model lacks counts as probability 0)."""
    import numpy as np

    matrix = np.asarray(probabilities, dtype=np.float64).reshape(-1, len(classes))
    zero = np.zeros(matrix.shape[0])
    index = {label: i for i, label in enumerate(classes)}

    def column(label: str) -> Any:
        return matrix[:, index[label]] if label in index else zero

    polarity = (column("positive") - column("negative")).tolist()
    subjectivity = (1.0 - column("neutral")).tolist()
    return list(map(Sentiment._make, zip(polarity, subjectivity, strict=True)))


class ModelScorer(BandedScorer):
    """The classifier in a model file written by ``tweetpulse train``."""

    def __init__(self, path: str | Path, neutral_band: float | None = None) -> None:
        self.path = Path(path)
        model = load_model(self.path)
        self.meta = model.meta
        self._pipeline = model.pipeline
        self._classes: list[str] = list(model.meta["classes"])
        self.name = f"model:{self.path.name}"
        # the file's own band, chosen in training, is this scorer's default
        super().__init__(float(model.meta.get("neutral_band", 0.0)) if neutral_band is None else neutral_band)

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        """The batch: one vectorize and one ``predict_proba`` for all of ``texts``."""
        if not texts:
            return []
        return signed_sentiments(self._classes, self._pipeline.predict_proba(list(texts)))

    def sentiment(self, text: str) -> Sentiment:
        return self.sentiments([text])[0]

    def __repr__(self) -> str:
        return f"ModelScorer({str(self.path)!r}, neutral_band={self.neutral_band})"


def create(arg: str | None, *, neutral_band: float | None, cache_size: int) -> ModelScorer:
    """The registry's factory for ``model:PATH``."""
    if not arg:
        raise ConfigError("the model scorer needs its file: --scorer model:PATH (a file 'tweetpulse train' wrote)")
    return ModelScorer(arg, neutral_band)
