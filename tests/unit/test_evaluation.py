"""Scorer labels against human labels: numbers checked against ones counted by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from tests.support.labeled_files import write_labeled
from tweetpulse.scorers import Sentiment, label_for
from tweetpulse.scorers.base import BandedScorer
from tweetpulse.workbook.evaluation import band_sweep, evaluate, metrics, render, worst_disagreements
from tweetpulse.workbook.labeled import LabeledSet, read_labeled

TRUTH = ["positive", "positive", "positive", "negative", "negative", "neutral", "neutral", "neutral"]
GUESS = ["positive", "positive", "negative", "negative", "positive", "neutral", "positive", "negative"]


def test_metrics_match_a_hand_count() -> None:
    m = metrics(TRUTH, GUESS)
    assert m.n == 8
    assert m.accuracy == 4 / 8
    assert m.confusion == {
        "negative": {"negative": 1, "neutral": 0, "positive": 1},
        "neutral": {"negative": 1, "neutral": 1, "positive": 1},
        "positive": {"negative": 1, "neutral": 0, "positive": 2},
    }
    # F1 = 2TP / (2TP + FP + FN): positive 4/7, negative 2/5, neutral 2/4
    assert m.f1 == pytest.approx({"positive": 4 / 7, "negative": 2 / 5, "neutral": 1 / 2})
    assert m.macro_f1 == pytest.approx((4 / 7 + 2 / 5 + 1 / 2) / 3)


def test_metrics_agree_with_scikit_learn() -> None:
    labels = ["negative", "neutral", "positive"]
    m = metrics(TRUTH, GUESS)
    assert m.accuracy == pytest.approx(accuracy_score(TRUTH, GUESS))
    assert m.macro_f1 == pytest.approx(f1_score(TRUTH, GUESS, average="macro"))
    expected = confusion_matrix(TRUTH, GUESS, labels=labels).tolist()
    assert [[m.confusion[h][p] for p in labels] for h in labels] == expected


def test_a_class_nobody_used_is_left_out_of_macro_f1() -> None:
    m = metrics(["positive", "negative"], ["positive", "positive"])
    assert m.f1 == {"negative": 0.0, "neutral": 0.0, "positive": 2 / 3}
    assert m.macro_f1 == pytest.approx((0 + 2 / 3) / 2)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        metrics(["positive"], [])


class FixedAnalyzer(BandedScorer):
    """Polarity looked up from a table: the evaluation is tested without any real scorer."""

    name = "fixed"

    def __init__(self, table: dict[str, float], neutral_band: float = 0.1) -> None:
        self.table = table
        self.neutral_band = neutral_band

    def sentiment(self, text: str) -> Sentiment:
        return Sentiment(self.table[text], 0.5)

    def label(self, polarity: float) -> str:
        return label_for(polarity, self.neutral_band)


@pytest.fixture
def labeled(tmp_path: Path) -> LabeledSet:
    return read_labeled(
        write_labeled(
            tmp_path / "l.csv",
            [
                ("1", "A", "Positive", "a1"),
                ("2", "A", "Positive", "a2"),
                ("3", "A", "Negative", "a3"),
                ("4", "B", "Neutral", "b1"),
                ("5", "B", "Negative", "b2"),
                ("6", "B", "Irrelevant", "b3"),
            ],
        )
    )


TABLE = {"a1": 0.5, "a2": -0.9, "a3": -0.2, "b1": 0.05, "b2": 0.3}


def test_evaluate_overall_and_per_entity(labeled: LabeledSet) -> None:
    ev = evaluate(FixedAnalyzer(TABLE), labeled)
    # band 0.1: a1 positive (right), a2 negative (wrong), a3 negative (right), b1 neutral (right), b2 positive (wrong)
    assert [s.predicted for s in ev.scored] == ["positive", "negative", "negative", "neutral", "positive"]
    assert ev.overall.n == 5 and ev.overall.accuracy == 3 / 5
    assert set(ev.per_entity) == {"A", "B"}
    assert ev.per_entity["A"].accuracy == 2 / 3 and ev.per_entity["B"].accuracy == 1 / 2
    data = ev.as_dict()
    assert data["accuracy"] == 0.6 and data["n"] == 5 and data["scorer"] == "fixed"
    assert data["confusion"]["positive"] == {"negative": 1, "neutral": 0, "positive": 1}
    assert data["irrelevant_left_out"] == 1 and data["per_entity"]["B"]["n"] == 2
    assert list(ev.frame().columns) == ["line", "entity", "human", "polarity", "predicted", "text"]


def test_band_sweep_relabels_the_same_polarities(labeled: LabeledSet) -> None:
    ev = evaluate(FixedAnalyzer(TABLE), labeled)
    points = band_sweep(ev, [0.0, 0.25, 0.6])
    # band 0: b1 (0.05) becomes positive -> 2 right; band 0.25: a3 (-0.2) neutral -> 2 right;
    # band 0.6: only a2 (-0.9) is not neutral -> b1 right -> 1 right
    assert [(p.band, p.accuracy) for p in points] == [(0.0, 2 / 5), (0.25, 2 / 5), (0.6, 1 / 5)]


def test_worst_disagreements_first(labeled: LabeledSet) -> None:
    ev = evaluate(FixedAnalyzer(TABLE), labeled)
    worst = worst_disagreements(ev, 5)
    # a2: human positive, -0.9 -> 1.9 away; b2: human negative, +0.3 -> 1.3 away
    assert [s.row.text for s in worst] == ["a2", "b2"]


def test_render_says_the_numbers(labeled: LabeledSet) -> None:
    text = render(evaluate(FixedAnalyzer(TABLE), labeled), worst=1)
    assert "accuracy 60.0% (3 of 5)" in text
    assert "1 Irrelevant left out" in text
    assert "line 2: human positive, scorer negative (-0.900): a2" in text
