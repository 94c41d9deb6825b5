"""Where scored tweets are kept: one protocol, one backend module per kind of store.

What the listener and the page need from a store is :class:`TweetStore`: open it, insert scored
tweets (learning which ids were new), count them, read the history the page starts from and then
follow new tweets in commit order, and read everything as a pandas frame.

:func:`open_store` picks the backend from the ``--store`` value: a plain path, or a
``sqlite:///path`` URL, is SQLite (:mod:`tweetpulse.stores.sqlite`). Adding a backend is one
module with an ``open_url(url, *, create)`` function returning a :class:`TweetStore`, plus its
scheme in :data:`BACKENDS`. A ``postgresql://user:password@host:port/db`` URL is PostgreSQL
(:mod:`tweetpulse.stores.postgres`, for several listener hosts and pages anywhere). A store URL may
hold a password: show one only through :func:`masked` (``location`` already is).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple, Protocol, Self

from tweetpulse.errors import ConfigError
from tweetpulse.records import ScoredTweet

if TYPE_CHECKING:
    import pandas as pd

# URL scheme → the module that implements it (imported only when a store of that kind is opened)
BACKENDS: dict[str, str] = {
    "sqlite": "tweetpulse.stores.sqlite",
    "postgresql": "tweetpulse.stores.postgres",
    "postgres": "tweetpulse.stores.postgres",
}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_PASSWORD_PARAM = re.compile(r"(?i)([?&]password=)[^&#]*")

DEFAULT_STORE = "data/tweetpulse.db"  # the SQLite file the commands use when --store is not given


def masked(location: str | Path) -> str:
    """``location`` fit to show: a URL's password (``user:PASSWORD@`` or ``?password=``) as ``***``."""
    text = str(location)
    match = _URL.match(text)
    if match is None:
        return text
    rest, mark, query = text[match.end() :].partition("?")
    at = rest.rfind("@")  # a password may hold an unescaped @: the host follows the last one
    user, colon, _ = rest[: max(at, 0)].partition(":")
    if colon:
        rest = f"{user}:***{rest[at:]}"
    return _PASSWORD_PARAM.sub(r"\1***", text[: match.end()] + rest + mark + query)


class GroupTotals(NamedTuple):
    """Tweets of one keyword-group set and label: how many, and their sums."""

    keywords: list[str]
    label: str
    tweets: int
    score: float
    polarity: float


class SecondTotals(NamedTuple):
    """Like :class:`GroupTotals`, for the tweets scored in one second."""

    second: int
    keywords: list[str]
    label: str
    tweets: int
    score: float
    polarity: float


class AuthorTotals(NamedTuple):
    """One author's tweets with a non-zero score in one minute (``minute`` is its first second)."""

    minute: int
    author: str
    abs_sum: float
    net: float
    tweets: int
    followers: int


class History(NamedTuple):
    """What the page starts from, all read in one snapshot of the store."""

    before: list[GroupTotals]  # tweets scored before the window, totalled
    window: list[SecondTotals]  # the window's tweets, per second, oldest first
    recent: list[ScoredTweet]  # the latest tweets stored, oldest first
    latencies: list[float]  # scored_at - produced_at of the latest tweets, oldest first
    authors: list[AuthorTotals]  # the author window, per minute, oldest first


class TweetStore(Protocol):
    """A store of scored tweets, each id kept once; safe for several writer processes."""

    @property
    def location(self) -> str:
        """Where it is, for messages (never with a password)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def open(self) -> None:
        """Connect now (a bad location is then a :class:`~tweetpulse.errors.ConfigError` here)."""
        ...

    def exists(self) -> bool:
        """Whether the store is there yet (asked without creating anything)."""
        ...

    def close(self) -> None: ...

    def check(self) -> None:
        """Read the store's layout and integrity; a :class:`~tweetpulse.errors.ConfigError` saying what to
        do if it can't be used (the listener checks before starting its workers)."""
        ...

    def insert(self, tweets: Sequence[ScoredTweet]) -> set[str]:
        """Store ``tweets`` in one transaction, ignoring ids already stored; return the ids newly stored.

        Raises :class:`~tweetpulse.errors.StoreError` (nothing of ``tweets`` stored) when it can't."""
        ...

    def count(self) -> int: ...

    def history(self, since: int, authors_since: int, recent: int, latencies: int) -> History:
        """Totals of the tweets scored before ``since``, per-second totals from it on, the ``recent``
        latest tweets, the ``latencies`` latest latencies and, from ``authors_since`` on, the authors
        per minute; :meth:`follow` then goes on from the end of this snapshot."""
        ...

    def follow(self, limit: int) -> list[ScoredTweet]:
        """At most ``limit`` tweets stored since the last :meth:`history` or :meth:`follow` call,
        in commit order: each stored tweet is returned once, none is skipped."""
        ...

    def held_back(self) -> str | None:
        """Why tweets already stored can't be followed yet (one line for the page), or None: e.g.
        PostgreSQL's :meth:`follow` waits for every older transaction on the server to end."""
        ...

    def read_frame(self, since: float | None = None) -> pd.DataFrame:
        """The stored tweets scored after ``since`` (unix seconds), oldest first (see :func:`read_frame`)."""
        ...


def open_store(location: str | Path, *, create: bool = True) -> TweetStore:
    """The store at ``location``: a path or ``sqlite:///path`` (SQLite), or a URL of another backend.

    Nothing is connected yet (use it in a ``with`` block). With ``create=False`` a store that does
    not exist is a :class:`~tweetpulse.errors.ConfigError` at once.
    """
    text = str(location)
    match = _URL.match(text)
    if match is None:
        scheme, url = "sqlite", "sqlite:///" + text
    else:
        scheme, url = match.group(1).lower(), text
    module = BACKENDS.get(scheme)
    if module is None:
        known = ", ".join(f"{name}://" for name in BACKENDS)
        raise ConfigError(
            f"unknown kind of store {scheme}://: give a file path (SQLite) or a URL starting with {known}"
        )
    backend = importlib.import_module(module)
    store: TweetStore = backend.open_url(url, create=create)
    return store


def store_exists(location: str | Path) -> bool:
    """Whether there is a store at ``location`` (nothing is created to find out)."""
    return open_store(location).exists()


def since_seconds(since: float | str | None) -> float | None:
    """``since`` as unix seconds: numbers as they are, anything else as ``pandas.Timestamp`` reads it (UTC
    unless it says otherwise)."""
    if since is None or isinstance(since, int | float):
        return since
    import pandas as pd

    stamp = pd.Timestamp(since)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).timestamp()


def read_frame(location: str | Path, since: float | str | None = None) -> pd.DataFrame:
    """The stored tweets as a pandas DataFrame (times as UTC datetimes, keywords as lists), oldest first.

    ``since`` keeps tweets scored after it: unix seconds, or anything ``pandas.Timestamp`` reads.
    """
    with open_store(location) as store:
        return store.read_frame(since_seconds(since))


def with_times(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``created_at`` (ISO text), ``produced_at`` and ``scored_at`` (unix seconds) as UTC datetimes."""
    import pandas as pd

    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, errors="coerce", format="ISO8601")
    for column in ("produced_at", "scored_at"):
        frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
    return frame
