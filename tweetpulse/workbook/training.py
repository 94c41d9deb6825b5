"""``tweetpulse train``: fit a text classifier on human-labeled tweets, the light way.

The original big-data project trained a classifier with Spark MLlib; here scikit-learn does it
on one machine: TF-IDF over word uni/bigrams and character 2–5-grams (robust to hashtags,
misspellings and elongated words), then a logistic regression over the three classes.

The labeled file is split once (stratified, seeded) into a training part and a **held-out** part
the model never sees; the scores reported are the held-out ones, next to TextBlob's and VADER's on
the same held-out rows. The neutral band (how far ``P(positive) - P(negative)`` must be from 0 to
count as positive or negative) is chosen by cross-validation inside the training part.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tweetpulse.errors import ConfigError, DatasetError
from tweetpulse.scorers.base import LABELS, label_for
from tweetpulse.scorers.model import signed_sentiments
from tweetpulse.scorers.modelfile import save_model
from tweetpulse.workbook.evaluation import Metrics, metrics
from tweetpulse.workbook.labeled import LabeledSet, LabeledTweet

log = logging.getLogger(__name__)

BAND_GRID = tuple(round(0.05 * i, 2) for i in range(19))  # 0 ... 0.9
COMPARE_WITH = ("textblob", "vader")


def build_pipeline(seed: int = 0) -> Any:
    """TF-IDF (words 1–2, characters 2–5 within words) → multinomial logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        ]
    )
    classifier = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced", random_state=seed)
    return Pipeline([("features", features), ("classifier", classifier)])


def split(rows: Sequence[LabeledTweet], test_size: float, seed: int) -> tuple[list[LabeledTweet], list[LabeledTweet]]:
    """A seeded split, stratified by label: ``test_size`` of each label is held out (at least one
    row of every label that has two or more)."""
    if not 0.0 < test_size < 1.0:
        raise ConfigError(f"--test-size must be between 0 and 1 (a fraction), got {test_size}")
    rng = random.Random(seed)
    train: list[LabeledTweet] = []
    held: list[LabeledTweet] = []
    for label in LABELS:
        group = [row for row in rows if row.label == label]
        rng.shuffle(group)
        k = min(len(group) - 1, max(1, round(len(group) * test_size))) if len(group) > 1 else 0
        held += group[:k]
        train += group[k:]
    train.sort(key=lambda r: r.line)
    held.sort(key=lambda r: r.line)
    return train, held


def split_set(dataset: LabeledSet, test_size: float, seed: int) -> tuple[LabeledSet, LabeledSet]:
    """:func:`split` as two labeled sets (the training part, the held-out part) of the same file."""
    train_rows, held = split(dataset.rows, test_size, seed)
    return LabeledSet(path=dataset.path, rows=train_rows), LabeledSet(path=dataset.path, rows=held)


def choose_band(pipeline: Any, rows: Sequence[LabeledTweet], seed: int) -> float:
    """The neutral band with the best cross-validated accuracy on ``rows`` (0 when too few rows)."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = [r.label for r in rows]
    folds = min(3, min(Counter(labels).values()))
    if folds < 2:
        return 0.0
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    probabilities = cross_val_predict(clone(pipeline), [r.text for r in rows], labels, cv=cv, method="predict_proba")
    classes = sorted(set(labels))  # cross_val_predict orders columns as the sorted classes
    polarities = [s.polarity for s in signed_sentiments(classes, probabilities)]
    best = max(BAND_GRID, key=lambda b: (metrics(labels, [label_for(p, b) for p in polarities]).accuracy, -b))
    return float(best)


@dataclass(slots=True)
class TrainResult:
    """A fitted pipeline, its neutral band, and its scores on the held-out rows."""

    pipeline: Any
    neutral_band: float
    train_rows: int
    held_out: Metrics
    compared: dict[str, Metrics] = field(default_factory=dict)  # other scorers on the same held-out rows
    meta: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "train_rows": self.train_rows,
            "neutral_band": self.neutral_band,
            "held_out": self.held_out.as_dict(),
            "compared": {name: m.as_dict() for name, m in self.compared.items()},
        }

    def lines(self) -> list[str]:
        m = self.held_out
        out = [
            f"trained on {self.train_rows} rows; neutral band ±{self.neutral_band:g} (cross-validated)",
            f"held out {m.n} rows: accuracy {m.accuracy:.1%}  macro-F1 {m.macro_f1:.3f}",
        ]
        out += [
            f"  same rows, {name}: accuracy {c.accuracy:.1%}  macro-F1 {c.macro_f1:.3f}"
            for name, c in self.compared.items()
        ]
        return out


def train(
    dataset: LabeledSet, test_size: float = 0.2, seed: int = 0, compare: Sequence[str] = COMPARE_WITH
) -> TrainResult:
    """Fit on the training part of ``dataset``, score on its held-out part (and ``compare`` there)."""
    from tweetpulse.scorers import make_analyzer
    from tweetpulse.workbook.evaluation import evaluate

    train_set, held_set = split_set(dataset, test_size, seed)
    train_rows, held = train_set.rows, held_set.rows
    if len({r.label for r in train_rows}) < 2 or not held:
        raise DatasetError(
            f"{dataset.path} has too few labeled rows to train and hold some out "
            f"({dict(Counter(dataset.labels))}); give a file with more rows of each label"
        )
    pipeline = build_pipeline(seed)
    band = choose_band(pipeline, train_rows, seed)
    pipeline.fit([r.text for r in train_rows], [r.label for r in train_rows])
    classes = [str(c) for c in pipeline.classes_]
    predicted = [
        label_for(s.polarity, band) for s in signed_sentiments(classes, pipeline.predict_proba([r.text for r in held]))
    ]
    held_metrics = metrics([r.label for r in held], predicted)
    compared = {name: evaluate(make_analyzer(name), held_set).overall for name in compare}
    meta = {
        "classes": classes,
        "neutral_band": band,
        "rows": len(train_rows),
        "held_out_rows": len(held),
        "test_size": test_size,
        "seed": seed,
        "dataset": dataset.path.name,
        "dataset_sha256": dataset.digest(),
        "held_out": {"accuracy": held_metrics.accuracy, "macro_f1": held_metrics.macro_f1},
    }
    log.info("trained on %d rows, held out %d: accuracy %.3f", len(train_rows), len(held), held_metrics.accuracy)
    return TrainResult(pipeline, band, len(train_rows), held_metrics, compared, meta)


def train_to_file(dataset: LabeledSet, out: str | Path, **options: Any) -> TrainResult:
    """:func:`train`, then write the model file ``--scorer model:PATH`` loads."""
    result = train(dataset, **options)
    save_model(out, result.pipeline, result.meta)
    return result
