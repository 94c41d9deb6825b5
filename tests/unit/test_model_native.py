"""The trained scorer's compiled batch path gives ``pipeline.predict_proba``'s probabilities, bit for bit.

Models are fitted here with :mod:`tweetpulse.workbook.training`'s own pipeline (both feature sets of
its grid) on the shared 500 labeled tweets, and compared with scikit-learn over those tweets, the
benchmarks' generated texts and hostile text (hypothesis). The native-only tests fail, not skip,
wherever the compiled core should be there (tests/support/native.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.data import text_pool
from tests.conftest import SHARED_DATA
from tests.support.native import require_native
from tweetpulse.scorers import _model_native, features
from tweetpulse.scorers._model_native import fast_probabilities
from tweetpulse.scorers.features import negation_marked, tweet_chars, tweet_words
from tweetpulse.scorers.model import ModelScorer
from tweetpulse.scorers.modelfile import save_model
from tweetpulse.workbook.labeled import read_labeled
from tweetpulse.workbook.training import FEATURE_GRID, Setting, build_pipeline

pytestmark = pytest.mark.unit

# Whitespace str.split() and \s know outside ASCII, marks, wide and astral characters, the pieces
# of links, mentions, emoticons and repeats, very long words.
_PIECES = [*"ab cdeGOOD not:)(;-DPx8<3^_/.@#!?'=\t\n", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2028"]
_PIECES += ["\u0301", "\u0345", "é", "İ", "Σ", "ß", "😀", "🚀", "\U0001d400", "\u200b", "\x00", "ﬁ", "x" * 40]
_PIECES += ["http://a.b/c", "www.", "a.b/", "@bob", ":-)", ":'(", "</3", "D:", "XD", "^_^", "ooo", " not ", "don't"]
HOSTILE = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@pytest.fixture(scope="module")
def labeled() -> tuple[list[str], list[str]]:
    path = SHARED_DATA / "twitter_validation_sample.csv"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the tests need ../shared/data beside the project", pytrace=False)
    rows = read_labeled(path).rows
    return [r.text for r in rows], [r.label for r in rows]


@pytest.fixture(scope="module", params=range(len(FEATURE_GRID)), ids=lambda i: f"features{i}")
def pipeline(request: pytest.FixtureRequest, labeled: tuple[list[str], list[str]]) -> Any:
    """``tweetpulse train``'s pipeline for one feature set of its grid, fitted on the shared tweets."""
    texts, labels = labeled
    return build_pipeline(Setting(FEATURE_GRID[request.param], 4.0)).fit(texts, labels)


@pytest.fixture(scope="module")
def fast(pipeline: Any) -> Any:
    require_native()
    probabilities = fast_probabilities(pipeline)
    assert probabilities is not None, "the compiled batch path refused tweetpulse train's own pipeline"
    return probabilities


def _assert_identical(fast: Any, pipeline: Any, texts: list[str]) -> None:
    got = np.asarray(fast(texts))
    want = pipeline.predict_proba(texts)
    assert got.dtype == want.dtype and got.shape == want.shape
    different = np.flatnonzero((got.view(np.uint64) != want.view(np.uint64)).any(axis=1))
    assert not different.size, f"{different.size} rows differ, first {texts[different[0]]!r}"


def test_identical_on_the_shared_tweets(fast: Any, pipeline: Any, labeled: tuple[list[str], list[str]]) -> None:
    _assert_identical(fast, pipeline, labeled[0])


def test_identical_on_the_benchmark_texts(fast: Any, pipeline: Any) -> None:
    texts = list(text_pool()[:6000])
    for start in range(0, len(texts), 1500):
        _assert_identical(fast, pipeline, texts[start : start + 1500])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(HOSTILE, min_size=1, max_size=8))
def test_identical_on_hostile_text(fast: Any, pipeline: Any, texts: list[str]) -> None:
    _assert_identical(fast, pipeline, texts)


