"""`tweetpulse evaluate` as a user runs it, on the shared 500 real labeled tweets."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from textblob import TextBlob


def test_evaluate_reproduces_an_independent_textblob_accuracy(shared_csv: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tweetpulse.cli", "evaluate", "--dataset", str(shared_csv), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    with open(shared_csv, newline="", encoding="utf-8") as f:
        rows = [row for row in csv.reader(f) if row[2] != "Irrelevant"]
    right = 0
    for _id, _entity, human, text in rows:
        polarity = TextBlob(text).sentiment.polarity
        right += human.lower() == ("positive" if polarity > 0 else "negative" if polarity < 0 else "neutral")
    assert out["n"] == len(rows) == 408
    assert out["accuracy"] == right / len(rows)
    assert sum(sum(row.values()) for row in out["confusion"].values()) == 408
