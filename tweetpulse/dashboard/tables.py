"""The page's two tables: the latest tweets and the top influencers (Dash DataTables, rows filled by the tick)."""

from __future__ import annotations

import warnings
from typing import Any

from dash.dash_table.DataTable import DataTable

from tweetpulse.dashboard.theme import FONT, INK, LABEL_COLOURS, LABEL_TINTS, MUTED

LATEST_COLUMNS: Any = [
    {"id": "time", "name": "Time (UTC)"},
    {"id": "author", "name": "Author"},
    {"id": "followers", "name": "Followers"},
    {"id": "text", "name": "Tweet"},
    {"id": "polarity", "name": "Polarity"},
    {"id": "score", "name": "Score"},
    {"id": "label", "name": "Label"},
]
INFLUENCER_COLUMNS: Any = [
    {"id": "rank", "name": "#"},
    {"id": "author", "name": "Author"},
    {"id": "followers", "name": "Followers"},
    {"id": "tweets", "name": "Tweets"},
    {"id": "influence", "name": "Influence"},
    {"id": "net", "name": "Net"},
]
_TABLE_CELL = {
    "fontFamily": FONT,
    "fontSize": "12.5px",
    "color": INK,
    "padding": "5px 7px",
    "border": "none",
    "borderBottom": "1px solid #eef2f7",
    "textAlign": "left",
    "whiteSpace": "normal",
    "height": "auto",
    "lineHeight": "1.35",
}
_TABLE_HEADER = {
    "fontWeight": "600",
    "backgroundColor": "#f8fafc",
    "color": MUTED,
    "fontSize": "11.5px",
    "borderBottom": "1px solid #e2e8f0",
    "whiteSpace": "nowrap",
}
_NUMERIC = ("followers", "polarity", "score", "tweets", "influence", "net", "rank")


def _label_styles() -> list[dict[str, object]]:
    styles: list[dict[str, object]] = []
    for label, colour in LABEL_COLOURS.items():
        styles.append({"if": {"filter_query": f'{{label}} = "{label}"'}, "backgroundColor": LABEL_TINTS[label]})
        styles.append(
            {
                "if": {"filter_query": f'{{label}} = "{label}"', "column_id": "label"},
                "color": colour,
                "fontWeight": "700",
            }
        )
        styles.append({"if": {"filter_query": f'{{label}} = "{label}"', "column_id": "score"}, "color": colour})
    return styles


def _data_table(**props: Any) -> DataTable:
    """A DataTable, without its Dash 4 notice that it will leave the builtin components one day.

    Its ``data`` (plain dicts) keeps a tick's table update a fraction of what a table of html
    components would weigh; dash is pinned (requirements.txt), so the notice is for a later upgrade.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"\s*The dash_table.DataTable will be removed", category=DeprecationWarning
        )
        return DataTable(**props)


def latest_table(rows: int) -> DataTable:
    return _data_table(
        id="latest",
        columns=LATEST_COLUMNS,
        data=[],
        page_action="none",
        cell_selectable=False,
        style_table={"overflowX": "auto", "minHeight": f"{min(rows, 6) * 30}px"},
        style_cell=_TABLE_CELL,
        style_header=_TABLE_HEADER,
        style_cell_conditional=[
            {"if": {"column_id": "text"}, "minWidth": "260px", "width": "52%"},
            {"if": {"column_id": "time"}, "width": "72px", "color": MUTED},
            {"if": {"column_id": "author"}, "maxWidth": "140px", "overflow": "hidden", "textOverflow": "ellipsis"},
            *({"if": {"column_id": c}, "textAlign": "right", "fontVariantNumeric": "tabular-nums"} for c in _NUMERIC),
        ],
        style_data_conditional=_label_styles(),
    )


def influencers_table() -> DataTable:
    return _data_table(
        id="influencers",
        columns=INFLUENCER_COLUMNS,
        data=[],
        page_action="none",
        cell_selectable=False,
        style_table={"overflowX": "auto", "width": "100%"},
        style_cell={**_TABLE_CELL, "whiteSpace": "nowrap"},
        style_header=_TABLE_HEADER,
        css=[{"selector": "table", "rule": "width: 100%; table-layout: fixed;"}],
        style_cell_conditional=[
            {"if": {"column_id": "rank"}, "width": "26px", "color": MUTED},
            {
                "if": {"column_id": "author"},
                "fontWeight": "600",
                "width": "32%",
                "overflow": "hidden",
                "textOverflow": "ellipsis",
            },
            *({"if": {"column_id": c}, "textAlign": "right", "fontVariantNumeric": "tabular-nums"} for c in _NUMERIC),
        ],
        style_data_conditional=[
            {
                "if": {"filter_query": "{net_value} > 0", "column_id": "net"},
                "color": LABEL_COLOURS["positive"],
                "fontWeight": "600",
            },
            {
                "if": {"filter_query": "{net_value} < 0", "column_id": "net"},
                "color": LABEL_COLOURS["negative"],
                "fontWeight": "600",
            },
        ],
    )
