"""The page's callbacks as plain functions: :func:`tick` (every second) and :func:`on_classify`.

Each browser keeps a small cursor (``dcc.Store``): the last second it has drawn, the trend mode
it shows, how many recent tweets it has seen and how many rows its table holds. A tick sends only
what is new since that cursor: ``extendData`` for the charts (one point per group per second,
trimmed to ``max_points`` in the browser), ``Patch`` operations for the table, the pie and the
bars. A full window is sent only when a page (re)loads or switches the trend mode, and the window
is bounded, so a tick costs the same after ten million tweets as after ten.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dash import Dash, Input, Output, Patch, State, no_update

from tweetpulse.dashboard import panels
from tweetpulse.dashboard.figures import DEFAULT_MODE, TREND_MODES, trend_axis_title
from tweetpulse.dashboard.health import HealthSampler, RateMeter
from tweetpulse.dashboard.panels import RATE_SPAN
from tweetpulse.dashboard.theme import LABELS
from tweetpulse.live.aggregates import COUNT, NEG, NEU, OVERALL, POS, SCORE, Aggregator, Points
from tweetpulse.scorers.scoring import Scorer, make_scorer

CARD_KEYS = (
    "rate.children",
    "value.children",
    "value.className",
    "minute.children",
    "minute.className",
    "count.children",
    "shares.children",
    "split.style",
)
NoUpdate = Any


@dataclass
class PageModel:
    """What the callbacks of one app share: the aggregator, the settings, a few meters."""

    aggregator: Aggregator
    groups: list[str]
    clock: Callable[[], float] = time.time
    health: HealthSampler | None = None
    scorer: Scorer = field(default_factory=make_scorer)  # the classify box's
    max_points: int = 3600
    settle: int = 2
    table_rows: int = 12
    top_n: int = 10
    text_max: int = 1000
    show_workers: bool = True
    epoch: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    meter: RateMeter = field(default_factory=lambda: RateMeter(span=RATE_SPAN))
    notice: Callable[[], str | None] | None = None  # what holds the data back, for the status line


TickResult = dict[str, Any]  # output ("<id>.<property>") -> value (or no_update)


def tick_outputs(model: PageModel) -> list[str]:
    """The tick callback's outputs, ``"<id>.<property>"``, in the order the callback returns them."""
    keys = [
        "trend.figure",
        "trend.extendData",
        "rate.figure",
        "rate.extendData",
        "pie.figure",
        "labels-bar.figure",
        "latest.data",
        "influencers.data",
        "status.className",
        "status-text.children",
        "cursor.data",
    ]
    keys += [f"share-{label}-{part}.children" for label in LABELS for part in ("pct", "count")]
    keys += [f"card-{i}-{suffix}" for i in range(len(model.groups)) for suffix in CARD_KEYS]
    keys += list(panels.HEALTH_KEYS) + (list(panels.WORKER_KEYS) if model.show_workers else [])
    return keys


def _ms(xs: Sequence[int]) -> list[int]:
    return [s * 1000 for s in xs]


def _round(ys: Sequence[float | None], digits: int) -> list[float | None]:
    return [None if y is None else round(y, digits) for y in ys]


def _reset(points: Points, digits: int, window: tuple[int, int], axis_title: str | None = None) -> Patch:
    """Replace every trace's points (a page load or a mode switch): a bounded window. With no points
    yet the time axis shows ``window`` (seconds) around now, not Plotly's empty default (the year 2000)."""
    patch = Patch()
    xs = _ms(points.xs)
    for i, ys in enumerate(points.ys):
        patch["data"][i]["x"] = xs
        patch["data"][i]["y"] = _round(ys, digits)
    if xs:
        patch["layout"]["xaxis"]["autorange"] = True
    else:
        patch["layout"]["xaxis"]["range"] = _ms(window)
        patch["layout"]["xaxis"]["autorange"] = False
    if axis_title is not None:
        patch["layout"]["yaxis"]["title"]["text"] = axis_title
    return patch


def _extend(points: Points, digits: int, max_points: int) -> tuple[dict[str, Any], list[int], int] | NoUpdate:
    if not points.xs:
        return no_update
    xs = _ms(points.xs)
    return (
        {"x": [xs] * len(points.ys), "y": [_round(ys, digits) for ys in points.ys]},
        list(range(len(points.ys))),
        max_points,
    )


def _trend_kind(mode: str) -> tuple[str, int]:
    window = TREND_MODES[mode][1]
    return ("cumulative", 60) if window is None else ("mean", window)


