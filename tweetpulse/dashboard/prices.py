"""The page's price panel: for each coin, its price line beside its weighted sentiment, and the price
feed's health (last tick age, ticks per second) in the health panel.

Small multiples, one row per coin: the price on the left axis (the coin's colour), the mean weighted
score per tweet over the last minute on the right axis (dotted). Bounded like every series: the last
``window`` seconds: a new browser (or a changed panel: a new product, the synthetic label) gets the
whole figure, at most :data:`MAX_POINTS` points a line (the newest per bucket); every
:data:`REFRESH_MS` after that only the seconds since its cursor (``extendData``, at most ``window``
points a line kept). Synthetic prices (the offline demo's random
walk) are labelled so in the panel and in every trace name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component

from tweetpulse.dashboard.panels import metric
from tweetpulse.dashboard.theme import FONT, GRID, INK, MUTED, colour_for, display_name
from tweetpulse.live.aggregates import OVERALL, Aggregator
from tweetpulse.live.prices import PriceBoard

MAX_POINTS = 600
REFRESH_MS = 2000
ROW_HEIGHT = 150
SENTIMENT_COLOUR = "#334155"
SYNTHETIC_NOTE = "SYNTHETIC prices: a random walk for the offline demo, not a market"


def _thin(xs: list[int], ys: list[Any], limit: int = MAX_POINTS) -> tuple[list[int], list[Any]]:
    """At most ``limit`` points: the last of each of ``limit`` equal spans (the newest is kept)."""
    if len(xs) <= limit:
        return xs, ys
    step = len(xs) / limit
    keep = sorted({min(len(xs) - 1, int((i + 1) * step) - 1) for i in range(limit)})
    return [xs[i] for i in keep], [ys[i] for i in keep]


def _row_axes(i: int, coin: str, top: float, height: float) -> dict[str, Any]:
    """Row ``i``'s two y axes: the price (left, the coin's colour) and the sentiment (right)."""
    suffix = "" if i == 0 else str(2 * i + 1)
    colour = colour_for(coin, i + 1)
    return {
        f"yaxis{suffix}": {
            "domain": [max(0.0, top - height), top],
            "title": {"text": "price", "font": {"color": colour}},
            "tickfont": {"color": colour},
            "gridcolor": GRID,
            "anchor": "x",
        },
        f"yaxis{2 * i + 2}": {
            "overlaying": f"y{suffix}",
            "side": "right",
            "title": {"text": "sentiment", "font": {"color": SENTIMENT_COLOUR}},
            "tickfont": {"color": SENTIMENT_COLOUR},
            "showgrid": False,
            "zeroline": True,
            "anchor": "x",
        },
    }


def _row_traces(i: int, coin: str, entry: dict[str, Any], label: str) -> list[dict[str, Any]]:
    """Row ``i``'s price line and sentiment line."""
    px, py = entry.get("price", ([], []))
    sx, sy = entry.get("sentiment", ([], []))
    line = {"type": "scatter", "mode": "lines", "connectgaps": False}
    return [
        {
            **line,
            "x": px,
            "y": py,
            "name": f"{display_name(coin)} price · {label}",
            "yaxis": "y" if i == 0 else f"y{2 * i + 1}",
            "line": {"color": colour_for(coin, i + 1), "width": 2},
            "hovertemplate": f"%{{y:,.6g}}<extra>{label}</extra>",
        },
        {
            **line,
            "x": sx,
            "y": sy,
            "name": f"{display_name(coin)} sentiment",
            "yaxis": f"y{2 * i + 2}",
            "line": {"color": SENTIMENT_COLOUR, "width": 1.4, "dash": "dot"},
            "hovertemplate": "%{y:+.3f}<extra>mean score per tweet, last min</extra>",
        },
    ]


