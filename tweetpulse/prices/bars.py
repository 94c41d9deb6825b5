"""Per-minute OHLC bars per product, folded from ticks in any order (a bar keeps the times of its
first and last tick, so a late or repeated tick changes nothing it shouldn't)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from tweetpulse.prices.records import PriceTick


class MinuteBar(NamedTuple):
    """One product's ticks in one UTC minute (``minute``: unix seconds of its start)."""

    product: str
    minute: int
    coin: str
    open: float
    high: float
    low: float
    close: float
    ticks: int
    first_at: float  # unix seconds of the first tick (its trade time)
    last_at: float
    source: str
    synthetic: bool = False


def bar_of(tick: PriceTick) -> MinuteBar:
    """A one-tick bar."""
    at, price = tick.epoch, float(tick.price)
    minute = int(at // 60 * 60)
    return MinuteBar(
        tick.product, minute, tick.coin, price, price, price, price, 1, at, at, tick.source, tick.synthetic
    )


def merge(a: MinuteBar, b: MinuteBar) -> MinuteBar:
    """Two bars of one product and minute as one (the stores' upsert does the same in SQL)."""
    return a._replace(
        open=b.open if b.first_at < a.first_at else a.open,
        high=max(a.high, b.high),
        low=min(a.low, b.low),
        close=b.close if b.last_at >= a.last_at else a.close,
        ticks=a.ticks + b.ticks,
        first_at=min(a.first_at, b.first_at),
        last_at=max(a.last_at, b.last_at),
        source=b.source,
        synthetic=a.synthetic or b.synthetic,
    )


def fold_bars(ticks: Iterable[PriceTick]) -> list[MinuteBar]:
    """The bars of ``ticks``, one per product and minute, ordered by minute then product."""
    bars: dict[tuple[str, int], MinuteBar] = {}
    for tick in ticks:
        bar = bar_of(tick)
        key = (bar.product, bar.minute)
        have = bars.get(key)
        bars[key] = bar if have is None else merge(have, bar)
    return sorted(bars.values(), key=lambda b: (b.minute, b.product))
