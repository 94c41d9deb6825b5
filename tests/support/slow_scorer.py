"""A scorer that takes its time, for tests of what a slow scorer must not break (``--idle-exit``).

Spawned workers build their analyzer from their settings (``settings.make_scorer()``), so a test
hands the listener :class:`SlowScorerSettings`: pickled by reference, it rebuilds in the worker
(which gets the test's ``sys.path``) and gives TextBlob's scores, ``delay`` seconds per tweet late.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.scorers.base import Scorer, Sentiment


class SlowAnalyzer:
    """``inner``'s results, ``delay`` seconds per text later (per text and per batch alike)."""

    def __init__(self, inner: Scorer, delay: float) -> None:
        self.inner = inner
        self.delay = delay
        self.name = inner.name
        self.neutral_band = inner.neutral_band

    def sentiment(self, text: str) -> Sentiment:
        time.sleep(self.delay)
        return self.inner.sentiment(text)

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        time.sleep(self.delay * len(texts))
        return [self.inner.sentiment(text) for text in texts]

    def label(self, polarity: float) -> str:
        return self.inner.label(polarity)


@dataclass(frozen=True)
class SlowScorerSettings(ListenerSettings):
    """Listener settings whose workers score with a :class:`SlowAnalyzer`."""

    delay: float = 0.001

    def make_scorer(self) -> Scorer:
        return SlowAnalyzer(super().make_scorer(), self.delay)