def price_figure(
    coins: Sequence[str], data: dict[str, dict[str, Any]] | None = None, synthetic: bool = False
) -> dict[str, Any]:
    """The figure: per coin (row), ``data[coin]`` = {"product", "price": (xs ms, ys), "sentiment": (xs ms, ys)}."""
    data = data or {}
    n = max(1, len(coins))
    gap = 0.06
    height = (1 - gap * (n - 1)) / n
    layout: dict[str, Any] = {
        "template": "plotly_white",
        "height": ROW_HEIGHT * n + 40,
        "margin": {"l": 64, "r": 64, "t": 20, "b": 30},
        "font": {"family": FONT, "size": 11, "color": INK},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        "uirevision": "keep",
        "xaxis": {"type": "date", "gridcolor": GRID, "tickfont": {"color": MUTED}, "anchor": f"y{2 * n - 1}"},
        "annotations": [],
    }
    traces: list[dict[str, Any]] = []
    for i, coin in enumerate(coins):
        top = 1 - i * (height + gap)
        entry = data.get(coin, {})
        label = f"{entry.get('product') or 'no price yet'}{' (synthetic)' if synthetic else ''}"
        layout.update(_row_axes(i, coin, top, height))
        layout["annotations"].append(
            {
                "text": f"<b>{display_name(coin)}</b> · {label}",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": top,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
        traces += _row_traces(i, coin, entry, label)
    return {"data": traces, "layout": layout}


def coins_of(groups: Sequence[str]) -> list[str]:
    return [g for g in groups if g != OVERALL]


def price_panel(coins: Sequence[str], interval_ms: int = REFRESH_MS) -> html.Div:
    figure = price_figure(coins)
    head = html.Div(
        [
            html.H2(
                ["Price beside sentiment", html.Small("price (left) · mean score per tweet, last min (right) · UTC")]
            )
        ],
        className="tp-panel-head",
    )
    return html.Div(
        [
            head,
            html.Div("", id="prices-note", className="tp-note"),
            dcc.Graph(
                id="prices",
                figure=figure,
                config={"displaylogo": False, "responsive": True},
                style={"height": f"{figure['layout']['height']}px"},
            ),
            dcc.Interval(id="prices-tick", interval=interval_ms),
            dcc.Store(id="prices-cursor", data=None),
        ],
        className="tp-panel",
        id="prices-panel",
    )


def price_metrics() -> list[html.Div]:
    return [
        metric("price feed · last tick", "…", "health-price-age"),
        metric("price ticks/s", "…", "health-price-rate"),
    ]


def _find(node: Any, ident: str) -> Any:
    if getattr(node, "id", None) == ident:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children] if isinstance(children, Component) else []:
        found = _find(child, ident)
        if found is not None:
            return found
    return None


def health_text(board: PriceBoard) -> tuple[str, str, str, bool]:
    """The health metrics (last tick age, ticks/s), the panel's note (synthetic prices; the feed's
    connection state when it is not plainly connected) and whether the prices are synthetic."""
    health = board.health()
    sources = "+".join(health.sources) or "no price feed"
    if health.last_age is None:
        age = f"{sources}: none yet"
    elif health.last_age < 90:
        age = f"{sources}: {health.last_age:.0f} s ago"
    else:
        age = f"{sources}: {health.last_age / 60:.0f} min ago"
    rate = f"{health.ticks_per_s:.1f}" + (f" · {health.dead} dead-lettered" if health.dead else "")
    state = health.status if health.status and not health.status.endswith(": connected") else None
    note = " · ".join(text for text in (SYNTHETIC_NOTE if health.synthetic else "", state or "") if text)
    return age, rate, note, health.synthetic


class PanelData:
    """What the panel's callback reads: the board and the aggregator, over the bounded window."""

    def __init__(self, aggregator: Aggregator, board: PriceBoard, coins: Sequence[str], window: int) -> None:
        self.aggregator, self.board, self.coins, self.window = aggregator, board, list(coins), window

    def data(self, after: int, until: int, thin: bool) -> dict[str, dict[str, Any]]:
        """Per coin, the price and sentiment points of the seconds in ``(after, until]`` (ms x values)."""
        products = self.board.products_by_coin()
        points = self.aggregator.points(self.coins, after, until, kind="mean", mean_window=60)
        out: dict[str, dict[str, Any]] = {}
        for i, coin in enumerate(self.coins):
            xs, ys = self.board.series(products[coin], after + 1) if coin in products else ([], [])
            kept = [j for j, x in enumerate(xs) if x <= until]
            px, py = [xs[j] for j in kept], [ys[j] for j in kept]
            sx, sy = points.xs, points.ys[i] if points.ys else []
            if thin:
                (px, py), (sx, sy) = _thin(px, py), _thin(sx, sy)
            out[coin] = {
                "product": products.get(coin),
                "price": ([x * 1000 for x in px], py),
                "sentiment": ([x * 1000 for x in sx], [None if y is None else round(y, 4) for y in sy]),
            }
        return out

    def cursor(self, until: int, synthetic: bool) -> dict[str, Any]:
        products = self.board.products_by_coin()
        return {"until": until, "products": [products.get(c) for c in self.coins], "synthetic": synthetic}

    def fresh(self, cursor: object, until: int, synthetic: bool) -> int | None:
        """The second a browser's ``cursor`` (hostile input) has drawn up to, when it still matches what
        the server draws (same products, same labels, within the window); None: draw it all anew."""
        if not isinstance(cursor, dict) or set(cursor) != {"until", "products", "synthetic"}:
            return None
        drawn = cursor["until"]
        if not isinstance(drawn, int) or isinstance(drawn, bool) or not until - self.window <= drawn <= until:
            return None
        if cursor != self.cursor(drawn, synthetic):
            return None
        return drawn

    def update(self, cursor: object, until: int, synthetic: bool) -> tuple[Any, Any, dict[str, Any]]:
        """(figure, extendData, cursor): the whole figure for a new browser or a changed panel, else
        only the seconds since its cursor (at most ``window`` points a line kept in the browser)."""
        drawn = self.fresh(cursor, until, synthetic)
        new_cursor = self.cursor(until, synthetic)
        if drawn is None:
            figure = price_figure(self.coins, self.data(until - self.window, until, thin=True), synthetic)
            return figure, no_update, new_cursor
        data = self.data(drawn, until, thin=False)
        lines = [data[c][kind] for c in self.coins for kind in ("price", "sentiment")]
        if not any(xs for xs, _ys in lines):
            return no_update, no_update, new_cursor
        extend = {"x": [xs for xs, _ys in lines], "y": [ys for _xs, ys in lines]}
        return no_update, [extend, list(range(len(lines))), self.window], new_cursor


def add_price_panel(
    app: Dash,
    aggregator: Aggregator,
    board: PriceBoard,
    groups: Sequence[str],
    *,
    window: int = 1800,
    settle: int = 2,
    clock: Callable[[], float],
) -> None:
    """Put the price panel after the sentiment charts and the price feed in the health panel; register
    its callback (every :data:`REFRESH_MS`: new seconds only, from the browser's cursor)."""
    coins = coins_of(groups)
    page = app.layout
    page.children.insert(2, price_panel(coins))
    health = _find(page, "health")
    if health is not None:
        health.children[0].children.extend(price_metrics())
    panel = PanelData(aggregator, board, coins, window)

    @app.callback(
        Output("prices", "figure"),
        Output("prices", "extendData"),
        Output("prices-cursor", "data"),
        Output("prices-note", "children"),
        Output("health-price-age", "children"),
        Output("health-price-rate", "children"),
        Input("prices-tick", "n_intervals"),
        State("prices-cursor", "data"),
    )
    def _on_prices(_n: object, cursor: object) -> tuple[Any, ...]:
        age, rate, note, synthetic = health_text(board)
        figure, extend, new_cursor = panel.update(cursor, int(clock()) - settle, synthetic)
        return figure, extend, new_cursor, note, age, rate
