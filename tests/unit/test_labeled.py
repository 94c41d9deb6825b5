"""Reading labeled tweets: Kaggle entity-sentiment CSVs, Irrelevant left out, bad rows noted."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.support.labeled_files import write_labeled
from tweetpulse.errors import DatasetError
from tweetpulse.workbook.labeled import read_labeled


def test_rows_labels_and_what_was_left_out(tmp_path: Path) -> None:
    path = write_labeled(
        tmp_path / "l.csv",
        [
            ("1", "Nvidia", "Positive", "great card\nreally great"),  # a text over two lines
            ("2", "Nvidia", "Irrelevant", "buy now"),
            ("3", "FIFA", "negative", "servers down again"),
            ("4", "FIFA", "Mixed", "hmm"),
            ("5", "FIFA", "Neutral", "   "),
            ("6", "Google", " Neutral ", "search results"),
        ],
    )
    with open(path, "a", encoding="utf-8") as out:
        out.write("7,only three,fields\n")
    data = read_labeled(path)
    assert [(r.line, r.tweet_id, r.entity, r.label) for r in data.rows] == [
        (1, "1", "Nvidia", "positive"),
        (4, "3", "FIFA", "negative"),
        (7, "6", "Google", "neutral"),
    ]
    assert data.rows[0].text == "great card\nreally great"
    assert data.irrelevant == 1
    assert data.skipped.count == 3
    assert [line for line, _ in data.skipped.examples] == [5, 6, 8]
    assert "Mixed" in data.skipped.examples[0][1]
    assert data.describe() == "7 rows in l.csv: 3 labeled, 1 Irrelevant left out, 3 skipped"


def test_header_row_and_gzip(tmp_path: Path) -> None:
    plain = write_labeled(tmp_path / "h.csv", [("id", "entity", "sentiment", "text"), ("9", "X", "Positive", "ok")])
    packed = tmp_path / "h.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    for path in (plain, packed):
        data = read_labeled(path)
        assert [r.text for r in data.rows] == ["ok"] and data.skipped.count == 0


def test_digest_follows_the_data(tmp_path: Path) -> None:
    a = read_labeled(write_labeled(tmp_path / "a.csv", [("1", "X", "Positive", "good")]))
    b = read_labeled(write_labeled(tmp_path / "b.csv", [("2", "Y", "Positive", "good")]))
    c = read_labeled(write_labeled(tmp_path / "c.csv", [("1", "X", "Negative", "good")]))
    assert a.digest() == b.digest() != c.digest()


@pytest.mark.parametrize("content", ["", "a,b\n", "1,X,Irrelevant,spam\n"])
def test_nothing_usable_is_one_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DatasetError) as info:
        read_labeled(path)
    message = str(info.value)
    assert "\n" not in message and "no labeled tweets" in message and "id, entity, sentiment, text" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="check the path"):
        read_labeled(tmp_path / "nope.csv")