def test_edge_texts_identical(fast: Any, pipeline: Any) -> None:
    texts = ["", " ", "\t\x1c\x85\xa0", "a", "ab", "x" * 5000, "a b c d", ":) :( <3 </3 xD D:", "not\u00a0good"]
    texts += ["🚀" * 3 + " " + "e\u0301" * 4, "İstanbul ΣΑΣ straße", "no no no no never good", "\U0001d400\U0001d401"]
    _assert_identical(fast, pipeline, texts)


def test_a_batch_with_a_lone_surrogate_falls_back(fast: Any, pipeline: Any) -> None:
    texts = ["good day", "bad \ud800 day", "not good"]
    _assert_identical(fast, pipeline, texts)


def _model_file(pipeline: Any, folder: Path) -> Path:
    classes = [str(c) for c in pipeline.classes_]
    return save_model(folder / "m.skops", pipeline, {"classes": classes, "neutral_band": 0.1})


def test_both_engines_give_the_same_sentiments(fast: Any, pipeline: Any, tmp_path: Path) -> None:
    path = _model_file(pipeline, tmp_path)
    native, python = ModelScorer(path, engine="native"), ModelScorer(path, engine="python")
    assert (native.engine, python.engine) == ("native", "python")
    assert ModelScorer(path).engine == "native"
    texts = [*text_pool()[:400], "bad \udfff", ""]
    texts += texts[:50]  # repeats are scored once and mapped back
    assert native.sentiments(texts) == python.sentiments(texts)
    assert native.sentiments(texts[:3]) == [native.sentiment(t) for t in texts[:3]]
    with pytest.raises(ValueError, match="engine"):
        ModelScorer(path, engine="fortran")


