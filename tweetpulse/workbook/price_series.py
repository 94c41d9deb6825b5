"""The two series ``correlate`` compares, from a store or from files, each as a pandas Series with a
UTC time index: sentiment (one weighted score per post, or per period) and closing prices.

Files: a sentiment CSV has columns ``time`` (unix seconds or ISO-8601) and ``score``; a prices CSV is
OHLC in Kaggle's layout (``Timestamp`` in unix seconds, ``Close``; see :mod:`tweetpulse.sources.prices.ohlc`).
Rows that can't be read (NaN, missing, not a number or a time) are counted and left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from tweetpulse.errors import ConfigError, DatasetError

MAX_ROWS = 20_000_000  # Kaggle's 1-minute Bitcoin file has about 7 million


class Loaded(NamedTuple):
    series: pd.Series
    skipped: int  # rows left out
    what: str  # where it came from, for messages


def _read_csv(path: str | Path, columns: list[str], what: str) -> pd.DataFrame:
    if not Path(path).is_file():
        raise ConfigError(f"{what} {path}: no such file")
    try:
        frame = pd.read_csv(path, usecols=lambda c: c in columns, nrows=MAX_ROWS)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{what} {path} is not a readable CSV ({str(exc)[:120]})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DatasetError(f"{what} {path} has no {', '.join(missing)} column(s): it needs {', '.join(columns)}")
    return frame


def _times(text: pd.Series) -> pd.Series:
    """Unix seconds or ISO-8601 text as UTC datetimes (NaT where neither)."""
    seconds = pd.to_numeric(text, errors="coerce")
    from_seconds = pd.to_datetime(seconds.where(seconds.between(1e9, 1e10)), unit="s", utc=True)
    if pd.api.types.is_numeric_dtype(text):
        return from_seconds
    iso = text.where(seconds.isna()).astype("string").str.slice(0, 40)
    return from_seconds.fillna(pd.to_datetime(iso, utc=True, errors="coerce", format="ISO8601"))


def _series(times: pd.Series, values: pd.Series, what: str) -> Loaded:
    numbers = pd.to_numeric(values, errors="coerce")
    good = times.notna() & numbers.notna() & numbers.abs().lt(float("inf"))
    series = pd.Series(numbers[good].to_numpy(dtype=float), index=pd.DatetimeIndex(times[good]), name=what)
    return Loaded(series.sort_index(), int((~good).sum()), what)


def sentiment_csv(path: str | Path) -> Loaded:
    """``--sentiment FILE``: columns ``time`` and ``score``."""
    frame = _read_csv(path, ["time", "score"], "--sentiment")
    return _series(_times(frame["time"]), frame["score"], f"sentiment from {Path(path).name}")


def prices_csv(path: str | Path) -> Loaded:
    """``--prices FILE``: an OHLC CSV (``Timestamp``, ``Close``)."""
    frame = _read_csv(path, ["Timestamp", "Close"], "--prices")
    close = pd.to_numeric(frame["Close"], errors="coerce")
    return _series(_times(frame["Timestamp"]), close.where(close > 0), f"prices from {Path(path).name}")


def sentiment_store(store: str | Path, coin: str) -> Loaded:
    """The weighted scores of the posts of keyword group ``coin`` in the store, at their time."""
    from tweetpulse.workbook.analysis import by_group, load

    posts = by_group(load(store))
    posts = posts[posts["group"] == coin]
    if posts.empty:
        raise ConfigError(f"no posts about {coin!r} in the store {store}: check --coin and --store")
    return _series(posts["time"], posts["score"], f"{coin} sentiment from the store")


def prices_store(store: str | Path, coin: str) -> Loaded:
    """The per-minute closes of ``coin``'s product in the store's prices table (the product with the
    most minutes, when there are several)."""
    from tweetpulse.stores.prices import read_prices

    bars = read_prices(store)
    bars = bars[bars["coin"] == coin]
    if bars.empty:
        raise ConfigError(f"no prices of {coin!r} in the store {store}: run tweetpulse prices and the listener first")
    product = bars["product"].value_counts().index[0]
    bars = bars[bars["product"] == product]
    return _series(bars["time"], bars["close"], f"{product} closes from the store")
