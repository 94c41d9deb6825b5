"""Digging into what the listener stored: the analysis notebook's tables, from ``read_frame``.

Every function takes the frame :func:`load` returns and works on an empty one too (empty tables),
so the notebook runs on any store. Times are UTC; a tweet's time is its ``created_at``, or when it
was scored if it has none. A tweet counts in every keyword group it matched; tweets that matched
none are in :data:`UNGROUPED`.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import orjson
import pandas as pd

from tweetpulse.records import COLUMNS
from tweetpulse.scorers.base import LABELS
from tweetpulse.stores import masked, read_frame, store_exists

UNGROUPED = "(no group)"
TWEET_COLUMNS = ["time", "author", "followers", "keywords", "polarity", "score", "label", "text"]


def load(store: str | Path) -> pd.DataFrame:
    """The stored tweets (see :func:`tweetpulse.stores.read_frame`); a missing store is an empty frame
    (and is not created)."""
    if not store_exists(store):
        frame = pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS})
        for column in ("created_at", "produced_at", "scored_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
    else:
        frame = read_frame(store)
    frame["time"] = frame["created_at"].fillna(frame["scored_at"])
    return frame


def describe(frame: pd.DataFrame, store: str | Path) -> str:
    """One paragraph about the store: how many tweets, when, which groups and scorers."""
    shown = masked(store)
    if frame.empty:
        state = "has no tweets yet" if store_exists(store) else "does not exist yet"
        return (
            f"The store {shown} {state}: run the listener first (make demo, or tweetpulse listen --store "
            f"{shown}), then run this notebook again. The tables and charts below are empty."
        )
    groups = by_group(frame)["group"].value_counts()
    scorers = frame["scorer"].value_counts().to_dict() if "scorer" in frame else {"textblob": len(frame)}
    return (
        f"{len(frame):,} tweets in {shown}, from {frame['time'].min():%Y-%m-%d %H:%M} to "
        f"{frame['time'].max():%Y-%m-%d %H:%M} UTC; groups: "
        + ", ".join(f"{g} {n:,}" for g, n in groups.items())
        + "; scored by: "
        + ", ".join(f"{s} {n:,}" for s, n in scorers.items())
    )


def by_group(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (tweet, keyword group) in a ``group`` column."""
    groups = frame["keywords"].map(lambda kw: list(kw) if isinstance(kw, list) and kw else [UNGROUPED])
    return frame.assign(group=groups).explode("group")


def per_minute(frame: pd.DataFrame, value: str = "score", how: str = "sum", freq: str = "1min") -> pd.DataFrame:
    """``value`` aggregated (``sum``, ``mean`` or ``count``) per ``freq`` (rows) and keyword group (columns)."""
    exploded = by_group(frame)
    if exploded.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="time"))
    series = exploded.groupby(["group", pd.Grouper(key="time", freq=freq)])[value].agg(how)
    return series.unstack("group").fillna(0).sort_index()


def weighted_sentiment(frame: pd.DataFrame, freq: str = "1min") -> pd.DataFrame:
    """Σ score (``ln(followers+1) × polarity``) per minute and group."""
    return per_minute(frame, "score", "sum", freq)


def volume(frame: pd.DataFrame, freq: str = "1min") -> pd.DataFrame:
    """Tweets per minute and group."""
    return per_minute(frame, "id", "count", freq)


def label_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """Tweets per group (rows) and label (columns negative, neutral, positive), with a total row."""
    exploded = by_group(frame)
    table = pd.crosstab(exploded["group"], exploded["label"]).reindex(columns=list(LABELS), fill_value=0)
    table.loc["all tweets"] = frame["label"].value_counts().reindex(list(LABELS), fill_value=0)
    return table.astype(int)


def top_authors(frame: pd.DataFrame, by: str = "influence", n: int = 10) -> pd.DataFrame:
    """Authors ranked by ``influence`` (Σ |score|) or ``followers``: tweets, followers, influence, net score."""
    if by not in ("influence", "followers"):
        raise ValueError("rank authors by 'influence' or 'followers'")
    known = frame[frame["author"].notna()]
    table = (
        known.assign(influence=known["score"].abs())
        .groupby("author")
        .agg(
            tweets=("id", "count"), followers=("followers", "max"), influence=("influence", "sum"), net=("score", "sum")
        )
    )
    return table.sort_values([by, "tweets"], ascending=False, kind="stable").head(n)


def extremes(frame: pd.DataFrame, n: int = 10, positive: bool = True) -> pd.DataFrame:
    """The ``n`` most positive (or negative) tweets by weighted score."""
    ordered = frame.sort_values(["score", "polarity"], ascending=not positive, kind="stable")
    return ordered[TWEET_COLUMNS].head(n).reset_index(drop=True)


class Exported(NamedTuple):
    csv: Path
    parquet: Path
    rows: int


def export(frame: pd.DataFrame, out_dir: str | Path, stem: str = "tweets") -> Exported:
    """Write ``frame`` as CSV (keywords as a JSON list) and Parquet (keywords as a list column)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = out / f"{stem}.csv", out / f"{stem}.parquet"
    flat = frame.assign(keywords=frame["keywords"].map(lambda kw: orjson.dumps(list(kw)).decode()))
    flat.to_csv(csv_path, index=False)
    frame.assign(keywords=frame["keywords"].map(list)).to_parquet(parquet_path, index=False)
    return Exported(csv_path, parquet_path, len(frame))
