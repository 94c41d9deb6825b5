"""tweetpulse train: settings chosen by cross-validation, the final fit on every row, and a model
that beats TextBlob on tweets it never saw (the 500 shared labeled tweets, nested cross-validation)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest

from tests.support.labeled_files import learnable_rows, trained_model, write_labeled
from tweetpulse.errors import ConfigError, DatasetError
from tweetpulse.scorers import make_scorer
from tweetpulse.scorers.features import tweet_chars, tweet_words
from tweetpulse.scorers.model import ModelScorer
from tweetpulse.scorers.modelfile import ModelFile, read_header
from tweetpulse.workbook.evaluation import evaluate
from tweetpulse.workbook.labeled import LabeledSet, read_labeled
from tweetpulse.workbook.training import GRID, build_features, split, train, train_to_file


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> LabeledSet:
    return read_labeled(write_labeled(tmp_path_factory.mktemp("l") / "labeled.csv", learnable_rows(30)))


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    return trained_model(tmp_path_factory.mktemp("m"))


def test_settings_come_from_cross_validation_and_the_fit_uses_every_row(
    model: tuple[Path, Any], dataset: LabeledSet
) -> None:
    path, result = model
    assert result.rows == 90 and result.chosen.folds == 3 and result.chosen.setting in GRID
    scores = result.chosen.scores
    assert scores.accuracy >= 0.8 and 0.0 <= scores.accuracy_std < 0.2  # the words decide the label
    assert 0.0 <= scores.macro_f1_std < 0.2 and scores.macro_f1 >= 0.8
    # fitted on all 90 rows, not on 80% of them: its vocabulary is the one all the rows give
    everything = build_features(result.chosen.setting.features).fit([r.text for r in dataset.rows])
    fitted = result.pipeline.named_steps["features"]
    for (_, mine), (_, full) in zip(fitted.transformer_list, everything.transformer_list, strict=True):
        assert mine.vocabulary_ == full.vocabulary_
    assert read_header(path)["neutral_band"] == result.neutral_band


def test_the_cli_reports_the_spread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tweetpulse.cli import main

    data = write_labeled(tmp_path / "l.csv", learnable_rows(12))
    assert main(["train", "--dataset", str(data), "--out", str(tmp_path / "m.skops"), "--folds", "3"]) == 0
    out = capsys.readouterr().out
    assert "chosen by 3-fold cross-validation" in out and "trained on all 36 rows" in out
    assert "cross-validated: accuracy" in out and "±" in out and "same folds, textblob" in out


def test_model_scorer_is_the_signed_class_probability(model: tuple[Path, Any]) -> None:
    path, _ = model
    analyzer = make_scorer(f"model:{path}")
    assert isinstance(analyzer, ModelScorer) and analyzer.name == "model:model.skops"
    header = read_header(path)
    assert analyzer.neutral_band == header["neutral_band"] and header["classes"] == ["negative", "neutral", "positive"]
    text = "I love the update, so great!"
    p_neg, p_neu, p_pos = analyzer._pipeline.predict_proba([text])[0]
    result = analyzer.sentiment(text)
    assert result.polarity == pytest.approx(p_pos - p_neg) and result.subjectivity == pytest.approx(1 - p_neu)
    assert analyzer.label(result.polarity) == "positive"
    assert analyzer.label(analyzer.sentiment("the stream is awful, really terrible").polarity) == "negative"
    assert make_scorer(f"model:{path}", neutral_band=0.99).label(result.polarity) == "neutral"


def test_evaluating_the_model_on_new_text(model: tuple[Path, Any], tmp_path: Path) -> None:
    unseen = read_labeled(
        write_labeled(
            tmp_path / "new.csv",
            [
                ("1", "G", "Positive", "so awesome, I love my console"),
                ("2", "G", "Negative", "horrible update, the worst"),
            ],
        )
    )
    assert evaluate(make_scorer(f"model:{model[0]}"), unseen).overall.accuracy == 1.0


def test_tweet_features_mark_negation_links_mentions_and_emoticons() -> None:
    assert (
        tweet_words("I do NOT like it, but :) https://t.co/x @bob") == "i do not neg_like neg_it but xemopos xurl xuser"
    )
    assert tweet_words("never again :( sooooo bad") == "never neg_again xemoneg soo bad"
    assert tweet_chars("Wooooow!!!! <3") == "woow!!  xemopos "


def test_split_is_stratified_seeded_and_disjoint(dataset: LabeledSet) -> None:
    train_rows, held = split(dataset.rows, 0.2, seed=3)
    assert len(held) == 18 and len(train_rows) == 72
    assert {r.line for r in train_rows}.isdisjoint({r.line for r in held})
    assert split(dataset.rows, 0.2, seed=3) == (train_rows, held)
    with pytest.raises(ConfigError, match="--test-size"):
        split(dataset.rows, 1.5, 0)


@pytest.mark.parametrize("folds", [1, 21])
def test_bad_folds(dataset: LabeledSet, folds: int) -> None:
    with pytest.raises(ConfigError, match="--folds"):
        train(dataset, folds=folds, compare=())


def test_too_little_data_to_train(tmp_path: Path) -> None:
    tiny = read_labeled(
        write_labeled(tmp_path / "t.csv", [("1", "X", "Positive", "good"), ("2", "X", "Negative", "bad")])
    )
    with pytest.raises(DatasetError, match="too few labeled rows"):
        train_to_file(tiny, tmp_path / "m.skops")


def test_beats_textblob_on_tweets_it_never_saw(shared_csv: Path) -> None:
    """Nested cross-validation on the 500 shared tweets: each outer fold's model is trained (its
    settings chosen by its own inner cross-validation) on the other folds only."""
    from sklearn.model_selection import StratifiedKFold

    data = read_labeled(shared_csv)
    rows = data.rows
    textblob = make_scorer("textblob")
    gains, model_acc = [], []
    outer = StratifiedKFold(n_splits=4, shuffle=True, random_state=7)
    for train_idx, test_idx in outer.split([r.text for r in rows], [r.label for r in rows]):
        part = LabeledSet(path=data.path, rows=[rows[i] for i in train_idx])
        held = LabeledSet(path=data.path, rows=[rows[i] for i in test_idx])
        result = train(part, folds=4, compare=())
        # the fitted pipeline, without a file round trip
        analyzer = ModelScorer.fitted(ModelFile(result.pipeline, result.meta), result.neutral_band)
        mine = evaluate(analyzer, held).overall.accuracy
        theirs = evaluate(textblob, held).overall.accuracy
        gains.append(mine - theirs)
        model_acc.append(mine)
    print(f"held-out accuracy {statistics.fmean(model_acc):.3f}, gain over TextBlob {statistics.fmean(gains):+.3f}")
    assert statistics.fmean(gains) >= 0.08 and min(gains) > 0.0
