"""The TextBlob scorer: ``TextBlob(text).sentiment``, bit for bit, several times faster.

TextBlob's default scorer (``PatternAnalyzer``) runs pattern's ``Sentiment.__call__`` on the raw
string: it tokenizes with ``find_tokens`` (re-implemented in :mod:`._textblob_tokens`), lower-cases
every token, walks the tokens once to build a list of *assessments* (known words, optionally
intensified by a preceding adverb, negated by a preceding "no"/"not"/"never", boosted by "!", plus
emoticons and the "(!)" irony mark) and finally averages polarity and subjectivity over the
assessments. Per call it also creates a fresh ``namedtuple`` class, goes through ``lazydict``
Python-level lookups and rescans the whole emoticon table for most non-alphabetic tokens.

:class:`TextBlobScorer` runs the same algorithm with the same floating-point operations in the
same order, so its results are identical (``==`` and bit-for-bit) to TextBlob's, but it
lower-cases the whole token string once, finds the words that can matter (lexicon words,
negations, "!", "(!)", emoticons) in C, walks the other words only while an intensifier or
negation is pending, and optionally caches results of repeated texts (retweets).

Details of TextBlob's assessment walk that the re-implementation keeps:

* an intensifier keeps applying across words of at most two characters, so in "very :) good" the
  word "good" overwrites the ":)" assessment;
* "!" multiplies the previous assessment's polarity by 1.25 (clamped to 1);
* averages start from the integer 0 and add left to right (not ``sum()``, which uses compensated
  summation for floats from Python 3.12 on).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from tweetpulse.records import ScoredTweet
from tweetpulse.scorers._textblob_native import ENGINES, NativeEngine, native_core, note_fallback
from tweetpulse.scorers._textblob_tokens import Tables, tables, token_string
from tweetpulse.scorers.base import BandedScorer, MessageLike, ResultCache, Sentiment

__all__ = ["DEFAULT_CACHE_SIZE", "NAME", "TextBlobScorer", "create", "textblob_sentiment"]

NAME = "textblob"
DEFAULT_CACHE_SIZE = 65536
_new = tuple.__new__  # builds a Sentiment from a pair without a Python-level __new__ call


def _clamp(x: float) -> float:
    """``max(-1.0, min(x, +1.0))``, including which operand wins ties."""
    if x > 1.0:
        return 1.0
    if x > -1.0:
        return x
    return -1.0


def _skip_inert(words: list[str], a: list[list[float]], m: str | None, n: str | None) -> tuple[str | None, str | None]:
    """Apply ``assessments``' unknown-word rules to words that are not negations,
    "!", "(!)" or emoticons; return the new (modifier, negation) state."""
    for w in words:
        if n is not None and len(w.strip("'")) > 1:
            n = None
        if n is not None and m is not None and m.endswith("ly"):
            a[-1][3] = -1
            n = None
        elif m is not None and len(w) > 2:
            m = None
        if n is None and m is None:
            break  # nothing left that a further inert word could change
    return m, n


def _score(text: str, tb: Tables) -> tuple[float, float]:
    """Pattern's ``Sentiment.__call__`` + ``assessments`` for a plain string."""
    lexicon = tb.lexicon
    modifiers = tb.modifiers
    negations = tb.negations
    # Lower-casing the joined string equals lower-casing each token: the only
    # context-dependent mapping (final sigma) never looks across a space.
    words = token_string(text, tb).lower().split()
    # Each assessment is [polarity, subjectivity, intensity, negated].
    a: list[list[float]] = []
    m: str | None = None  # preceding modifier word
    n: str | None = None  # preceding negation word
    done = 0  # words[:done] have been processed
    # Only lexicon words and "special" unknown words (negations, "!", "(!)",
    # emoticons) can add or change assessments; the others ("inert" words)
    # matter only while a modifier or negation is pending.  Their positions
    # are found in C; inert runs are walked only when state is pending.
    for k in itertools.compress(itertools.count(), map(tb.interesting.__contains__, words)):
        if (m is not None or n is not None) and done < k:
            m, n = _skip_inert(words[done:k], a, m, n)
        done = k + 1
        w = words[k]
        if w in lexicon:
            p, s, i = lexicon[w]
            if m is None:
                last = [p, s, i, 1]
                a.append(last)
            else:
                last = a[-1]
                last[0] = _clamp(p * last[2])
                last[1] = _clamp(s * last[2])
                last[2] = i
            if n is not None:
                last[2] = 1.0 / last[2]
                last[3] = -1
            m = w if w in modifiers else None
            n = w if w in negations else None
        else:
            if w in negations:
                n = w
            elif n is not None and len(w.strip("'")) > 1:
                n = None
            if n is not None and m is not None and m.endswith("ly"):
                a[-1][3] = -1
                n = None
            elif m is not None and len(w) > 2:
                m = None
            if w == "!":
                if a:
                    last = a[-1]
                    last[0] = _clamp(last[0] * 1.25)
            elif w == "(!)":
                a.append([0.0, 1.0, 1.0, 1])
            else:
                mood = tb.emoticons.get(w)
                if mood is not None:
                    a.append([mood, 1.0, 1.0, 1])
    if (m is not None or n is not None) and done < len(words):
        _skip_inert(words[done:], a, m, n)  # may still negate the last assessment
    return _average(a)


