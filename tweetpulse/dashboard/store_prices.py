"""A page from the store (``tweetpulse dashboard``) draws the store's prices: :class:`StorePrices` puts
the per-minute bars of the board's window onto it, read again every few seconds."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from tweetpulse.errors import TweetpulseError
from tweetpulse.live.prices import PriceBoard
from tweetpulse.stores.prices import open_price_store

log = logging.getLogger(__name__)


class StorePrices:
    """The store's prices table onto ``board``, every ``every`` seconds (for a page from the store)."""

    def __init__(self, store: str | Path, board: PriceBoard | None, every: float = 5.0) -> None:
        self.location = store
        self.board = board
        self.every = every
        self._seen: dict[tuple[str, int], float] = {}  # (product, minute) → close already on the board
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> StorePrices:
        return self.start() if self.board is not None else self  # no board: nothing to draw

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> StorePrices:
        self._thread = threading.Thread(target=self._run, name="tweetpulse-store-prices", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def read_once(self) -> int:
        """Put the bars of the board's window that are new or changed on it; how many."""
        if self.board is None:
            return 0
        since = time.time() - self.board.window
        with open_price_store(self.location) as store:
            bars = store.bars(since)
        changed = 0
        for bar in bars:
            key = (bar.product, bar.minute)
            if self._seen.get(key) == bar.close:
                continue
            self._seen[key] = bar.close
            self.board.add_point(bar.product, bar.coin, bar.minute, bar.close, bar.last_at)
            self.board.set_source(bar.source, bar.synthetic)
            changed += 1
        if len(self._seen) > 100_000:
            self._seen = {k: v for k, v in self._seen.items() if k[1] >= since}
        return changed

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.read_once()
            except TweetpulseError as exc:
                log.warning("prices from the store: %s", exc)
            self._stop.wait(self.every)
