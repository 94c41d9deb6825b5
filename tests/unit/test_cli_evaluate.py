"""`tweetpulse evaluate` and `tweetpulse train` on small labeled files the tests write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textblob import TextBlob

from tests.support.labeled_files import learnable_rows, write_labeled
from tweetpulse.cli import main

ROWS = [
    ("1", "Bitcoin", "Positive", "Bitcoin is doing great today!"),
    ("2", "Bitcoin", "Negative", "What a terrible crash, I hate it"),
    ("3", "Bitcoin", "Neutral", "BTC at 40k"),
    ("4", "Ethereum", "Positive", "not a good day for ETH"),
    ("5", "Ethereum", "Neutral", "ETH is the best chain ever"),
    ("6", "Ethereum", "Irrelevant", "follow me"),
    ("7", "Ethereum", "Negative", "gas fees are insane\nand slow"),
]


def hand_count(rows: list[tuple[str, str, str, str]]) -> tuple[int, int, dict[tuple[str, str], int]]:
    """TextBlob's sign against the human label, counted without tweetpulse."""
    right = total = 0
    pairs: dict[tuple[str, str], int] = {}
    for _id, _entity, human, text in rows:
        if human == "Irrelevant":
            continue
        polarity = TextBlob(text).sentiment.polarity
        guess = "positive" if polarity > 0 else "negative" if polarity < 0 else "neutral"
        total += 1
        right += guess == human.lower()
        pairs[(human.lower(), guess)] = pairs.get((human.lower(), guess), 0) + 1
    return right, total, pairs


def test_evaluate_json_matches_textblob_counted_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_labeled(tmp_path / "l.csv", ROWS)
    assert main(["evaluate", "--dataset", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    right, total, pairs = hand_count(ROWS)
    assert out["n"] == total == 6
    assert out["accuracy"] == right / total
    assert {(h, p): c for h, row in out["confusion"].items() for p, c in row.items() if c} == pairs
    assert out["scorer"] == "textblob" and out["irrelevant_left_out"] == 1
    assert 0 <= out["macro_f1"] <= 1 and set(out["per_entity"]) == {"Bitcoin", "Ethereum"}


def test_evaluate_text_report_with_vader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_labeled(tmp_path / "l.csv", ROWS)
    assert main(["evaluate", "--dataset", str(path), "--scorer", "vader", "--worst", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("scorer vader (neutral band ±0.05) on 7 rows in l.csv: 6 labeled, 1 Irrelevant left out")
    assert "human \\ scorer" in out and "worst disagreements:" in out


def test_train_then_evaluate_with_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_labeled(tmp_path / "train.csv", learnable_rows(20))
    model = tmp_path / "out" / "model.skops"
    assert main(["train", "--dataset", str(data), "--out", str(model), "--json"]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["rows"] == 60 and trained["cross_validated"]["folds"] == 5 and model.is_file()
    assert {"accuracy", "accuracy_std", "macro_f1", "macro_f1_std"} <= set(trained["cross_validated"])
    other = write_labeled(
        tmp_path / "other.csv",
        [("1", "G", "Positive", "I love it, awesome"), ("2", "G", "Negative", "awful and broken")],
    )
    assert main(["evaluate", "--dataset", str(other), "--scorer", f"model:{model}", "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["scorer"] == "model:model.skops" and out["accuracy"] == 1.0 and not out["trained_on_this_dataset"]
    assert captured.err == ""
    # on its own training file it says the scores prove nothing
    assert main(["evaluate", "--dataset", str(data), "--scorer", f"model:{model}"]) == 0
    err = capsys.readouterr().err
    assert "was trained on this file" in err and "prove nothing" in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["evaluate", "--dataset", "{tmp}/missing.csv"], "check the path"),
        (["evaluate", "--dataset", "{tmp}/l.csv", "--scorer", "nope"], "use one of textblob, vader, model:PATH"),
        (["evaluate", "--dataset", "{tmp}/l.csv", "--scorer", "model:{tmp}/l.csv"], "not a model"),
        (["evaluate", "--dataset", "{tmp}/l.csv", "--neutral-band", "-1"], "--neutral-band"),
        (["train", "--dataset", "{tmp}/l.csv", "--out", "{tmp}/m.skops", "--folds", "1"], "--folds"),
    ],
)
def test_bad_input_is_one_line(argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_labeled(tmp_path / "l.csv", ROWS)
    try:
        code: object = main([a.format(tmp=tmp_path) for a in argv])
    except SystemExit as exit_:  # argparse's own checks (e.g. --scorer) exit from the parser
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
