"""The workbook notebooks' plotly charts (the live page has its own, in :mod:`tweetpulse.dashboard`).

Each takes a table from :mod:`tweetpulse.workbook.analysis` or :mod:`tweetpulse.workbook.evaluation`; an empty table
gives an empty chart that says so instead of failing. Coins have the live page's colours. Imported
in a Jupyter kernel, it makes plotly's output survive export to HTML
(:func:`tweetpulse.workbook.notebook.use_exportable_charts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from tweetpulse.dashboard.theme import LABEL_COLOURS, MUTED, colour_for
from tweetpulse.scorers.base import LABELS
from tweetpulse.workbook.analysis import UNGROUPED
from tweetpulse.workbook.evaluation import BandPoint, Metrics
from tweetpulse.workbook.notebook import use_exportable_charts

use_exportable_charts()


def _layout(fig: go.Figure, title: str, x: str, y: str, empty: str | None = None) -> go.Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        height=420,
        legend={"orientation": "h", "y": -0.2},
    )
    if empty:
        fig.add_annotation(text=empty, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 15})
    return fig


def group_colour(group: str, index: int = 0) -> str:
    """A keyword group's colour: the live page's (:func:`tweetpulse.dashboard.theme.colour_for`, one
    palette for both), grey for the tweets that matched no group."""
    return MUTED if group == UNGROUPED else colour_for(group, index)


def lines(table: pd.DataFrame, title: str, y: str) -> go.Figure:
    """One line per column of a time-indexed table (per-minute sentiment or volume per group), each
    group in the live page's colour."""
    fig = go.Figure(
        [
            go.Scatter(
                x=table.index,
                y=table[column],
                mode="lines+markers",
                name=str(column),
                line_color=group_colour(str(column), i),
            )
            for i, column in enumerate(table.columns)
        ]
    )
    return _layout(fig, title, "time (UTC)", y, None if len(table) else "no tweets in the store")


def label_bars(distribution: pd.DataFrame, title: str = "Labels per keyword group") -> go.Figure:
    """Stacked shares of negative / neutral / positive per group."""
    totals = distribution.sum(axis=1).replace(0, 1)
    fig = go.Figure(
        [
            go.Bar(
                y=distribution.index,
                x=distribution[label] / totals,
                name=label,
                orientation="h",
                marker_color=LABEL_COLOURS.get(label),
                customdata=distribution[label],
                hovertemplate="%{customdata} tweets (%{x:.0%})",
            )
            for label in LABELS
        ]
    )
    fig.update_layout(barmode="stack", xaxis_tickformat=".0%")
    return _layout(fig, title, "share of tweets", "", None if int(distribution.to_numpy().sum()) else "no tweets")


def confusion(metrics: Metrics, title: str) -> go.Figure:
    """Heatmap of human labels (rows) against the scorer's (columns), counts in the cells."""
    z = [[metrics.confusion[h][p] for p in LABELS] for h in LABELS]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=list(LABELS), y=list(LABELS), colorscale="Blues", text=z, texttemplate="%{text}", showscale=False
        )
    )
    fig.update_yaxes(autorange="reversed")
    _layout(fig, f"{title}: accuracy {metrics.accuracy:.1%}, macro-F1 {metrics.macro_f1:.3f}", "scorer", "human")
    fig.update_layout(height=360, width=460)
    return fig


def band_accuracy(sweeps: Mapping[str, Sequence[BandPoint]], marks: Mapping[str, float] | None = None) -> go.Figure:
    """Accuracy of each scorer as its neutral band widens; ``marks``: each scorer's default band."""
    fig = go.Figure()
    for name, points in sweeps.items():
        fig.add_trace(
            go.Scatter(x=[p.band for p in points], y=[p.accuracy for p in points], mode="lines+markers", name=name)
        )
    for name, band in (marks or {}).items():
        fig.add_vline(
            x=band, line_dash="dot", line_color="#94a3b8", annotation_text=f"{name} default", annotation_position="top"
        )
    fig.update_layout(yaxis_tickformat=".0%")
    return _layout(fig, "Accuracy against the neutral band", "neutral band (|polarity| ≤ band is neutral)", "accuracy")
