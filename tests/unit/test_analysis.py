"""The analysis notebook's tables, on small stores written here, and on nothing."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from tests.support.stores import stored_row, write_store
from tweetpulse.workbook import analysis, charts


@pytest.fixture
def frame(tmp_path: Path) -> pd.DataFrame:
    store = write_store(
        tmp_path / "s.db",
        [
            stored_row(0, 0.5, 100, ["bitcoin"], "alice", 0, "positive"),
            stored_row(1, -0.4, None, ["bitcoin", "ethereum"], "bob", 30, "negative"),
            stored_row(2, 0.0, 5, [], None, 70, "neutral"),
            stored_row(3, 0.9, 1000, ["ethereum"], "alice", 130, "positive"),
        ],
    )
    return analysis.load(store)


def test_per_minute_tables(frame: pd.DataFrame) -> None:
    sentiment = analysis.weighted_sentiment(frame)
    assert list(sentiment.columns) == ["(no group)", "bitcoin", "ethereum"] and len(sentiment) == 3
    assert sentiment["bitcoin"].iloc[0] == pytest.approx(math.log(101) * 0.5 - 0.4)
    assert sentiment["ethereum"].tolist() == pytest.approx([-0.4, 0.0, math.log(1001) * 0.9])
    assert analysis.volume(frame)["bitcoin"].tolist() == [2, 0, 0]


def test_labels_authors_extremes(frame: pd.DataFrame) -> None:
    labels = analysis.label_distribution(frame)
    assert labels.loc["bitcoin"].tolist() == [1, 0, 1] and labels.loc["all tweets"].tolist() == [1, 1, 2]
    top = analysis.top_authors(frame, "influence")
    assert list(top.index) == ["alice", "bob"] and top.loc["alice", "tweets"] == 2
    assert top.loc["alice", "influence"] == pytest.approx(math.log(101) * 0.5 + math.log(1001) * 0.9)
    assert list(analysis.top_authors(frame, "followers", 1).index) == ["alice"]
    assert analysis.extremes(frame, 1)["text"].tolist() == ["tweet 3"]
    assert analysis.extremes(frame, 1, positive=False)["text"].tolist() == ["tweet 1"]
    with pytest.raises(ValueError):
        analysis.top_authors(frame, "likes")


def test_export_round_trips(frame: pd.DataFrame, tmp_path: Path) -> None:
    out = analysis.export(frame, tmp_path / "x")
    assert out.rows == 4
    back = pd.read_parquet(out.parquet)
    assert back["id"].tolist() == frame["id"].tolist() and list(back["keywords"][1]) == ["bitcoin", "ethereum"]
    assert pd.read_csv(out.csv)["keywords"][1] == '["bitcoin","ethereum"]'


def test_a_missing_store_is_empty_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    empty = analysis.load(path)
    assert empty.empty and not path.exists()
    assert "does not exist yet" in analysis.describe(empty, path)
    assert analysis.weighted_sentiment(empty).empty and analysis.top_authors(empty).empty
    assert analysis.label_distribution(empty).loc["all tweets"].sum() == 0
    fig = charts.lines(analysis.volume(empty), "t", "y")
    assert fig.layout.annotations[0].text == "no tweets in the store"