def _table_update(model: PageModel, cursor: dict[str, Any], fresh: bool) -> Any:
    """New rows on top of the browser's table, the oldest dropped: a Patch of a few operations."""
    agg = model.aggregator
    seen = None if fresh else cursor.get("seq")
    if seen is not None and seen > agg.recent_seq:
        seen = None  # the browser saw another aggregator (the server restarted): start over
    seq, tweets = agg.recent_since(seen, model.table_rows)
    shown = 0 if seen is None else min(int(cursor.get("rows") or 0), model.table_rows)
    cursor["seq"] = seq
    if seen is None or len(tweets) >= model.table_rows:
        cursor["rows"] = len(tweets)
        return [panels.latest_row(t) for t in tweets]
    if not tweets:
        cursor["rows"] = shown
        return no_update
    patch = Patch()
    for tweet in reversed(tweets):  # oldest first, each on top: the newest ends up first
        patch.prepend(panels.latest_row(tweet))
    rows = shown + len(tweets)
    for _ in range(min(rows - model.table_rows, len(tweets))):  # never more than it prepended
        del patch[-1]
    cursor["rows"] = min(rows, model.table_rows)
    return patch


def _distribution(model: PageModel, totals: dict[str, list[float]]) -> tuple[Patch, Patch]:
    overall = totals[OVERALL]
    pie = Patch()
    pie["data"][0]["values"] = [int(overall[POS]), int(overall[NEG]), int(overall[NEU])]
    pie["layout"]["annotations"][0]["text"] = (
        f"{int(overall[COUNT]):,}<br><span style='font-size:11px;color:#64748b'>tweets</span>"
    )
    bars = Patch()
    per_group = [panels.shares(totals[g]) for g in model.groups]
    for k, slot in enumerate((POS, NEG, NEU)):
        bars["data"][k]["x"] = [round(p[k], 2) for p in per_group]
        bars["data"][k]["text"] = [f"{p[k]:.0f}%" if p[k] >= 7 else "" for p in per_group]
        bars["data"][k]["customdata"] = [int(totals[g][slot]) for g in model.groups]
    return pie, bars


def rate_span(agg: Aggregator, until: int) -> int:
    """The seconds the cards' rate is averaged over: the last :data:`RATE_SPAN`, or fewer while the first
    tweets are younger than that (dividing the first seconds' tweets by ten would show a fraction of the
    real rate, below what the chart and the health panel show)."""
    first = agg.first_second()
    return RATE_SPAN if first is None else max(1, min(RATE_SPAN, until - first + 1))


# the browser's cursor, as the tick wrote it: anything else in what a browser sends back is dropped
_JS_INT_MAX = 2**53 - 1  # the largest int a browser's JSON keeps exactly (and Dash can send back)
_CURSOR_TYPES: dict[str, type] = {
    "epoch": str,
    "t": int,
    "mode": str,
    "seq": int,
    "rows": int,
    "v": int,
    "blank": bool,
}


def clean_cursor(cursor: object, model: PageModel | None = None, until: int | None = None) -> dict[str, Any]:
    """The fields of a browser's cursor that have the types and bounds the tick gave them (a browser
    can send anything): with ``model``, ``epoch`` and ``mode`` only as the tick writes them, ``rows``
    at most the table's rows, ``seq`` at most the aggregator's, and ``t`` not past ``until``."""
    if not isinstance(cursor, dict):
        return {}
    clean: dict[str, Any] = {}
    for key, kind in _CURSOR_TYPES.items():
        value = cursor.get(key)
        if type(value) is kind and not (isinstance(value, int) and not 0 <= value <= _JS_INT_MAX):
            clean[key] = value
    if model is None:
        return clean
    bounds = {"rows": model.table_rows, "seq": model.aggregator.recent_seq, "t": until}
    for key, top in bounds.items():
        if key in clean and top is not None and clean[key] > top:
            del clean[key]  # more than the server ever sent: the browser starts over
    if clean.get("epoch") != model.epoch:
        clean.pop("epoch", None)
    if clean.get("mode") not in TREND_MODES:
        clean.pop("mode", None)
    return clean


def clean_clicks(n_clicks: object) -> int:
    """A button's click count as Dash sends it (a whole number), else 0 (no click)."""
    return n_clicks if type(n_clicks) is int and 0 < n_clicks <= _JS_INT_MAX else 0


