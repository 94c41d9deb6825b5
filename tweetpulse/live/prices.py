"""What the page knows of the prices: per product, the last price of each second of a bounded window,
and the feed's health (last tick age, ticks per second). Thread-safe: a follower adds, pages read.

A tick is placed at the second it **arrived** (the listener's clock), as tweets are placed at the second
they were stored, so price and sentiment share one time axis even for a replay of old prices.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from tweetpulse.prices.records import PriceTick

MAX_PRODUCTS = 50
RATE_SPAN = 10.0  # seconds the ticks-per-second figure looks back over


class PriceHealth(NamedTuple):
    """The price feed as the page shows it."""

    sources: list[str]  # coinbase, kraken, replay, synthetic
    synthetic: bool
    ticks: int  # ticks taken since the start
    last_age: float | None  # seconds since the last tick arrived (None: none yet)
    ticks_per_s: float
    dead: int  # messages on the topic that were not ticks (dead-lettered)
    status: str | None  # the feed's connection state from the status topic ("coinbase: reconnecting …")


@dataclass(slots=True)
class _Product:
    coin: str
    points: deque[tuple[int, float]]  # (second, last price in it), oldest first


class PriceBoard:
    """Per-product price windows (``window`` seconds) and the feed's health."""

    def __init__(self, window: int = 3600, clock: Callable[[], float] = time.time) -> None:
        self.window = window
        self.clock = clock
        self.lock = threading.Lock()
        self._products: dict[str, _Product] = {}
        self._arrivals: deque[float] = deque(maxlen=10_000)
        self._sources: dict[str, None] = {}
        self._synthetic = False
        self._ticks = 0
        self._dead = 0
        self._last: float | None = None
        self._status: str | None = None

    def add(self, tick: PriceTick, second: int | None = None) -> None:
        """Take one tick (at ``second``, by default now)."""
        now = self.clock()
        self.add_point(tick.product, tick.coin, int(now) if second is None else second, float(tick.price), now)
        self.set_source(tick.source, tick.synthetic)

    def add_point(self, product: str, coin: str, second: int, price: float, arrived: float) -> None:
        """One price of ``product`` at ``second`` (that arrived at ``arrived``, unix seconds); products
        beyond :data:`MAX_PRODUCTS` are ignored."""
        with self.lock:
            entry = self._products.get(product)
            if entry is None:
                if len(self._products) >= MAX_PRODUCTS:
                    return
                entry = self._products[product] = _Product(coin, deque())
            points = entry.points
            if points and points[-1][0] >= second:
                if points[-1][0] == second:
                    points[-1] = (second, price)
            else:
                points.append((second, price))
            while points and points[0][0] <= points[-1][0] - self.window:
                points.popleft()
            self._ticks += 1
            self._last = arrived if self._last is None else max(self._last, arrived)
            self._arrivals.append(arrived)

    def set_source(self, source: str, synthetic: bool) -> None:
        with self.lock:
            if len(self._sources) < 8:
                self._sources[source] = None
            self._synthetic = self._synthetic or synthetic

    def set_status(self, line: str | None) -> None:
        with self.lock:
            self._status = line[:300] if line else None

    def dead_letter(self) -> None:
        with self.lock:
            self._dead += 1

    def products_by_coin(self) -> dict[str, str]:
        """The first product seen of each coin (keyword group)."""
        with self.lock:
            out: dict[str, str] = {}
            for product, entry in self._products.items():
                out.setdefault(entry.coin, product)
            return out

    def series(self, product: str, since: int) -> tuple[list[int], list[float]]:
        """The (second, price) points of ``product`` from ``since`` on."""
        with self.lock:
            entry = self._products.get(product)
            points = [p for p in entry.points if p[0] >= since] if entry is not None else []
        return [p[0] for p in points], [p[1] for p in points]

    def health(self) -> PriceHealth:
        now = self.clock()
        with self.lock:
            recent = sum(1 for at in self._arrivals if at > now - RATE_SPAN)
            age = None if self._last is None else max(0.0, now - self._last)
            return PriceHealth(
                list(self._sources), self._synthetic, self._ticks, age, recent / RATE_SPAN, self._dead, self._status
            )
