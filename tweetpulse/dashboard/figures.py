"""The page's figures as they are first sent: styled, with empty traces that the ticks fill.

Figures are plain dicts (what ``dcc.Graph`` receives anyway), so building one costs nothing and
tests can read them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tweetpulse.dashboard.theme import FONT, GRID, INK, LABEL_COLOURS, LABELS, MUTED, colour_for, display_name
from tweetpulse.live.aggregates import OVERALL

Figure = dict[str, Any]

# trend modes: the radio values, what they show, the mean window in seconds (None: cumulative)
TREND_MODES: dict[str, tuple[str, int | None]] = {
    "cumulative": ("Cumulative", None),
    "mean10": ("Mean · 10 s", 10),
    "mean60": ("Mean · 1 min", 60),
    "mean300": ("Mean · 5 min", 300),
}
DEFAULT_MODE = "cumulative"


def trend_axis_title(mode: str) -> str:
    window = TREND_MODES[mode][1]
    if window is None:
        return "Σ ln(followers+1) × polarity"
    return f"mean score per tweet, last {window if window < 60 else window // 60}{' s' if window < 60 else ' min'}"


def _base_layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 56, "r": 14, "t": 8, "b": 34},
        "font": {"family": FONT, "size": 12, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "uirevision": "keep",
        "modebar": {"bgcolor": "rgba(255,255,255,0.8)", "color": "#94a3b8", "activecolor": INK},
    }
    layout.update(extra)
    return layout


def _time_axis() -> dict[str, Any]:
    return {
        "type": "date",
        "gridcolor": GRID,
        "linecolor": GRID,
        "tickfont": {"color": MUTED},
        "hoverformat": "%H:%M:%S",
    }


def _line_traces(groups: Sequence[str], hover: str, width: float = 1.0) -> list[dict[str, Any]]:
    traces = []
    for i, group in enumerate(groups):
        overall = group == OVERALL
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [],
                "y": [],
                "name": display_name(group),
                "line": {
                    "color": colour_for(group, i),
                    "width": (2.4 if overall else 1.9) * width,
                    **({"dash": "dot"} if overall else {}),
                },
                "hovertemplate": f"%{{y:{hover}}}<extra>{display_name(group)}</extra>",
                "connectgaps": False,
            }
        )
    return traces


def trend_figure(groups: Sequence[str], mode: str = DEFAULT_MODE, height: int = 330) -> Figure:
    return {
        "data": _line_traces(groups, ",.2f"),
        "layout": _base_layout(
            height,
            hovermode="x unified",
            legend=_legend(),
            margin={"l": 60, "r": 14, "t": 30, "b": 34},
            xaxis=_time_axis(),
            yaxis={
                "title": {"text": trend_axis_title(mode), "font": {"size": 11.5, "color": MUTED}},
                "gridcolor": GRID,
                "zerolinecolor": "#94a3b8",
                "zerolinewidth": 1.2,
                "tickfont": {"color": MUTED},
            },
        ),
    }


def _legend() -> dict[str, Any]:
    return {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "font": {"size": 12}}


def rate_figure(groups: Sequence[str], height: int = 250) -> Figure:
    return {
        "data": _line_traces(groups, ",.0f", width=0.75),
        "layout": _base_layout(
            height,
            hovermode="x unified",
            legend=_legend(),
            margin={"l": 56, "r": 14, "t": 30, "b": 34},
            xaxis=_time_axis(),
            yaxis={
                "title": {"text": "tweets / s", "font": {"size": 11.5, "color": MUTED}},
                "gridcolor": GRID,
                "rangemode": "tozero",
                "tickfont": {"color": MUTED},
            },
        ),
    }


def pie_figure(height: int = 230) -> Figure:
    return {
        "data": [
            {
                "type": "pie",
                "labels": [label.capitalize() for label in LABELS],
                "values": [0, 0, 0],
                "marker": {"colors": [LABEL_COLOURS[label] for label in LABELS], "line": {"color": "#fff", "width": 2}},
                "hole": 0.58,
                "sort": False,
                "direction": "clockwise",
                "textinfo": "percent",
                "texttemplate": "%{percent:.1%}",
                "textposition": "outside",
                "textfont": {"size": 12},
                "hovertemplate": "%{label}: %{value:,} tweets (%{percent:.1%})<extra></extra>",
            }
        ],
        "layout": _base_layout(
            height,
            showlegend=False,
            margin={"l": 12, "r": 12, "t": 14, "b": 14},
            annotations=[
                {
                    "text": "0<br><span style='font-size:11px;color:#64748b'>tweets</span>",
                    "showarrow": False,
                    "font": {"size": 18, "color": INK},
                    "x": 0.5,
                    "y": 0.5,
                    "xref": "paper",
                    "yref": "paper",
                }
            ],
        ),
    }


def labels_bar_figure(groups: Sequence[str], height: int | None = None) -> Figure:
    names = [display_name(g) for g in groups]
    height = height or 70 + 34 * len(groups)
    data = []
    for label in LABELS:
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label.capitalize(),
                "y": names,
                "x": [0] * len(names),
                "marker": {"color": LABEL_COLOURS[label], "line": {"color": "#fff", "width": 1}},
                "text": [""] * len(names),
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textfont": {"color": "#fff", "size": 11.5},
                "customdata": [0] * len(names),
                "hovertemplate": f"%{{y}} · {label}: %{{customdata:,}} tweets (%{{x:.1f}}%)<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": _base_layout(
            height,
            barmode="stack",
            bargap=0.32,
            margin={"l": 84, "r": 10, "t": 26, "b": 22},
            legend={
                "orientation": "h",
                "y": 1.0,
                "yanchor": "bottom",
                "x": 0,
                "font": {"size": 11.5},
                "traceorder": "normal",
            },
            xaxis={
                "range": [0, 100],
                "ticksuffix": "%",
                "gridcolor": GRID,
                "tickfont": {"color": MUTED, "size": 10.5},
                "fixedrange": True,
            },
            yaxis={"autorange": "reversed", "fixedrange": True, "tickfont": {"size": 12}},
        ),
    }
