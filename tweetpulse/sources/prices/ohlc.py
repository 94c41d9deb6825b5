"""Historical prices from an OHLC CSV, in the layout people download most (Kaggle's "Bitcoin
Historical Data"): a header with ``Timestamp`` (unix seconds), ``Open``, ``High``, ``Low``, ``Close``,
``Volume`` (other columns are ignored). Each row is one tick at its close: price = ``Close``, time =
``Timestamp``, sequence = ``Timestamp``. A row whose Timestamp or prices are missing, NaN or not numbers
is counted in ``skipped`` with its line number and left out. Rows are read one at a time (the Kaggle
file has millions); pacing (``--rate``) is the producer loop's.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tweetpulse.closing import Closing
from tweetpulse.errors import ConfigError, DatasetError
from tweetpulse.prices.records import PriceTick, coin_of, decimal_text, iso_of
from tweetpulse.sources.base import SkippedRows

if TYPE_CHECKING:
    from tweetpulse.sources.prices.base import FeedRequest

REQUIRED = ("Timestamp", "Open", "High", "Low", "Close")
MAX_FIELD = 1024


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None and len(text) <= 40 else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class OhlcReplay(Closing):
    """The ticks of one product from an OHLC CSV file (see the module docs)."""

    name = "replay"
    progress_every = 1024

    def __init__(self, path: str | Path, product: str = "BTC-USD") -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ConfigError(f"--file {path}: no such file; give an OHLC CSV (Timestamp, Open, High, Low, Close)")
        self.product = product
        self.skipped = SkippedRows()
        self.rows = 0
        self._closed = False

    def close(self) -> None:
        self._closed = True

    def __iter__(self) -> Iterator[PriceTick]:
        csv.field_size_limit(MAX_FIELD)
        with self.path.open(newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
            if missing:
                raise DatasetError(
                    f"{self.path} has no {', '.join(missing)} column(s): an OHLC CSV needs a header "
                    "Timestamp,Open,High,Low,Close[,Volume] (Kaggle's Bitcoin Historical Data layout)"
                )
            try:
                for row in reader:
                    if self._closed:
                        return
                    self.rows += 1
                    tick = self._tick(row, reader.line_num)
                    if tick is not None:
                        yield tick
            except csv.Error as exc:
                raise DatasetError(f"{self.path}:{reader.line_num}: not CSV ({exc}); check the file") from None

    def _tick(self, row: dict[str, str | None], line: int) -> PriceTick | None:
        values = [_number(row.get(c)) for c in REQUIRED]
        if any(v is None for v in values):
            self.skipped.add(line, "a missing, NaN or non-numeric Timestamp/Open/High/Low/Close")
            return None
        stamp, close = values[0], values[4]
        assert stamp is not None and close is not None
        price = decimal_text(row["Close"]) or decimal_text(close)
        if price is None or not 1e9 < stamp < 1e10:
            self.skipped.add(line, "Close is not a positive price or Timestamp is not unix seconds")
            return None
        return PriceTick(
            product=self.product,
            coin=coin_of(self.product),
            price=price,
            time=iso_of(stamp),
            source="replay",
            sequence=int(stamp),
            volume_24h=None,
        )


def open_replay(request: FeedRequest) -> OhlcReplay:
    """The registry's opener (:data:`tweetpulse.sources.prices.FEEDS`): ``--file`` of the first ``--products``."""
    if request.file is None:
        raise ConfigError("--source replay needs --file PATH: an OHLC CSV (Timestamp, Open, High, Low, Close)")
    return OhlcReplay(request.file, request.products[0])
