"""Small labeled CSVs in the Kaggle entity-sentiment format, written by the tests themselves."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Row = tuple[str, str, str, str]  # id, entity, sentiment, text

# Texts whose label a word-level classifier can learn from a few dozen examples.
_POSITIVE = ("love", "great", "awesome", "amazing", "wonderful", "excellent")
_NEGATIVE = ("hate", "awful", "terrible", "horrible", "broken", "worst")
_NEUTRAL = ("on tuesday", "at noon", "in the store", "this week", "for the team", "next month")
_THINGS = ("the new patch", "this game", "the update", "my console", "the stream")


def write_labeled(path: Path, rows: Iterable[Row]) -> Path:
    """Write ``rows`` as the Kaggle files are: no header, every field quoted when needed."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def learnable_rows(per_label: int = 30) -> list[Row]:
    """``per_label`` rows of each label (and a few Irrelevant ones) with clear sentiment words."""
    rows: list[Row] = []
    combos = itertools.cycle(itertools.product(range(6), range(len(_THINGS))))
    for i in range(per_label):
        w, t = next(combos)
        thing = _THINGS[t]
        rows.append((str(1000 + i), "Game", "Positive", f"I {_POSITIVE[w]} {thing}, so {_POSITIVE[(w + 1) % 6]}!"))
        rows.append((str(2000 + i), "Game", "Negative", f"{thing} is {_NEGATIVE[w]}, really {_NEGATIVE[(w + 2) % 6]}"))
        rows.append((str(3000 + i), "Shop", "Neutral", f"{thing} comes out {_NEUTRAL[w]} {_NEUTRAL[(w + 3) % 6]}"))
    rows += [(str(4000 + i), "Shop", "Irrelevant", f"random words number {i}") for i in range(3)]
    return rows


def trained_model(folder: Path, per_label: int = 30, folds: int = 3) -> tuple[Path, Any]:
    """A model file ``tweetpulse train`` wrote from :func:`learnable_rows` (and its TrainResult)."""
    from tweetpulse.workbook.labeled import read_labeled
    from tweetpulse.workbook.training import train_to_file

    dataset = read_labeled(write_labeled(folder / "labeled.csv", learnable_rows(per_label)))
    path = folder / "model.skops"
    return path, train_to_file(dataset, path, folds=folds, seed=1, compare=())
