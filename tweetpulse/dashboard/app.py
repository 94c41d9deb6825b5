"""The Dash app factory: a live chart of the cumulative weighted sentiment per keyword group.

Every tick sends only what is new since the browser's cursor (``extendData`` over a bounded
window), so a tick costs the same after ten million tweets as after ten.
"""

from __future__ import annotations

import time
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html

from tweetpulse.aggregates import OVERALL, Aggregator

GROUP_COLOURS = {OVERALL: "#374151", "bitcoin": "#f7931a", "ethereum": "#627eea", "dogecoin": "#c2a633"}
FALLBACK_COLOURS = ("#10b981", "#ef4444", "#8b5cf6", "#0ea5e9")
DEFAULT_GROUPS = (OVERALL, "bitcoin", "ethereum", "dogecoin")


def colour_for(group: str, index: int) -> str:
    return GROUP_COLOURS.get(group, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def initial_figure(groups: list[str]) -> go.Figure:
    fig = go.Figure()
    for i, group in enumerate(groups):
        fig.add_trace(go.Scatter(
            x=[], y=[], mode="lines", name=group.capitalize(),
            line={"color": colour_for(group, i), "width": 3 if group == OVERALL else 2},
        ))
    fig.update_layout(
        margin={"l": 50, "r": 20, "t": 30, "b": 40}, height=420, template="plotly_white",
        legend={"orientation": "h", "y": 1.08}, uirevision="keep",
        xaxis={"title": "time (UTC)", "type": "date"},
        yaxis={"title": "cumulative ln(followers+1) × polarity"},
    )
    return fig


def tick(aggregator: Aggregator, groups: list[str], cursor: int, now: float | None = None,
         max_points: int = 3600) -> tuple[dict[str, Any] | None, list[int], int]:
    """The ``extendData`` payload for every second after ``cursor`` that has settled.

    A second settles one second after it ends (deltas arrive within that); returns the payload
    (``None`` when there is nothing new), the trace indices, and the new cursor.
    """
    until = int(now if now is not None else time.time()) - 2
    if cursor >= until:
        return None, [], cursor
    after = max(cursor, until - max_points)
    xs_all: list[list[str]] = []
    ys_all: list[list[float]] = []
    for group in groups:
        xs, ys = aggregator.cumulative_since(group, after, until)
        xs_all.append([time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(s)) for s in xs])
        ys_all.append([round(y, 4) for y in ys])
    if not any(xs_all):
        return None, [], until
    return {"x": xs_all, "y": ys_all}, list(range(len(groups))), until


def counters_text(aggregator: Aggregator) -> str:
    c = aggregator.counters
    return (f"stored {c['stored']:,} · duplicates {c['duplicates']:,} · "
            f"dead-lettered {c['dead']:,} · consumed {c['consumed']:,}")


def build_app(aggregator: Aggregator, groups: list[str] | None = None, title: str = "tweetpulse",
              subtitle: str = "", interval_ms: int = 1000, max_points: int = 3600) -> Dash:
    """Build the page for ``aggregator``. No module globals: every app has its own state."""
    groups = list(groups or DEFAULT_GROUPS)
    if OVERALL not in groups:
        groups.insert(0, OVERALL)
    app = Dash(__name__, title=title, update_title=None)  # type: ignore[arg-type]
    app.layout = html.Div(
        style={"fontFamily": "system-ui, sans-serif", "maxWidth": "1200px", "margin": "0 auto", "padding": "12px"},
        children=[
            html.H2(title, style={"marginBottom": "0"}),
            html.Div(subtitle, id="subtitle", style={"color": "#6b7280"}),
            html.Div(id="counters", style={"margin": "8px 0", "fontWeight": "600"}),
            dcc.Graph(id="sentiment", figure=initial_figure(groups), config={"displaylogo": False}),
            dcc.Store(id="cursor", data=0),
            dcc.Interval(id="tick", interval=interval_ms),
        ],
    )

    @app.callback(
        Output("sentiment", "extendData"),
        Output("cursor", "data"),
        Output("counters", "children"),
        Input("tick", "n_intervals"),
        State("cursor", "data"),
    )
    def on_tick(_n: int | None, cursor: int | None) -> tuple[Any, int, str]:
        payload, traces, new_cursor = tick(aggregator, groups, cursor or 0, max_points=max_points)
        extend = (payload, traces, max_points) if payload is not None else None
        return extend, new_cursor, counters_text(aggregator)

    return app