def _charts(
    model: PageModel, mode: str, state: dict[str, Any], span: tuple[int | None, int, int], out: TickResult
) -> bool:
    """The charts' outputs: a bounded window on a fresh page, a new mode or while empty, else the seconds
    since the cursor's ``last``; returns whether they are still empty."""
    agg, groups = model.aggregator, model.groups
    last, start, until = span
    kind, window = _trend_kind(mode)
    was_blank = state.get("blank") is True  # no points yet: redraw the (empty) window around now
    blank = False
    if last is None or state.get("mode") != mode or was_blank:
        trend = agg.points(groups, start, until, kind, window)
        out["trend.figure"] = _reset(trend, 3, (start, until), trend_axis_title(mode))
        blank = not trend.xs
    elif until > last:
        out["trend.extendData"] = _extend(
            agg.points(groups, max(last, start), until, kind, window), 3, model.max_points
        )
    if last is None or was_blank:
        out["rate.figure"] = _reset(agg.points(groups, start, until, "rate"), 0, (start, until))
    elif until > last:
        out["rate.extendData"] = _extend(agg.points(groups, max(last, start), until, "rate"), 0, model.max_points)
    return blank


def tick(model: PageModel, mode: object, cursor: object) -> TickResult:
    """Everything one browser needs to catch up from ``cursor`` (``None`` on a fresh page), by output.
    Whatever a browser sends as ``mode`` or ``cursor`` is taken only when it has the expected form."""
    agg = model.aggregator
    groups = model.groups
    mode = mode if isinstance(mode, str) and mode in TREND_MODES else DEFAULT_MODE
    now = model.clock()
    until = int(now) - model.settle
    state = clean_cursor(cursor, model, until)
    fresh = state.get("epoch") != model.epoch
    last = None if fresh else state.get("t")
    start = until - model.max_points
    out: TickResult = dict.fromkeys(tick_outputs(model), no_update)

    blank = _charts(model, mode, state, (last, start, until), out)
    state.update(epoch=model.epoch, t=max(until, last or until), mode=mode, blank=blank)

    # what only changes when new deltas came in
    out["latest.data"] = _table_update(model, state, fresh)
    totals = agg.totals(groups)
    if fresh or state.get("v") != agg.version:
        out["pie.figure"], out["labels-bar.figure"] = _distribution(model, totals)
        out.update(panels.share_values(totals[OVERALL]))
        out["influencers.data"] = panels.influencer_rows(agg.top_authors(model.top_n))
        state["v"] = agg.version

    # the numbers that move with time: cards, health, status
    span = rate_span(agg, until)
    for i, group in enumerate(groups):
        rate = agg.count_between(until - RATE_SPAN, until, group) / span
        minute = agg.window_sum(until - 60, until, group)[SCORE]
        for suffix, value in panels.card_values(totals[group], rate, minute).items():
            out[f"card-{i}-{suffix}"] = value
    counters = agg.counters_snapshot()
    p50, p99 = agg.latency_percentiles((50, 99))
    out.update(
        panels.health_values(
            consumed_rate=model.meter.rate(now, counters.get("consumed", 0)),
            stored=counters.get("stored", 0),
            duplicates=counters.get("duplicates", 0),
            dead=counters.get("dead", 0),
            p50=p50,
            p99=p99,
            sample=model.health.latest() if model.health is not None else {},
            show_workers=model.show_workers,
        )
    )
    notice = model.notice() if model.notice is not None else None
    out["status.className"], out["status-text.children"] = panels.status(agg.last_second(), now, notice)
    out["cursor.data"] = state
    return out


def on_classify(model: PageModel, n_clicks: object, text: object, followers: object) -> Any:
    """The classify box: the listener's scorer on the user's text (capped; empty gets a hint;
    a text or follower count of the wrong type, which only a hand-made request sends, gets one too)."""
    if not clean_clicks(n_clicks):
        return no_update
    return panels.classify_view(panels.classify(model.scorer, text, followers, model.text_max))


def register(app: Dash, model: PageModel) -> None:
    """Wire :func:`tick` and :func:`on_classify` to ``app``'s components."""

    keys = tick_outputs(model)
    outputs = [Output(ident, prop) for ident, prop in (key.split(".", 1) for key in keys)]

    @app.callback(*outputs, Input("tick", "n_intervals"), Input("trend-mode", "value"), State("cursor", "data"))
    def _on_tick(_n: object, mode: object, cursor: object) -> tuple[Any, ...]:
        result = tick(model, mode, cursor)
        return tuple(result[key] for key in keys)

    @app.callback(
        Output("classify-result", "children"),
        Input("classify-button", "n_clicks"),
        State("classify-text", "value"),
        State("classify-followers", "value"),
        prevent_initial_call=True,
    )
    def _on_classify(n_clicks: object, text: object, followers: object) -> Any:
        return on_classify(model, n_clicks, text, followers)
