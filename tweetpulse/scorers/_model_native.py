"""The trained scorer's batch path: compiled n-gram counting, then scikit-learn's own tf-idf and classifier.

``pipeline.predict_proba(texts)`` spends most of its time in pure Python: each vectorizer runs its
preprocessor (:func:`.features.tweet_words` runs :func:`.features.tweet_chars` again), builds
every n-gram as a Python string and counts them in a dict. :class:`FastProbabilities` gives the
same probabilities, bit for bit, with less of that work:

* each text is normalised once (``tweet_chars``), and its words derived from that
  (:func:`.features.negation_words`), by the crate's ``TweetText`` (``native/src/tweettext.rs``:
  the same substitutions, scanned as ``re.sub`` scans, at about a third of the cost); Python's own
  text semantics stay in charge (the crate asks Python what its regex word and space classes and ``str.lower()``
  make of each non-ASCII character; the word tokens are those of the vectorizer's ``token_pattern``);
* the crate's ``NgramCounter`` (``native/src/ngrams.rs``) makes the n-grams as scikit-learn's
  ``_char_wb_ngrams`` / ``_word_ngrams`` do and counts them against the fitted ``vocabulary_``
  into the arrays of the CSR matrix ``CountVectorizer._count_vocab`` builds (int32 indices,
  C-int counts, sorted indices, the vectorizer's dtype);
* then everything numeric is scikit-learn's own: each vectorizer's fitted ``TfidfTransformer``,
  the FeatureUnion's ``_hstack``, the classifier's ``predict_proba``.

It is used only for a pipeline of exactly the shape ``tweetpulse train`` builds (see
:func:`fast_probabilities`); any other pipeline, a missing compiled core, ``TWEETPULSE_PURE_PYTHON=1``,
or a batch the crate refuses (a text with lone surrogates) goes through ``pipeline.predict_proba``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from tweetpulse.scorers._textblob_native import PURE_PYTHON, PURE_PYTHON_ENV
from tweetpulse.scorers.features import NEGATIONS, negation_marked, tweet_chars, tweet_words

__all__ = ["FastProbabilities", "fast_probabilities"]

log = logging.getLogger(__name__)

# preprocessor → the analyzer it must come with
_EXPECTED = {tweet_words: "word", tweet_chars: "char_wb"}
# scikit-learn's default token_pattern: on tweet_words' output, the \w runs of two or more code points
_DEFAULT_TOKENS = r"(?u)\b\w\w+\b"


class _Part(NamedTuple):
    """One vectorizer of the union: whether it reads words (else chars), its counter, its tf-idf."""

    words: bool
    counter: Any
    vectorizer: Any


def _plain_vectorizer(vectorizer: Any) -> str | None:
    """Why ``vectorizer`` is not one the batch path reproduces, or None when it is."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if type(vectorizer) is not TfidfVectorizer:
        return f"a {type(vectorizer).__name__} in the union"
    analyzer = _EXPECTED.get(vectorizer.preprocessor)
    if analyzer is None or vectorizer.analyzer != analyzer:
        return "a vectorizer with another preprocessor or analyzer"
    settings_ok = (
        vectorizer.input == "content"
        and vectorizer.tokenizer is None
        and vectorizer.stop_words is None
        and not vectorizer.binary
        and vectorizer.vocabulary is None
    )
    if not settings_ok or not hasattr(vectorizer, "vocabulary_") or not hasattr(vectorizer, "_tfidf"):
        return "a vectorizer with settings tweetpulse train never uses"
    return None


