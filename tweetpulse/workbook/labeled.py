"""Labeled tweets for evaluation and training: the Kaggle entity-sentiment CSV format.

No header: tweet id, entity, sentiment (``Positive``/``Negative``/``Neutral``/``Irrelevant``),
text; fields quoted as CSV, so a text may span lines. ``Irrelevant`` rows are left out (they say
the tweet is not about the entity, not how it feels). Rows that can't be read (wrong column
count, unknown sentiment, no text, bad CSV, not UTF-8) are skipped and noted with their line.
A file that can't be opened, or has no usable row, raises :class:`DatasetError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from tweetpulse.errors import DatasetError
from tweetpulse.scorers.base import LABELS
from tweetpulse.sources.base import SkippedRows
from tweetpulse.sources.detect import open_dataset
from tweetpulse.sources.lines import CsvRecords

FORMAT = "Kaggle entity-sentiment CSV (no header: id, entity, sentiment, text)"
IRRELEVANT = "irrelevant"


class LabeledTweet(NamedTuple):
    """One human-labeled tweet; ``label`` is ``negative``, ``neutral`` or ``positive``."""

    line: int
    tweet_id: str
    entity: str
    label: str
    text: str


@dataclass(slots=True)
class LabeledSet:
    """The usable rows of a labeled file, and what was left out."""

    path: Path
    rows: list[LabeledTweet]
    irrelevant: int = 0
    skipped: SkippedRows = field(default_factory=SkippedRows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def texts(self) -> list[str]:
        return [row.text for row in self.rows]

    @property
    def labels(self) -> list[str]:
        return [row.label for row in self.rows]

    def digest(self) -> str:
        """SHA-256 of the usable rows (labels and texts): the same data gives the same digest."""
        h = hashlib.sha256()
        for row in self.rows:
            h.update(f"{row.label}\x1f{row.text}\x1e".encode())
        return h.hexdigest()

    def describe(self) -> str:
        """``500 rows in x.csv: 408 labeled, 92 Irrelevant left out, 0 skipped``."""
        total = len(self.rows) + self.irrelevant + self.skipped.count
        return (
            f"{total} rows in {self.path.name}: {len(self.rows)} labeled, {self.irrelevant} Irrelevant left out, "
            f"{self.skipped.count} skipped"
        )


def _labeled_rows(path: Path, skipped: SkippedRows, irrelevant: list[int]) -> Iterator[LabeledTweet]:
    with open_dataset(path) as stream:
        first = True
        for line, row in CsvRecords(stream, skipped, columns=4):
            if len(row) != 4:
                skipped.add(line, f"expected 4 columns (id, entity, sentiment, text), got {len(row)}")
                continue
            tweet_id, entity, sentiment, text = row
            label = sentiment.strip().lower()
            if first:
                first = False
                if label not in (*LABELS, IRRELEVANT) and "id" in tweet_id.lower():
                    continue  # a header row some copies of the dataset have
            if label == IRRELEVANT:
                irrelevant[0] += 1
            elif label not in LABELS:
                skipped.add(line, f"sentiment {sentiment!r} is not Positive, Negative, Neutral or Irrelevant")
            elif not text.strip():
                skipped.add(line, "no text")
            else:
                yield LabeledTweet(line, tweet_id.strip(), entity.strip(), label, text)


def read_labeled(path: str | Path) -> LabeledSet:
    """Read a labeled file (``.gz`` too); :class:`DatasetError` when nothing in it is usable."""
    path = Path(path)
    skipped = SkippedRows()
    irrelevant = [0]
    rows = list(_labeled_rows(path, skipped, irrelevant))
    if not rows:
        detail = ""
        if skipped.examples:
            line, reason = skipped.examples[0]
            detail = f"; {skipped.count} row(s) unreadable, the first at line {line}: {reason}"
        raise DatasetError(
            f"no labeled tweets in {path}: expected a {FORMAT} with Positive, Negative or Neutral rows{detail}"
        )
    return LabeledSet(path=path, rows=rows, irrelevant=irrelevant[0], skipped=skipped)
