"""The page's structure: header, headline cards, charts, tables, the classify box and health.

Everything here is static; the tick callback (:mod:`tweetpulse.dashboard.callbacks`) fills it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from tweetpulse.dashboard.figures import (
    DEFAULT_MODE,
    TREND_MODES,
    labels_bar_figure,
    pie_figure,
    rate_figure,
    trend_figure,
)
from tweetpulse.dashboard.panels import RATE_SPAN, RATE_TITLE, metric
from tweetpulse.dashboard.tables import influencers_table, latest_table
from tweetpulse.dashboard.theme import LABEL_COLOURS, LABELS, colour_for, display_name
from tweetpulse.live.aggregates import OVERALL

GRAPH_CONFIG: Any = {
    "displaylogo": False,
    "responsive": True,
    "displayModeBar": "hover",
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
}
STATIC_GRAPH: Any = {"displayModeBar": False, "responsive": True}


def _graph(ident: str, figure: dict[str, Any], config: Any) -> dcc.Graph:
    """A graph whose box has the figure's height (plotly then follows the box's width)."""
    return dcc.Graph(id=ident, figure=figure, config=config, style={"height": f"{figure['layout']['height']}px"})


def _panel(
    title: str, *children: Component | str, note: str = "", extra: Component | None = None, class_name: str = ""
) -> html.Div:
    head: list[Component | str] = [html.H2([title, html.Small(note)] if note else title)]
    if extra is not None:
        head.append(extra)
    return html.Div([html.Div(head, className="tp-panel-head"), *children], className=f"tp-panel {class_name}".strip())


def header(
    title: str,
    subtitle: str,
    keywords: Mapping[str, Sequence[str]] | None,
    groups: Sequence[str],
    scorer: str = "textblob",
) -> html.Div:
    chips = []
    for i, group in enumerate(groups):
        if group == OVERALL:
            continue
        terms = ", ".join((keywords or {}).get(group, ()))
        chips.append(
            html.Span(
                [
                    html.Span(className="tp-dot", style={"background": colour_for(group, i)}),
                    html.B(display_name(group)),
                    terms,
                ],
                className="tp-chip",
            )
        )
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.H1(title),
                            html.Span("live crypto-tweet sentiment", className="tp-tagline"),
                            html.Span(f"scorer: {scorer}", id="scorer-name", className="tp-tagline"),
                        ],
                        className="tp-brand",
                    ),
                    html.Div(subtitle, id="subtitle", className="tp-sub") if subtitle else None,
                    html.Div(chips, className="tp-keywords"),
                ]
            ),
            html.Div(
                [html.Span(className="tp-dot"), html.Span("connecting…", id="status-text")],
                id="status",
                className="tp-status",
            ),
        ],
        className="tp-header",
    )


def classify_panel(text_max: int, scorer: str = "textblob") -> html.Div:
    return _panel(
        "Classify your own text",
        html.Div(
            [
                dcc.Textarea(
                    id="classify-text",
                    maxLength=text_max,
                    placeholder="e.g. Bitcoin looks really strong today!",
                    value="",
                ),
                html.Div(
                    [
                        dcc.Input(
                            id="classify-followers",
                            type="number",
                            min=0,
                            step=1,
                            placeholder="followers",
                            debounce=False,
                        ),
                        html.Button("Score it", id="classify-button", className="tp-button", n_clicks=0),
                        html.Span(f"up to {text_max:,} characters · the listener's own scorer", className="tp-hint"),
                    ],
                    className="tp-classify-row",
                ),
                html.Div(
                    html.Span(
                        "Type a tweet and press Score it to see its polarity, subjectivity, weight and label.",
                        className="tp-hint",
                    ),
                    id="classify-result",
                    className="tp-result",
                ),
            ],
            className="tp-classify",
        ),
        note="TextBlob-exact" if scorer == "textblob" else scorer,
    )


def cards(groups: Sequence[str]) -> list[html.Div]:
    """One headline card per group; the tick fills the elements with ids ``card-<i>-...``."""
    out = []
    for i, group in enumerate(groups):
        out.append(
            html.Div(
                [
                    html.Div(
                        [display_name(group), html.Small("", id=f"card-{i}-rate", title=RATE_TITLE)],
                        className="tp-card-title",
                    ),
                    html.Div("0", id=f"card-{i}-value", className="tp-card-value flat"),
                    html.Div(
                        ["weighted sentiment · last min ", html.B("0", id=f"card-{i}-minute", className="flat")],
                        className="tp-card-caption",
                    ),
                    html.Div("no tweets yet", id=f"card-{i}-count", className="tp-card-line"),
                    html.Div("", id=f"card-{i}-shares", className="tp-card-line"),
                    html.Div(id=f"card-{i}-split", className="tp-split"),
                ],
                className="tp-card",
                style={"--accent": colour_for(group, i)},
            )
        )
    return out


def share_boxes() -> list[html.Div]:
    return [
        html.Div(
            [
                html.B("–", id=f"share-{label}-pct", style={"color": LABEL_COLOURS[label]}),
                html.Span(label, id=f"share-{label}-count"),
            ],
            className="tp-share",
        )
        for label in LABELS
    ]


def health_panel(show_workers: bool) -> html.Div:
    metrics = [
        metric(f"consumed · last {RATE_SPAN} s", "…", "health-consumed"),
        metric("stored", "…", "health-stored"),
        metric("latency p50 · p99", "…", "health-latency"),
        metric("dead-lettered", "…", "health-dead"),
        metric("duplicates ignored", "…", "health-duplicates"),
        *([metric("workers alive", "…", "health-workers")] if show_workers else []),
        metric("consumer lag", "…", "health-lag"),
    ]
    return html.Div(
        [
            html.Div(metrics, className="tp-health"),
            html.Div(id="health-lag-detail", className="tp-lag"),
            html.Div(id="health-alerts", className="tp-alerts", role="status"),
        ],
        id="health",
    )


def build_layout(
    *,
    title: str,
    subtitle: str,
    groups: Sequence[str],
    keywords: Mapping[str, Sequence[str]] | None,
    interval_ms: int,
    table_rows: int,
    top_n: int,
    text_max: int,
    author_window: int,
    show_workers: bool,
    scorer: str = "textblob",
) -> html.Div:
    window_text = f"last {author_window // 60} min" if author_window >= 120 else f"last {author_window} s"
    modes = dcc.RadioItems(
        id="trend-mode",
        value=DEFAULT_MODE,
        inline=True,
        className="tp-modes",
        options=[{"label": label, "value": value} for value, (label, _w) in TREND_MODES.items()],
    )
    return html.Div(
        [
            header(title, subtitle, keywords, groups, scorer),
            html.Div(cards(groups), id="cards", className="tp-cards"),
            *chart_panels(groups, modes),
            *table_panels(table_rows, window_text, text_max, scorer, show_workers),
            html.Div(
                "tweetpulse · per-second aggregates, bounded windows: a tick costs the same after ten million "
                "tweets as after ten",
                className="tp-foot",
            ),
            dcc.Store(id="cursor", data=None),
            dcc.Interval(id="tick", interval=interval_ms),
        ],
        className="tp-page",
    )


def chart_panels(groups: Sequence[str], modes: Component) -> list[html.Div]:
    """The two rows of charts: the weighted trend and the label shares, the rate and the labels per coin."""
    return [
        html.Div(
            [
                _panel(
                    "Weighted sentiment",
                    _graph("trend", trend_figure(groups), GRAPH_CONFIG),
                    note="ln(followers+1) × polarity · UTC",
                    extra=modes,
                ),
                _panel(
                    "Sentiment distribution",
                    _graph("pie", pie_figure(), STATIC_GRAPH),
                    html.Div(share_boxes(), id="shares", className="tp-shares"),
                    note="all tweets so far",
                ),
            ],
            className="tp-grid wide-narrow",
        ),
        html.Div(
            [
                _panel(
                    "Tweets per second",
                    _graph("rate", rate_figure(groups), STATIC_GRAPH),
                    note="stored in each second · UTC",
                ),
                _panel(
                    "Labels per coin",
                    _graph("labels-bar", labels_bar_figure(groups), STATIC_GRAPH),
                    note="share of positive / negative / neutral",
                ),
            ],
            className="tp-grid wide-narrow",
        ),
    ]


def table_panels(rows: int, window_text: str, text_max: int, scorer: str, show_workers: bool) -> list[html.Div]:
    """The tables (latest tweets, top influencers), then the classify box and the pipeline's health."""
    health_note = "listener workers" if show_workers else "from the store"
    return [
        html.Div(
            [
                _panel("Latest tweets", latest_table(rows), note="newest first"),
                _panel("Top influencers", influencers_table(), note=f"largest Σ |score|, {window_text}"),
            ],
            className="tp-grid tables",
        ),
        html.Div(
            [classify_panel(text_max, scorer), _panel("Pipeline health", health_panel(show_workers), note=health_note)],
            className="tp-grid halves",
        ),
    ]