def _why_not(pipeline: Any) -> str | None:
    """Why ``pipeline`` is not the shape ``tweetpulse train`` builds, or None when it is."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    if type(pipeline) is not Pipeline or len(pipeline.steps) != 2:
        return "not a two-step Pipeline"
    union, classifier = pipeline.steps[0][1], pipeline.steps[1][1]
    if type(union) is not FeatureUnion or union.transformer_weights is not None:
        return "its first step is not a plain FeatureUnion"
    if not hasattr(classifier, "predict_proba"):
        return "its classifier has no predict_proba"
    for _name, vectorizer in union.transformer_list:
        reason = _plain_vectorizer(vectorizer)
        if reason:
            return reason
    return None


class FastProbabilities:
    """``pipeline.predict_proba`` for a pipeline of ``tweetpulse train``'s shape, counted by the crate."""

    def __init__(self, pipeline: Any, counter_type: Callable[..., Any], text_type: Callable[..., Any]) -> None:
        self._pipeline = pipeline
        self._text = text_type(sorted(NEGATIONS))  # the crate's tweet_chars and default_tokens
        self._union = pipeline.steps[0][1]
        self._classifier = pipeline.steps[1][1]
        self._parts = [
            _Part(
                v.analyzer == "word",
                counter_type(list(v.vocabulary_.items()), v.analyzer, tuple(v.ngram_range)),
                v,
            )
            for _name, v in self._union.transformer_list
        ]
        words = [p.vectorizer for p in self._parts if p.words]
        self._tokens: Callable[[str], list[str]] | None = None
        self._default_tokens = bool(words) and words[0].token_pattern == _DEFAULT_TOKENS
        if words and not self._default_tokens:
            tokenize = words[0].build_tokenizer()
            self._tokens = lambda chars: tokenize(negation_marked(chars))

    def _counts(self, part: _Part, chars: list[str], tokens: list[list[str]]) -> Any:
        """The count matrix ``CountVectorizer._count_vocab`` builds, from the crate's arrays: char
        n-grams of the ``tweet_chars`` texts (split by the crate as ``str.split()`` splits), word
        n-grams of the tokens."""
        import numpy as np
        import scipy.sparse as sp

        indptr, indices, counts = part.counter.count(tokens) if part.words else part.counter.count_texts(chars)
        v = part.vectorizer
        x = sp.csr_array(
            (
                np.frombuffer(counts, dtype=np.intc),
                np.frombuffer(indices, dtype=np.int32),
                np.frombuffer(indptr, dtype=np.int32),
            ),
            shape=(len(chars), len(v.vocabulary_)),
            dtype=v.dtype,
        )
        x.sort_indices()
        return x

    def __call__(self, texts: Sequence[str]) -> Any:
        """The ``(n, classes)`` probabilities of ``texts``, equal to ``pipeline.predict_proba(texts)``."""
        try:
            chars: list[str] = self._text.tweet_chars(list(texts))
            if self._default_tokens:
                tokens: list[list[str]] = self._text.default_tokens(chars)
            else:
                tokens = [self._tokens(c) for c in chars] if self._tokens is not None else []
            counted = [self._counts(part, chars, tokens) for part in self._parts]
        except UnicodeError:  # a lone surrogate: the crate takes only what UTF-8 can hold
            return self._pipeline.predict_proba(list(texts))
        tfidf = [part.vectorizer._tfidf.transform(x, copy=False) for part, x in zip(self._parts, counted, strict=True)]
        return self._classifier.predict_proba(self._union._hstack(tfidf))


def fast_probabilities(pipeline: Any) -> Callable[[Sequence[str]], Any] | None:
    """The compiled batch path for ``pipeline``, or None (then ``pipeline.predict_proba`` it is)."""
    if PURE_PYTHON:
        log.info("model scorer: scikit-learn's own counting (%s=1 is set)", PURE_PYTHON_ENV)
        return None
    try:
        from tweetpulse_native import NgramCounter, TweetText
    except ImportError:
        log.info("model scorer: scikit-learn's own counting (the compiled core is not installed: run make setup)")
        return None
    reason = _why_not(pipeline)
    if reason:
        log.info("model scorer: scikit-learn's own counting (%s)", reason)
        return None
    try:
        return FastProbabilities(pipeline, NgramCounter, TweetText)
    except ValueError as exc:  # e.g. char n-grams longer than the crate counts
        log.info("model scorer: scikit-learn's own counting (%s)", exc)
        return None
