"""A scorer trained by ``tweetpulse train``: signed class probability in place of polarity.

``polarity = P(positive) - P(negative)`` and ``subjectivity = 1 - P(neutral)``, from the
classifier's probabilities. A tweet is labelled neutral when ``|polarity|`` is within the neutral
band, which ``tweetpulse train`` chose on its training data (cross-validated) and wrote into the
model file; give ``neutral_band`` to override it.

The model file holds no code and loading it runs none (see :mod:`tweetpulse.scorers.modelfile`).
:meth:`ModelScorer.sentiments` scores a whole batch with one vectorize and one ``predict_proba``
(each distinct text once); :meth:`ModelScorer.sentiment` is a batch of one, with the same result for
the same text. With the compiled core the batch's n-grams are counted in Rust and scikit-learn's
own tf-idf and classifier do the rest: the same probabilities as ``pipeline.predict_proba``, bit for
bit (see :mod:`._model_native`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tweetpulse.errors import ConfigError
from tweetpulse.scorers._model_native import fast_probabilities
from tweetpulse.scorers._textblob_native import ENGINES
from tweetpulse.scorers.base import BandedScorer, ResultCache, Sentiment
from tweetpulse.scorers.modelfile import ModelFile, load_model

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

    def __init__(
        self, path: str | Path, neutral_band: float | None = None, engine: str | None = None, cache_size: int = 0
    ) -> None:
        """``engine``: ``"native"`` (compiled counting, see :mod:`._model_native`), ``"python"``
        (``pipeline.predict_proba``) or ``None``: native when it can run. Both give the same results;
        :attr:`engine` says which runs. ``cache_size`` bounds the results kept for repeated texts
        (retweets; 0: none), the oldest evicted first."""
        self.path = Path(path)
        self._adopt(load_model(self.path), neutral_band, engine, cache_size)

    @classmethod
    def fitted(
        cls, model: ModelFile, neutral_band: float | None = None, engine: str | None = None, cache_size: int = 0
    ) -> ModelScorer:
        """The scorer of a pipeline already in memory (e.g. just trained), as if loaded from a file."""
        scorer = cls.__new__(cls)
        scorer.path = Path("(fitted)")
        scorer._adopt(model, neutral_band, engine, cache_size)
        return scorer

    def _adopt(self, model: ModelFile, neutral_band: float | None, engine: str | None, cache_size: int) -> None:
        if engine is not None and engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)} or None, got {engine!r}")
        if cache_size < 0:
            raise ValueError("cache_size must be >= 0")
        self.cache_size = cache_size
        self._cache = ResultCache(cache_size)
        self.meta = model.meta
        self._pipeline = model.pipeline
        fast = fast_probabilities(model.pipeline) if engine != "python" else None
        if fast is None and engine == "native":
            raise RuntimeError("the model scorer's compiled counting is unavailable (see the log for why)")
        self._probabilities = fast if fast is not None else model.pipeline.predict_proba
        self.engine = "python" if fast is None else "native"
        self._classes: list[str] = list(model.meta["classes"])
        self.name = f"model:{self.path.name}"
        # the file's own band, chosen in training, is this scorer's default
        super().__init__(float(model.meta.get("neutral_band", 0.0)) if neutral_band is None else neutral_band)

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        """The batch: one vectorize and one ``predict_proba`` for the distinct texts not in the cache."""
        if not texts:
            return []
        cache = self._cache
        fresh = list(dict.fromkeys(text for text in texts if text not in cache))
        scored: dict[str, Sentiment] = {}
        if fresh:
            scored = dict(zip(fresh, signed_sentiments(self._classes, self._probabilities(fresh)), strict=True))
        out = [scored[text] if text in scored else cache[text] for text in texts]
        for text, result in scored.items():
            cache.keep(text, result)
        return out

    def sentiment(self, text: str) -> Sentiment:
        return self.sentiments([text])[0]

    def __repr__(self) -> str:
        return f"ModelScorer({str(self.path)!r}, neutral_band={self.neutral_band}, engine={self.engine!r})"


def create(arg: str | None, *, neutral_band: float | None, cache_size: int) -> ModelScorer:
    """The registry's factory for ``model:PATH``."""
    if not arg:
        raise ConfigError("the model scorer needs its file: --scorer model:PATH (a file 'tweetpulse train' wrote)")
    return ModelScorer(arg, neutral_band, cache_size=cache_size)
