"""What ``notebooks/price.ipynb`` calls: its inputs (files or a store), the stored bars, and its two
charts (price beside sentiment per period; the correlation at every lag with its bands)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from tweetpulse.workbook.correlate import Correlation
from tweetpulse.workbook.price_series import Loaded, prices_csv, prices_store, sentiment_csv, sentiment_store


def load_inputs(
    store: str | Path, coin: str, sentiment_file: str | None = None, prices_file: str | None = None
) -> tuple[Loaded, Loaded]:
    """Sentiment and closes: from the files when given, else from the store (:mod:`~.price_series`)."""
    sentiment = sentiment_csv(sentiment_file) if sentiment_file else sentiment_store(store, coin)
    prices = prices_csv(prices_file) if prices_file else prices_store(store, coin)
    return sentiment, prices


def stored_bars(store: str | Path) -> pd.DataFrame:
    """The store's prices table as a DataFrame (empty, and nothing created, when there is none)."""
    from tweetpulse.stores.prices import read_prices

    return read_prices(store)


def overlay_figure(sentiment: pd.Series, close: pd.Series, freq: str, title: str) -> go.Figure:
    """The close (left axis) and the summed sentiment (right axis) per period, over the time both cover."""
    s, c = sentiment.resample(freq).sum(), close.resample(freq).last()
    start, end = max(s.index.min(), c.index.min()), min(s.index.max(), c.index.max())
    s, c = s[start:end], c[start:end]
    fig = go.Figure()
    fig.add_scatter(x=c.index, y=c.to_numpy(), name="close", line={"color": "#f7931a", "width": 2})
    fig.add_scatter(x=s.index, y=s.to_numpy(), name="sentiment", yaxis="y2", line={"color": "#334155", "dash": "dot"})
    fig.update_layout(
        title=title,
        template="plotly_white",
        height=360,
        yaxis={"title": "close"},
        yaxis2={"title": "Σ weighted score", "overlaying": "y", "side": "right", "showgrid": False},
        legend={"orientation": "h"},
    )
    return fig


def lag_figure(result: Correlation) -> go.Figure:
    """The correlation at every lag, one lag's 95 % band (dotted) and the Bonferroni band (dashed)."""
    lags = [lag.lag for lag in result.lags]
    fig = go.Figure()
    fig.add_bar(x=lags, y=[lag.correlation for lag in result.lags], name="r", marker_color="#627eea")
    single = [lag.band for lag in result.lags]
    for sign in (1, -1):
        fig.add_scatter(
            x=lags,
            y=[sign * b for b in single],
            mode="lines",
            line={"color": "#94a3b8", "dash": "dot"},
            name="95 % one lag",
            showlegend=sign > 0,
        )
        fig.add_scatter(
            x=lags,
            y=[sign * result.bonferroni_band] * len(lags),
            mode="lines",
            line={"color": "#dc2626", "dash": "dash"},
            name="Bonferroni over the lags",
            showlegend=sign > 0,
        )
    fig.update_layout(
        title=f"corr(sentiment at t, return ending at t + lag), lag in periods of {result.freq} (> 0: sentiment leads)",
        template="plotly_white",
        height=340,
        xaxis={"title": "lag", "dtick": max(1, len(lags) // 20)},
        yaxis={"title": "r"},
        legend={"orientation": "h"},
    )
    return fig
