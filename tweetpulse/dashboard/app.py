"""The Dash app factory: :func:`build_app` puts the page together around an Aggregator.

Panels: weighted sentiment per coin (cumulative, or a rolling mean), tweets per second, the
label distribution (pie and per-coin bars), the latest tweets, the top influencers, a box that
scores your own text with the listener's scorer, and the pipeline's health. Every tick sends only
what is new since the browser's cursor (see :mod:`tweetpulse.dashboard.callbacks`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dash import Dash

from tweetpulse.dashboard.callbacks import PageModel, register
from tweetpulse.dashboard.guard import guard_server
from tweetpulse.dashboard.health import HealthSampler
from tweetpulse.dashboard.layout import build_layout
from tweetpulse.dashboard.prices import add_price_panel
from tweetpulse.dashboard.theme import INDEX_STRING
from tweetpulse.keywords import DEFAULT_GROUPS
from tweetpulse.live import DEFAULT_REFRESH_MS
from tweetpulse.live.aggregates import OVERALL, Aggregator
from tweetpulse.live.prices import PriceBoard
from tweetpulse.scorers.scoring import Scorer, make_scorer

TEXT_MAX = 1000


def page_groups(groups: Sequence[str] | Mapping[str, Any] | None) -> list[str]:
    """``overall`` first, then the keyword groups in the order given."""
    names = list(groups) if groups else list(DEFAULT_GROUPS)  # keywords.DEFAULT_GROUPS: its names
    return [OVERALL, *dict.fromkeys(g for g in names if g != OVERALL)]


def build_app(
    aggregator: Aggregator,
    groups: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    title: str = "tweetpulse",
    subtitle: str = "",
    interval_ms: int = DEFAULT_REFRESH_MS,
    max_points: int = 3600,
    *,
    health: Callable[[], dict[str, Any]] | HealthSampler | None = None,
    classify: Scorer | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    show_workers: bool | None = None,
    table_rows: int = 12,
    top_n: int = 15,
    settle: int = 2,
    clock: Callable[[], float] = time.time,
    notice: Callable[[], str | None] | None = None,
    prices: PriceBoard | None = None,
) -> Dash:
    """Build the page for ``aggregator``. No module globals: every app has its own state.

    ``groups``: the keyword groups to draw (names, or a ``{name: terms}`` mapping, whose terms the
    header then shows); ``overall`` is always added first.
    ``health``: a probe returning ``{"workers_alive", "workers", "lag", ...}`` (see
    :mod:`tweetpulse.dashboard.health`, e.g. ``listener_health(listener)``); it runs in a
    background thread every 2 s, never inside a tick. ``classify``: the listener's scorer
    (same scorer and neutral band) for the classify box. ``max_points``: seconds of history the charts keep.
    ``notice``: what holds the page's data back (e.g. a store's open transaction), shown in the status line.
    ``settle``: a second is drawn once this many seconds have passed since it (deltas are in).
    ``prices``: the price feed's board: adds the price-beside-sentiment panel (:mod:`tweetpulse.dashboard.prices`).
    """
    if keywords is None and isinstance(groups, Mapping):
        keywords = {name: tuple(terms) for name, terms in groups.items()}
    names = page_groups(groups)
    sampler = health if isinstance(health, HealthSampler) or health is None else HealthSampler(health)
    model = PageModel(
        aggregator=aggregator,
        groups=names,
        clock=clock,
        health=sampler,
        scorer=classify or make_scorer(),
        max_points=max_points,
        settle=settle,
        table_rows=table_rows,
        top_n=top_n,
        text_max=TEXT_MAX,
        show_workers=show_workers if show_workers is not None else health is not None,
        notice=notice,
    )
    app = Dash(__name__, title=title, update_title="")
    app.index_string = INDEX_STRING
    app.layout = page_layout(model, title, subtitle, keywords, interval_ms)
    register(app, model)
    if prices is not None:
        add_price_panel(app, aggregator, prices, names, window=max_points, settle=settle, clock=clock)
    guard_server(app)
    app.tweetpulse_model = model  # type: ignore[attr-defined]  # for stop_app
    return app


def page_layout(
    model: PageModel, title: str, subtitle: str, keywords: Mapping[str, Sequence[str]] | None, interval_ms: int
) -> Any:
    """The page's layout for ``model`` (what the tick then fills)."""
    return build_layout(
        title=title,
        subtitle=subtitle,
        groups=model.groups,
        keywords=keywords,
        interval_ms=interval_ms,
        table_rows=model.table_rows,
        top_n=model.top_n,
        text_max=model.text_max,
        author_window=model.aggregator.authors.window,
        show_workers=model.show_workers,
        scorer=model.scorer.name,
    )


def stop_app(app: Dash) -> None:
    """Stop what :func:`build_app` started in the background (the health sampler)."""
    model = getattr(app, "tweetpulse_model", None)
    if isinstance(model, PageModel) and model.health is not None:
        model.health.stop()
