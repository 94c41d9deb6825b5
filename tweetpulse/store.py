"""The SQLite store under its first name, for the notebooks and existing imports.

The store now lives in :mod:`tweetpulse.stores` (the protocol, :func:`~tweetpulse.stores.open_store`)
and :mod:`tweetpulse.stores.sqlite` (the SQLite backend); ``Store`` is
:class:`~tweetpulse.stores.sqlite.SqliteStore`.
"""

from __future__ import annotations

from tweetpulse.scored import COLUMNS, ScoredTweet
from tweetpulse.stores import read_frame
from tweetpulse.stores.sqlite import SCHEMA, SqliteStore, connect, encode_keywords

Store = SqliteStore

__all__ = ["COLUMNS", "SCHEMA", "ScoredTweet", "SqliteStore", "Store", "connect", "encode_keywords", "read_frame"]
