"""A synthetic price walk for the offline demo: labelled ``synthetic`` everywhere it shows.

Each product starts at a round, plausible price and moves by a seeded geometric random walk (0.05 %
per step), one tick per product every ``interval`` seconds of real time, stamped now. It is NOT a
market price: ticks carry ``synthetic: true`` and ``source: "synthetic"``, the page says so.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from tweetpulse.closing import Closing
from tweetpulse.prices.records import PriceTick, coin_of, iso_of
from tweetpulse.sources.base import SkippedRows
from tweetpulse.sources.live import Deadline

if TYPE_CHECKING:
    from tweetpulse.sources.prices.base import FeedRequest

STARTS = {"BTC": 60_000.0, "ETH": 3_000.0, "DOGE": 0.15}
STEP = 0.0005


def price_text(value: float) -> str:
    """A price with the decimals an exchange quotes it with (cents above 1, more below)."""
    return f"{value:.2f}" if value >= 1 else f"{value:.6f}"


class SyntheticWalk(Closing):
    """Random-walk ticks for ``products`` (see the module docs)."""

    name = "synthetic"
    progress_every = 1

    def __init__(
        self, products: Sequence[str], *, interval: float = 1.0, seed: int = 0, duration: float | None = None
    ) -> None:
        self.products = tuple(products)
        self.interval = interval
        self.duration = duration
        self.skipped = SkippedRows()
        self._random = random.Random(seed)
        self._prices = {p: STARTS.get(p.partition("-")[0], 100.0) for p in self.products}
        self._stop = threading.Event()
        self._step = 0

    def close(self) -> None:
        self._stop.set()

    def ticks(self, now: float) -> list[PriceTick]:
        """One step of the walk: a tick per product at ``now``."""
        self._step += 1
        out = []
        for product in self.products:
            price = self._prices[product] * math.exp(self._random.gauss(0.0, STEP))
            self._prices[product] = price
            out.append(
                PriceTick(
                    product=product,
                    coin=coin_of(product),
                    price=price_text(price),
                    time=iso_of(now),
                    source=self.name,
                    sequence=self._step,
                    synthetic=True,
                )
            )
        return out

    def __iter__(self) -> Iterator[PriceTick]:
        import time

        deadline = Deadline(self.duration)
        while not self._stop.is_set() and not deadline.passed():
            yield from self.ticks(time.time())
            self._stop.wait(self.interval)


def open_synthetic(request: FeedRequest) -> SyntheticWalk:
    """The registry's opener (:data:`tweetpulse.sources.prices.FEEDS`)."""
    return SyntheticWalk(request.products, duration=request.duration, **request.options)
