"""notebooks/analysis.ipynb and notebooks/evaluation.ipynb: numbers checked against independent counts."""

from __future__ import annotations

import base64
import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from textblob import TextBlob
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tests.notebook.test_notebooks import execute, outputs_text
from tests.support.stores import stored_row, write_store

ROWS = [  # i, polarity, followers, keywords, author, seconds after T0 (22:13:20 UTC), label
    (0, 0.5, 100, ["bitcoin"], "alice", 0, "positive"),
    (1, -0.4, None, ["bitcoin", "ethereum"], "bob", 30, "negative"),
    (2, 0.0, 5, [], None, 70, "neutral"),
    (3, 0.9, 1000, ["ethereum"], "alice", 130, "positive"),
    (4, -0.8, 50, ["dogecoin"], "carol", 140, "negative"),
]


def plotly_figures(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        output["data"]["application/vnd.plotly.v1+json"]
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
        if "application/vnd.plotly.v1+json" in output.get("data", {})
    ]


def values(data: Any) -> list[float]:
    """A trace's numbers, also when plotly sent them as a typed array (``{"dtype", "bdata"}``)."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def test_analysis_notebook_on_a_store(tmp_path: Path) -> None:
    store = write_store(tmp_path / "s.db", [stored_row(*row) for row in ROWS])
    nb = execute(
        "notebooks/analysis.ipynb",
        tmp_path / "a.out.ipynb",
        store=str(store),
        export_dir=str(tmp_path / "export"),
        top_n=3,
    )
    text = outputs_text(nb)
    assert f"5 tweets in {store}" in text and "scored by: textblob 5" in text
    # weighted sentiment per minute, by hand: bitcoin 22:13 = ln(101)·0.5 + 1·(-0.4); ethereum 22:15 = ln(1001)·0.9
    sentiment = {trace["name"]: values(trace["y"]) for trace in plotly_figures(nb)[0]["data"]}
    assert sentiment["bitcoin"][0] == pytest.approx(math.log(101) * 0.5 - 0.4)
    assert sentiment["ethereum"][-1] == pytest.approx(math.log(1001) * 0.9)
    assert sentiment["dogecoin"][-1] == pytest.approx(math.log(51) * -0.8)
    volume = {trace["name"]: values(trace["y"]) for trace in plotly_figures(nb)[1]["data"]}
    assert sum(volume["bitcoin"]) == 2 and sum(volume["ethereum"]) == 2 and sum(volume["(no group)"]) == 1
    exported = pd.read_parquet(tmp_path / "export" / "tweets.parquet")
    assert sorted(exported["id"]) == [f"t{i}" for i in range(5)]
    assert list(exported.set_index("id").loc["t1", "keywords"]) == ["bitcoin", "ethereum"]
    with open(tmp_path / "export" / "tweets.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5 and json.loads(rows[1]["keywords"]) == ["bitcoin", "ethereum"]


@pytest.mark.parametrize("kind", ["empty", "missing"])
def test_analysis_notebook_on_nothing_says_so(kind: str, tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    if kind == "empty":
        write_store(store, [])
    nb = execute(
        "notebooks/analysis.ipynb", tmp_path / "a.out.ipynb", store=str(store), export_dir=str(tmp_path / "export")
    )
    text = outputs_text(nb)
    assert ("has no tweets yet" if kind == "empty" else "does not exist yet") in text
    assert "exported 0 tweets" in text and "Traceback" not in text
    assert store.exists() == (kind == "empty")  # looking never creates a store


def by_hand(rows: list[list[str]], label_of: Any) -> dict[str, Any]:
    """Accuracy, confusion and macro-F1 counted without tweetpulse."""
    labels = ("negative", "neutral", "positive")
    pairs = [(human.lower(), label_of(text)) for _id, _entity, human, text in rows if human != "Irrelevant"]
    confusion = {h: {p: sum(1 for a, b in pairs if (a, b) == (h, p)) for p in labels} for h in labels}
    f1 = []
    for c in labels:
        tp = confusion[c][c]
        fp = sum(confusion[h][c] for h in labels) - tp
        fn = sum(confusion[c].values()) - tp
        f1.append(2 * tp / (2 * tp + fp + fn))
    return {
        "n": len(pairs),
        "accuracy": sum(a == b for a, b in pairs) / len(pairs),
        "confusion": confusion,
        "macro_f1": sum(f1) / 3,
    }


def sign_label(polarity: float, band: float) -> str:
    return "positive" if polarity > band else "negative" if polarity < -band else "neutral"


def test_evaluation_notebook_on_the_shared_sample(shared_csv: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    nb = execute(
        "notebooks/evaluation.ipynb",
        tmp_path / "e.out.ipynb",
        dataset=str(shared_csv),
        model_out=str(tmp_path / "model.skops"),
        results_json=str(results),
        worst=3,
    )
    got = json.loads(results.read_text())
    with open(shared_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    vader = SentimentIntensityAnalyzer()
    expected = {
        "textblob": by_hand(rows, lambda t: sign_label(TextBlob(t).sentiment.polarity, 0.0)),
        "vader": by_hand(rows, lambda t: sign_label(vader.polarity_scores(t)["compound"], 0.05)),
    }
    for name, want in expected.items():
        have = got["full"][name]
        assert have["n"] == want["n"] == 408
        assert have["accuracy"] == pytest.approx(want["accuracy"])
        assert have["confusion"] == want["confusion"]
        assert have["macro_f1"] == pytest.approx(want["macro_f1"])
    # TextBlob's sign agrees with the human label less than half the time on these tweets
    assert got["full"]["textblob"]["accuracy"] < 0.5
    held = got["held_out"]
    assert {name: m["n"] for name, m in held.items()} == {"textblob": 82, "vader": 82, "model": 82}
    assert got["train"]["rows"] == 326 and got["train"]["cross_validated"]["folds"] == 5  # the training part only
    assert held["model"]["accuracy"] > held["textblob"]["accuracy"]
    assert got["model_on_training_data"]["n"] == 326
    assert got["model_on_training_data"]["accuracy"] > held["model"]["accuracy"]
    text = outputs_text(nb)
    assert "this proves nothing" in text and "500 rows in twitter_validation_sample.csv" in text
    assert len(plotly_figures(nb)) == 4  # two confusion matrices, the model's, the band chart
