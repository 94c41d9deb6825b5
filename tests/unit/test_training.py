"""tweetpulse train: a real scikit-learn fit on a small labeled file, held-out scores, the model file."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from tests.support.labeled_files import learnable_rows, write_labeled
from tweetpulse.errors import ConfigError, DatasetError
from tweetpulse.scorers import make_analyzer
from tweetpulse.scorers.model import ModelAnalyzer
from tweetpulse.scorers.modelfile import MAGIC, read_header
from tweetpulse.workbook.evaluation import evaluate
from tweetpulse.workbook.labeled import LabeledSet, read_labeled
from tweetpulse.workbook.training import split, train_to_file


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> LabeledSet:
    return read_labeled(write_labeled(tmp_path_factory.mktemp("l") / "labeled.csv", learnable_rows(30)))


@pytest.fixture(scope="module")
def model_path(dataset: LabeledSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("m") / "model.joblib"
    result = train_to_file(dataset, path, test_size=0.2, seed=1)
    assert result.train_rows == 72 and result.held_out.n == 18  # 6 of each label's 30 held out
    assert result.held_out.accuracy >= 0.8  # the words decide the label; a fitted model gets them
    assert set(result.compared) == {"textblob", "vader"}
    assert all(m.n == 18 for m in result.compared.values())
    return path


def test_split_is_stratified_seeded_and_disjoint(dataset: LabeledSet) -> None:
    train, held = split(dataset.rows, 0.2, seed=3)
    assert len(held) == 18 and len(train) == 72
    assert {r.line for r in train}.isdisjoint({r.line for r in held})
    assert sorted(r.label for r in held) == ["negative"] * 6 + ["neutral"] * 6 + ["positive"] * 6
    assert split(dataset.rows, 0.2, seed=3) == (train, held)
    assert split(dataset.rows, 0.2, seed=4)[1] != held


@pytest.mark.parametrize("size", [0.0, 1.0, 1.5])
def test_bad_test_size(dataset: LabeledSet, size: float) -> None:
    with pytest.raises(ConfigError, match="--test-size"):
        split(dataset.rows, size, 0)


def test_model_scorer_is_the_signed_class_probability(model_path: Path) -> None:
    analyzer = make_analyzer(f"model:{model_path}")
    assert isinstance(analyzer, ModelAnalyzer) and analyzer.name == "model:model.joblib"
    header = read_header(model_path)
    assert analyzer.neutral_band == header["neutral_band"] and header["classes"] == ["negative", "neutral", "positive"]
    pipeline = analyzer._pipeline
    text = "I love the update, so great!"
    p_neg, p_neu, p_pos = pipeline.predict_proba([text])[0]
    result = analyzer.sentiment(text)
    assert result.polarity == pytest.approx(p_pos - p_neg) and result.subjectivity == pytest.approx(1 - p_neu)
    assert analyzer.label(result.polarity) == "positive"
    assert analyzer.label(analyzer.sentiment("the stream is awful, really terrible").polarity) == "negative"
    assert analyzer.sentiments([text, text]) == [result, result]
    assert make_analyzer(f"model:{model_path}", neutral_band=0.99).label(result.polarity) == "neutral"


def test_evaluating_the_model_on_new_text(model_path: Path, tmp_path: Path) -> None:
    unseen = read_labeled(
        write_labeled(
            tmp_path / "new.csv",
            [
                ("1", "G", "Positive", "so awesome, I love my console"),
                ("2", "G", "Negative", "horrible update, the worst"),
            ],
        )
    )
    ev = evaluate(make_analyzer(f"model:{model_path}"), unseen)
    assert ev.overall.accuracy == 1.0


def test_refuses_a_pickle_it_did_not_write_before_unpickling(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str, int]]:
            return (os.open, (str(marker), os.O_CREAT | os.O_WRONLY))

    evil = tmp_path / "evil.joblib"
    evil.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ConfigError) as info:
        make_analyzer(f"model:{evil}")
    assert "not a model written by 'tweetpulse train'" in str(info.value) and "runs code" in str(info.value)
    assert not marker.exists()


def test_refuses_other_versions_and_damage(model_path: Path, tmp_path: Path) -> None:
    header, _, payload = model_path.read_bytes().partition(b"\n")
    cases = {
        "v2": (header.replace(MAGIC + b"1 ", MAGIC + b"2 ") + b"\n" + payload, "format '2'"),
        "old-sklearn": (header.replace(b'"sklearn": "', b'"sklearn": "0.') + b"\n" + payload, "scikit-learn 0."),
        "truncated": (header + b"\n" + payload[:100], "damaged"),
        "no-json": (MAGIC + b"1 {nope\n" + payload, "not a model"),
    }
    for name, (content, words) in cases.items():
        path = tmp_path / f"{name}.joblib"
        path.write_bytes(content)
        with pytest.raises(ConfigError) as info:
            ModelAnalyzer(path)
        assert words in str(info.value) and "\n" not in str(info.value), name
    with pytest.raises(ConfigError, match="check the path"):
        ModelAnalyzer(tmp_path / "missing.joblib")


def test_too_little_data_to_train(tmp_path: Path) -> None:
    tiny = read_labeled(write_labeled(tmp_path / "t.csv", [("1", "X", "Positive", "good")]))
    with pytest.raises(DatasetError, match="too few labeled rows"):
        train_to_file(tiny, tmp_path / "m.joblib")