def _average(a: list[list[float]]) -> tuple[float, float]:
    """Pattern's avg() over the assessments: a left-to-right sum from int 0, divided by float(count or 1);
    a negated assessment's polarity counts × -0.5."""
    polarity: float = 0
    subjectivity: float = 0
    for p, s, _i, neg in a:
        polarity += p * -0.5 if neg < 0 else p
        subjectivity += s
    count = float(len(a) or 1)
    return polarity / count, subjectivity / count


def textblob_sentiment(text: str) -> tuple[float, float]:
    """The reference implementation: ``tuple(TextBlob(text).sentiment)``."""
    from textblob import TextBlob

    polarity, subjectivity = TextBlob(text).sentiment
    return polarity, subjectivity


class TextBlobScorer(BandedScorer):
    """Sentiment equal to ``TextBlob(text).sentiment``, with a result cache.

    ``cache_size`` bounds the number of cached texts (0 disables the cache); when it is full the
    oldest entry is evicted. ``neutral_band`` is the half-width of the polarity interval that
    :meth:`label` calls neutral (``None``: the default, 0, so only a polarity of exactly 0 is neutral).
    ``engine`` picks the implementation: ``"native"`` (the compiled core, see
    :mod:`._textblob_native`), ``"python"``, or ``None``: native when it is available and
    ``TWEETPULSE_PURE_PYTHON=1`` is not set. Both give the same results; :attr:`engine` says which runs.
    """

    name = NAME

    def __init__(
        self, cache_size: int = DEFAULT_CACHE_SIZE, neutral_band: float | None = None, engine: str | None = None
    ) -> None:
        if cache_size < 0:
            raise ValueError("cache_size must be >= 0")
        if engine is not None and engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)} or None, got {engine!r}")
        super().__init__(neutral_band)
        self.cache_size = cache_size
        self._hits = 0  # the pure-Python engine's cache (and texts Python scored for the compiled one)
        self._misses = 0
        self._cache = ResultCache(cache_size)  # the pure-Python engine's; the compiled engine keeps its own
        self._tables = tables()
        self._native: NativeEngine | None = None
        if engine != "python":
            core = native_core()
            self._native = core.engine
            if self._native is None:
                if engine == "native":
                    raise RuntimeError(f"the native TextBlob scorer is unavailable: {core.reason}")
                note_fallback(core.reason)
            else:
                self._native.set_cache(cache_size)
        self.engine = "python" if self._native is None else "native"

    def sentiment(self, text: str) -> Sentiment:
        """Return ``(polarity, subjectivity)`` exactly as TextBlob computes it."""
        native = self._native
        if native is not None:
            try:
                return _new(Sentiment, native.sentiment(text))  # through the compiled engine's cache
            except UnicodeEncodeError:  # lone surrogates have no UTF-8 form: Python scores them
                self._misses += 1
                return _new(Sentiment, _score(text, self._tables))
        cache = self._cache
        cached = cache.get(text)
        if cached is not None:
            self._hits += 1
            return cached
        self._misses += 1
        result: Sentiment = _new(Sentiment, _score(text, self._tables))
        cache.keep(text, result)
        return result

    def score_messages(
        self, messages: Sequence[MessageLike], max_text: int, now: float
    ) -> list[ScoredTweet | None] | None:
        """A listener's poll batch from Kafka message to :class:`~tweetpulse.records.ScoredTweet` in one
        call to the compiled engine (decoding, the record rule, scoring, the weight, label and row), or
        ``None`` when this scorer runs in pure Python.

        Each message (without a Kafka error) gets its row -- field for field, bit for bit what
        :func:`tweetpulse.records.records_fields`, :func:`tweetpulse.scorers.scoring.score_texts` and
        :meth:`ScoredTweet.from_record` make of it, ``scored_at`` = ``now`` -- or ``None`` where the
        engine leaves it to that Python path (a value its decoder is not sure about, an invalid record,
        a text whose scoring raised).
        """
        native = self._native
        if native is None:
            return None
        rows = native.rows(messages, max_text, now, self.name, self.neutral_band)
        return [None if row is None else _new(ScoredTweet, row) for row in rows]

    @property
    def hits(self) -> int:
        """Texts answered from the result cache."""
        return self._hits + (0 if self._native is None else self._native.cache_info()[0])

    @property
    def misses(self) -> int:
        """Texts scored (not in the result cache)."""
        return self._misses + (0 if self._native is None else self._native.cache_info()[1])

    def cache_info(self) -> dict[str, int]:
        """Cache statistics: hits, misses, current size and capacity."""
        size = len(self._cache) if self._native is None else self._native.cache_info()[2]
        return {"hits": self.hits, "misses": self.misses, "size": size, "capacity": self.cache_size}

    def clear_cache(self) -> None:
        """Drop cached results and reset the hit/miss counters."""
        self._cache.clear()
        if self._native is not None:
            self._native.set_cache(self.cache_size)
        self._hits = 0
        self._misses = 0


def create(arg: str | None, *, neutral_band: float | None, cache_size: int) -> TextBlobScorer:
    """The registry's factory for ``textblob`` (which takes no argument: ``arg`` is always ``None``)."""
    return TextBlobScorer(cache_size=cache_size, neutral_band=neutral_band)
