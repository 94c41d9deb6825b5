"""How far to trust a scorer: its labels against human labels.

A scorer's label (positive / negative / neutral, from its polarity and neutral band) is compared
with the human label of each tweet in a labeled file (:mod:`tweetpulse.workbook.labeled`): accuracy,
macro-F1 (the unweighted mean of the three classes' F1) and the confusion matrix, overall and per
entity; accuracy as the neutral band widens; and the worst disagreements (the scorer most sure of
the wrong answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from tweetpulse.scorers.base import LABELS, Scorer, label_for
from tweetpulse.workbook.labeled import LabeledSet, LabeledTweet

if TYPE_CHECKING:
    import pandas as pd

# Where each human label sits on the polarity axis, to tell how far off a scorer was.
TARGET = {"negative": -1.0, "neutral": 0.0, "positive": 1.0}
DEFAULT_BANDS = tuple(round(0.05 * i, 2) for i in range(11))  # 0, 0.05, ..., 0.5


@dataclass(slots=True)
class Metrics:
    """Agreement of predicted labels with human labels.

    ``confusion[human][predicted]`` counts tweets; ``f1`` is per class (a class neither in the
    truth nor predicted gets 0 there and is left out of ``macro_f1``).
    """

    n: int
    accuracy: float
    macro_f1: float
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "f1": dict(self.f1),
            "confusion": {h: dict(p) for h, p in self.confusion.items()},
        }


def metrics(truth: Sequence[str], predicted: Sequence[str]) -> Metrics:
    """Accuracy, macro-F1 and confusion of ``predicted`` against ``truth`` (same length).

    Macro-F1 averages the F1 of the classes that occur in ``truth`` or ``predicted``; a class's F1
    is ``2·TP / (2·TP + FP + FN)``.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} human labels but {len(predicted)} predictions")
    confusion = {h: dict.fromkeys(LABELS, 0) for h in LABELS}
    for human, guess in zip(truth, predicted, strict=True):
        confusion[human][guess] += 1
    n = len(truth)
    correct = sum(confusion[label][label] for label in LABELS)
    f1: dict[str, float] = {}
    present = []
    for label in LABELS:
        tp = confusion[label][label]
        fn = sum(confusion[label].values()) - tp
        fp = sum(confusion[h][label] for h in LABELS) - tp
        f1[label] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        if tp + fp + fn:
            present.append(label)
    macro = sum(f1[label] for label in present) / len(present) if present else 0.0
    return Metrics(n=n, accuracy=correct / n if n else 0.0, macro_f1=macro, f1=f1, confusion=confusion)


class Scored(NamedTuple):
    """One labeled tweet with a scorer's verdict."""

    row: LabeledTweet
    polarity: float
    predicted: str


@dataclass(slots=True)
class Evaluation:
    """A scorer's results on a labeled set."""

    scorer: str
    neutral_band: float
    dataset: LabeledSet
    scored: list[Scored]
    overall: Metrics
    per_entity: dict[str, Metrics] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``tweetpulse evaluate --json``: ``accuracy`` is a fraction."""
        return {
            "scorer": self.scorer,
            "neutral_band": self.neutral_band,
            "dataset": str(self.dataset.path),
            **self.overall.as_dict(),
            "labels": list(LABELS),
            "irrelevant_left_out": self.dataset.irrelevant,
            "skipped": self.dataset.skipped.count,
            "per_entity": {entity: m.as_dict() for entity, m in self.per_entity.items()},
        }

    def polarities(self) -> list[float]:
        return [s.polarity for s in self.scored]

    def frame(self) -> pd.DataFrame:
        """One row per tweet: line, entity, human label, polarity, predicted label, text."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "line": s.row.line,
                    "entity": s.row.entity,
                    "human": s.row.label,
                    "polarity": s.polarity,
                    "predicted": s.predicted,
                    "text": s.row.text,
                }
                for s in self.scored
            ],
            columns=["line", "entity", "human", "polarity", "predicted", "text"],
        )


def evaluate(scorer: Scorer, dataset: LabeledSet) -> Evaluation:
    """Score every tweet of ``dataset`` with ``scorer`` and compare its labels with the human ones."""
    results = scorer.sentiments(dataset.texts)
    scored = [Scored(row, r.polarity, scorer.label(r.polarity)) for row, r in zip(dataset.rows, results, strict=True)]
    by_entity: dict[str, list[Scored]] = {}
    for s in scored:
        by_entity.setdefault(s.row.entity, []).append(s)
    return Evaluation(
        scorer=scorer.name,
        neutral_band=scorer.neutral_band,
        dataset=dataset,
        scored=scored,
        overall=_metrics_of(scored),
        per_entity={entity: _metrics_of(group) for entity, group in sorted(by_entity.items())},
    )