def _record_batches(scorer: ModelScorer, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The texts of each batch the scorer's probabilities are asked for, from now on."""
    seen: list[list[str]] = []
    score = scorer._probabilities

    def recording(texts: list[str]) -> Any:
        seen.append(list(texts))
        return score(texts)

    monkeypatch.setattr(scorer, "_probabilities", recording)
    return seen


def test_repeats_in_a_batch_are_scored_once(pipeline: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = ModelScorer(_model_file(pipeline, tmp_path), engine="python")
    seen = _record_batches(scorer, monkeypatch)
    out = scorer.sentiments(["b", "a", "b", "b", "a"])
    assert seen == [["b", "a"]]
    assert out[0] == out[2] == out[3] and out[1] == out[4] and out[0] != out[1]


def test_the_cache_keeps_the_latest_results(pipeline: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = ModelScorer(_model_file(pipeline, tmp_path), cache_size=2)
    seen = _record_batches(scorer, monkeypatch)
    first = scorer.sentiments(["a", "b", "c"])  # "a" is evicted: the cache holds two
    assert scorer.sentiments(["c", "b", "c"]) == [first[2], first[1], first[2]]
    assert scorer.sentiments(["a", "d", "c"]) == [first[0], scorer.sentiment("d"), first[2]]
    assert seen == [["a", "b", "c"], ["a", "d"]]
    with pytest.raises(ValueError, match="cache_size"):
        ModelScorer(_model_file(pipeline, tmp_path), cache_size=-1)


def test_another_token_pattern_is_followed(pipeline: Any) -> None:
    require_native()
    from sklearn.base import clone

    texts, labels = ["good good day", "bad bad day", "good bad day", "a day"] * 3, ["positive", "negative"] * 6
    single = clone(pipeline).set_params(features__words__token_pattern=r"(?u)\b\w+\b").fit(texts, labels)
    fast = fast_probabilities(single)
    assert fast is not None
    _assert_identical(fast, single, ["a b c", "x y'z good", "not a day", "", "i'm ok"])


def test_other_pipelines_use_scikit_learn(pipeline: Any) -> None:
    require_native()
    from sklearn.base import clone

    weighted = clone(pipeline).set_params(features__transformer_weights={"words": 2.0})
    long_chars = clone(pipeline).set_params(features__chars__ngram_range=(2, 7))
    binary = clone(pipeline).set_params(features__words__binary=True)
    stop = clone(pipeline).set_params(features__words__stop_words=["the"])
    texts, labels = ["good good day", "bad bad day", "good bad day", "a day"] * 3, ["positive", "negative"] * 6
    for other in (weighted, long_chars, binary, stop):
        assert fast_probabilities(other.fit(texts, labels)) is None
    assert fast_probabilities(clone(pipeline)) is None  # not fitted


def test_pure_python_switch_uses_scikit_learn(pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_model_native, "PURE_PYTHON", True)
    assert fast_probabilities(pipeline) is None


# -- the preprocessors the batch path splits: same results as before the split and the skips -------
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*")
_REPEATS_BEFORE = re.compile(r"(.)\1{2,}")


def _tweet_chars_without_skips(text: str) -> str:
    """:func:`tweet_chars` as first written: every substitution run, whatever the text."""
    text = _URL.sub(" xurl ", text)
    text = features._USER.sub(" xuser ", text)
    text = features._POSITIVE_EMOTICON.sub(" xemopos ", text)
    text = features._NEGATIVE_EMOTICON.sub(" xemoneg ", text)
    return _REPEATS_BEFORE.sub(r"\1\1", text.lower())


@settings(max_examples=500, deadline=None)
@given(HOSTILE)
def test_tweet_chars_skips_only_substitutions_that_cannot_match(text: str) -> None:
    assert tweet_chars(text) == _tweet_chars_without_skips(text)
    assert tweet_words(text) == negation_marked(tweet_chars(text))


def default_tokens(chars: str) -> list[str]:
    """The word vectorizer's tokens of a ``tweet_chars`` result: scikit-learn's default token_pattern on
    the negation-marked words (what the crate's ``TweetText.default_tokens`` gives)."""
    return re.findall(r"(?u)\b\w\w+\b", negation_marked(chars))


def test_tweet_chars_on_the_benchmark_texts() -> None:
    for text in text_pool()[:8000]:
        assert tweet_chars(text) == _tweet_chars_without_skips(text), text
    assert features._URL.pattern == _URL.pattern


# -- the crate's TweetText: tweet_chars and default_tokens, as Python's regexes give them ----------
@pytest.fixture(scope="module")
def tweet_text() -> Any:
    require_native()
    from tweetpulse_native import TweetText

    return TweetText(sorted(features.NEGATIONS))


def _assert_same_text(tweet_text: Any, texts: list[str]) -> None:
    chars = tweet_text.tweet_chars(texts)
    tokens = tweet_text.default_tokens(chars)
    for text, got_chars, got_tokens in zip(texts, chars, tokens, strict=True):
        want = tweet_chars(text)
        assert got_chars == want, text
        assert got_tokens == default_tokens(want), text


# every character the patterns name, their neighbours, and what \w, \s and str.lower() decide
# differently outside ASCII (marks, digits that are not decimal, final sigma, wide spaces)
_ALPHABET = ":;=8-o*')]}dDpP3<^_xX([{/\\|@.w htps09aZİΣσß²٣é\u0301\u00a0\u3000\u2028\x1c\x85\n\t!?,😀"


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(HOSTILE, st.text(alphabet=_ALPHABET, max_size=40)))
def test_the_crates_tweet_text_is_python_s_on_hostile_text(tweet_text: Any, text: str) -> None:
    _assert_same_text(tweet_text, [text])


def test_the_crates_tweet_text_on_many_random_and_real_texts(
    tweet_text: Any, labeled: tuple[list[str], list[str]]
) -> None:
    import random

    rng = random.Random(23)
    pieces = [*_ALPHABET, "http://", "https://", "www.", ":-)", "</3", "<33", "^_^", "xDD", "D:", ":'(", "not "]
    pieces += ["don't ", "ΣΑΣ ", "ooo", "!!!", "\n\n\n", "a.b/", "-a.b/c", "x-.y/", "a-b-c-d.e/f"]
    random_texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(20_000)]
    _assert_same_text(tweet_text, [*labeled[0], *text_pool()[:8000], *random_texts])


def test_the_crates_tweet_text_refuses_lone_surrogates(tweet_text: Any) -> None:
    with pytest.raises(UnicodeError):  # the batch path then goes through scikit-learn
        tweet_text.tweet_chars(["ok", "bad \ud800"])
