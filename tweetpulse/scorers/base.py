"""What every scorer is: the :class:`Scorer` seam and the label rule it shares (:class:`BandedScorer`).

A scorer turns a text into a :class:`Sentiment` (polarity in [-1, 1], subjectivity in [0, 1]), one at a
time or a batch at a time, and calls a polarity ``positive``, ``negative`` or ``neutral`` by its neutral
band. Scorers are built by name (:mod:`tweetpulse.scorers.registry`), so that spawned listener workers
build their own from a plain string.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from tweetpulse.errors import ConfigError
from tweetpulse.records import ScoredTweet

__all__ = [
    "LABELS",
    "BandedScorer",
    "MessageLike",
    "MessageScorer",
    "Scorer",
    "ScorerFactory",
    "Sentiment",
    "check_band",
    "label_for",
    "no_argument",
]

LABELS = ("negative", "neutral", "positive")


class Sentiment(NamedTuple):
    """One text's sentiment: ``polarity`` in [-1, 1] and ``subjectivity`` in [0, 1]."""

    polarity: float
    subjectivity: float


class Scorer(Protocol):
    """Scores texts; :func:`tweetpulse.scorers.scoring.score_tweet` turns that into a tweet's score."""

    @property
    def name(self) -> str:
        """The spec that builds this scorer again (``textblob``, ``model:PATH``...)."""
        ...

    @property
    def neutral_band(self) -> float:
        """Half-width of the polarity interval :meth:`label` calls neutral."""
        ...

    def sentiment(self, text: str) -> Sentiment:
        """The text's polarity and subjectivity."""
        ...

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        """``[sentiment(t) for t in texts]``, equal item for item, scored as one batch where that is faster
        (a trained model vectorizes and predicts once); the listener's workers score their batches so."""
        ...

    def label(self, polarity: float) -> str:
        """``positive`` / ``negative`` outside ``±neutral_band``, else ``neutral``."""
        ...


class MessageLike(Protocol):
    """What a scorer's message path reads of a Kafka message (``confluent_kafka.Message``'s methods)."""

    def value(self) -> bytes | None: ...

    def partition(self) -> int | None: ...

    def offset(self) -> int | None: ...

    def timestamp(self) -> tuple[int, int]: ...


@runtime_checkable
class MessageScorer(Protocol):
    """A scorer that can also take a listener's poll batch from message to row in one call
    (:meth:`tweetpulse.scorers.textblob.TextBlobScorer.score_messages`): a row, or ``None`` where the
    caller's own path must decide, per message; ``None`` for the whole batch when it can't now."""

    def score_messages(
        self, messages: Sequence[MessageLike], max_text: int, now: float
    ) -> list[ScoredTweet | None] | None: ...


class ResultCache(OrderedDict[str, Sentiment]):
    """A scorer's results by text: at most ``size`` (0 keeps none), the oldest evicted first.

    Eviction is ``popitem(last=False)``, O(1); a dict's ``next(iter())`` walks every slot deleted
    before it, which cost 29 µs a tweet once 65,536 results were kept.
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, text: str, result: Sentiment) -> None:
        if self.size:
            if len(self) >= self.size:
                self.popitem(last=False)
            self[text] = result


class ScorerFactory(Protocol):
    """Builds a scorer from the part of its spec after the colon (``None`` if there is none).

    ``neutral_band`` is ``None`` for the scorer's own default; ``cache_size`` bounds the result cache
    of a scorer that keeps one. A factory raises :class:`tweetpulse.errors.ConfigError` for an
    argument it can't use, and imports heavy libraries itself, so naming other scorers never loads them.
    """

    def __call__(self, arg: str | None, *, neutral_band: float | None, cache_size: int) -> Scorer: ...


def label_for(polarity: float, neutral_band: float) -> str:
    """The label rule: positive above ``+neutral_band``, negative below ``-neutral_band``, else neutral
    (a polarity on the band's edge, and 0.0 with a band of 0, is neutral)."""
    if polarity > neutral_band:
        return "positive"
    if polarity < -neutral_band:
        return "negative"
    return "neutral"


def check_band(neutral_band: float) -> float:
    """A usable neutral band (0 <= band < 1), or a ConfigError saying what to give."""
    if not 0.0 <= neutral_band < 1.0:  # also rejects NaN
        raise ConfigError(
            f"the neutral band must be at least 0 and below 1, got {neutral_band}: "
            "e.g. --neutral-band 0.05 calls |polarity| <= 0.05 neutral"
        )
    return float(neutral_band)


class BandedScorer:
    """The base every scorer here shares: the label rule by ``neutral_band`` (``None`` picks the class's
    :attr:`DEFAULT_BAND`), a batch method that loops :meth:`sentiment` (a scorer with a faster batch
    overrides it), and a repr."""

    name: str
    DEFAULT_BAND = 0.0

    def __init__(self, neutral_band: float | None = None) -> None:
        self.neutral_band = check_band(self.DEFAULT_BAND if neutral_band is None else neutral_band)

    def sentiment(self, text: str) -> Sentiment:
        raise NotImplementedError

    def sentiments(self, texts: Sequence[str]) -> list[Sentiment]:
        """Each text's :meth:`sentiment`, in order."""
        sentiment = self.sentiment
        return [sentiment(text) for text in texts]

    def label(self, polarity: float) -> str:
        return label_for(polarity, self.neutral_band)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(neutral_band={self.neutral_band})"


def no_argument(name: str, arg: str | None) -> None:
    """Refuse ``name:arg`` for a scorer that takes no argument."""
    if arg:
        raise ConfigError(f"the {name} scorer takes no argument, got '{name}:{arg}'; use --scorer {name}")