def _metrics_of(scored: Sequence[Scored]) -> Metrics:
    return metrics([s.row.label for s in scored], [s.predicted for s in scored])


class BandPoint(NamedTuple):
    band: float
    accuracy: float
    macro_f1: float


def band_sweep(evaluation: Evaluation, bands: Iterable[float] = DEFAULT_BANDS) -> list[BandPoint]:
    """Accuracy and macro-F1 if the same polarities were labelled with each neutral band."""
    truth = [s.row.label for s in evaluation.scored]
    points = []
    for band in bands:
        m = metrics(truth, [label_for(s.polarity, band) for s in evaluation.scored])
        points.append(BandPoint(band, m.accuracy, m.macro_f1))
    return points


def worst_disagreements(evaluation: Evaluation, n: int = 10) -> list[Scored]:
    """The ``n`` tweets where the scorer was furthest from the human label (polarity vs ±1 or 0)."""
    wrong = [s for s in evaluation.scored if s.predicted != s.row.label]
    wrong.sort(key=lambda s: (-abs(s.polarity - TARGET[s.row.label]), s.row.line))
    return wrong[:n]


def comparison(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """One row per scorer: n, accuracy, macro-F1 and each class's F1 (the notebook's side-by-side table)."""
    import pandas as pd

    rows = [
        {
            "scorer": name,
            "n": ev.overall.n,
            "accuracy": ev.overall.accuracy,
            "macro_f1": ev.overall.macro_f1,
            **{f"f1_{label}": ev.overall.f1[label] for label in LABELS},
        }
        for name, ev in evaluations.items()
    ]
    return pd.DataFrame(rows).set_index("scorer")


def per_entity_accuracy(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """Accuracy per entity (rows) and scorer (columns), with each entity's tweet count, largest first."""
    import pandas as pd

    first = next(iter(evaluations.values()))
    table = pd.DataFrame({"n": {entity: m.n for entity, m in first.per_entity.items()}})
    for name, ev in evaluations.items():
        table[name] = pd.Series({entity: m.accuracy for entity, m in ev.per_entity.items()})
    return table.sort_values(["n"], ascending=False, kind="stable")


def disagreements_frame(evaluation: Evaluation, n: int = 10) -> pd.DataFrame:
    """:func:`worst_disagreements` as a table."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "line": s.row.line,
                "entity": s.row.entity,
                "human": s.row.label,
                "scorer": s.predicted,
                "polarity": s.polarity,
                "text": s.row.text,
            }
            for s in worst_disagreements(evaluation, n)
        ],
        columns=["line", "entity", "human", "scorer", "polarity", "text"],
    )


# -- text report ---------------------------------------------------------------------------------


def confusion_lines(m: Metrics) -> list[str]:
    width = max(len(label) for label in LABELS) + 2
    lines = ["human \\ scorer".ljust(16) + "".join(label.rjust(width) for label in LABELS)]
    for human in LABELS:
        lines.append(human.ljust(16) + "".join(str(m.confusion[human][p]).rjust(width) for p in LABELS))
    return lines


def _clip(text: str, size: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def render(evaluation: Evaluation, worst: int = 5, entities: int = 10) -> str:
    """The human-readable report of ``tweetpulse evaluate``."""
    m = evaluation.overall
    out = [
        f"scorer {evaluation.scorer} (neutral band ±{evaluation.neutral_band:g}) on {evaluation.dataset.describe()}",
        f"accuracy {m.accuracy:.1%} ({round(m.accuracy * m.n)} of {m.n})  macro-F1 {m.macro_f1:.3f}  "
        + "  ".join(f"F1 {label} {m.f1[label]:.3f}" for label in LABELS),
        "",
        *confusion_lines(m),
    ]
    if entities and evaluation.per_entity:
        ranked = sorted(evaluation.per_entity.items(), key=lambda item: (-item[1].n, item[0]))[:entities]
        out += ["", f"per entity (the {len(ranked)} largest of {len(evaluation.per_entity)}):"]
        out += [
            f"  {entity[:28]:<28} n {pm.n:>4}  accuracy {pm.accuracy:6.1%}  macro-F1 {pm.macro_f1:.3f}"
            for entity, pm in ranked
        ]
    if worst:
        out += ["", "worst disagreements:"]
        out += [
            f"  line {s.row.line}: human {s.row.label}, scorer {s.predicted} ({s.polarity:+.3f}): "
            f"{_clip(s.row.text, 90)}"
            for s in worst_disagreements(evaluation, worst)
        ]
    return "\n".join(out)
