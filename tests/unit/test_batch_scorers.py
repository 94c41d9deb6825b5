"""Every scorer's batch method (``sentiments``) gives exactly what ``sentiment`` gives, text by text."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.labeled_files import trained_model
from tweetpulse.scorers import Scorer, Sentiment, make_scorer
from tweetpulse.scorers.base import BandedScorer
from tweetpulse.scorers.registry import SCORERS
from tweetpulse.workbook.labeled import read_labeled


@pytest.fixture(scope="module")
def model_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    path, _ = trained_model(tmp_path_factory.mktemp("m"))
    return f"model:{path}"


def shared_texts(shared_csv: Path) -> list[str]:
    texts = read_labeled(shared_csv).texts
    # repeats (retweets) inside one batch, an empty text, emoji, a lone surrogate-free odd one
    return [*texts, *texts[:25], "", "🚀🚀 to the moon :)", "not good at all :(", texts[3]]


@pytest.mark.parametrize("name", ["textblob", "vader", "model"])
def test_batch_equals_one_by_one(name: str, model_spec: str, shared_csv: Path) -> None:
    spec = model_spec if name == "model" else name
    texts = shared_texts(shared_csv)
    one_by_one = [make_scorer(spec, cache_size=0).sentiment(t) for t in texts]
    analyzer = make_scorer(spec, cache_size=0)
    batch = analyzer.sentiments(texts)
    assert len(batch) == len(texts) == len(one_by_one)
    assert batch == one_by_one  # exact float equality, item for item
    assert all(type(s) is Sentiment for s in batch)
    assert analyzer.sentiments([]) == []
    # in pieces of any size, the same again
    pieces = [s for i in range(0, len(texts), 37) for s in analyzer.sentiments(texts[i : i + 37])]
    assert pieces == one_by_one
    assert len({s.polarity for s in batch}) > 20  # the texts really differ: equality is not vacuous


def test_every_registered_scorer_is_a_banded_scorer_with_the_batch_method(model_spec: str) -> None:
    for name in SCORERS:
        scorer = make_scorer(model_spec if name == "model" else name)
        assert isinstance(scorer, BandedScorer) and callable(scorer.sentiments), name


def test_the_model_scores_a_batch_with_one_predict_proba(model_spec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One call for the batch, of its distinct texts (the compiled path or ``pipeline.predict_proba``)."""
    analyzer = make_scorer(model_spec, cache_size=0)
    calls: list[int] = []
    original = analyzer._probabilities  # type: ignore[attr-defined]

    def counted(texts: list[str]) -> object:
        calls.append(len(texts))
        return original(texts)

    monkeypatch.setattr(analyzer, "_probabilities", counted)
    out = analyzer.sentiments(["good", "bad", "meh"] * 100)
    assert calls == [3] and out == analyzer.sentiments(["good", "bad", "meh"]) * 100


def test_vader_scores_each_distinct_text_of_a_batch_once(monkeypatch: pytest.MonkeyPatch) -> None:
    analyzer = make_scorer("vader")
    seen: list[str] = []
    original = analyzer._polarity_scores  # type: ignore[attr-defined]

    def counted(text: str) -> dict[str, float]:
        seen.append(text)
        return original(text)

    monkeypatch.setattr(analyzer, "_polarity_scores", counted)
    out = analyzer.sentiments(["great!", "awful", "great!", "great!"])
    assert seen == ["great!", "awful"] and out[0] == out[2] == out[3] != out[1]


class Doubling(BandedScorer):
    """A scorer written with only ``sentiment``: the default batch method loops it."""

    name = "doubling"
    neutral_band = 0.0

    def sentiment(self, text: str) -> Sentiment:
        return Sentiment(len(text) / 100, 0.5)

    def label(self, polarity: float) -> str:
        return "positive" if polarity > 0 else "neutral"


def test_the_default_batch_method_loops_sentiment() -> None:
    scorer: Scorer = Doubling()
    assert scorer.sentiments(["a", "abc", ""]) == [Sentiment(0.01, 0.5), Sentiment(0.03, 0.5), Sentiment(0.0, 0.5)]
