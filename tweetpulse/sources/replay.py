"""Replay a dataset file as a stream of tweets (``--source replay``).

The formats (:mod:`tweetpulse.sources.formats`) are detected from the first lines
(:mod:`tweetpulse.sources.detect`) or named with ``fmt``; ``.gz`` files are read transparently.
Every record gets ``source = "replay:<format>"``. With ``loop=True`` the file is replayed again at
its end, forever, with ids kept unique (:mod:`tweetpulse.sources.passes`).

Unreadable rows (bad CSV or JSON, wrong column count, no text, not UTF-8, ...) are skipped and
noted in :attr:`ReplaySource.skipped` with their 1-based line number (first pass only); so is a row
whose follower count is over 2**63 - 1. A CSV row that swallowed the lines after it (a quote left
open) is skipped with how far it ran, and those lines are read again
(:class:`~tweetpulse.sources.lines.CsvRecords`). A file
that can't be opened or whose format can't be told raises :class:`~tweetpulse.errors.DatasetError`.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.options import Option
from tweetpulse.sources.base import SourceRequest, SourceSpec
from tweetpulse.sources.detect import detect_format, open_dataset
from tweetpulse.sources.formats import FORMATS, check_format
from tweetpulse.sources.passes import FilePasses


class ReplaySource(FilePasses):
    """Tweets from a dataset file (a :class:`~tweetpulse.sources.base.TweetSource`).

    ``name`` and every record's ``source`` are ``"replay:<format>"``; ``format`` is the format.
    See the module docs for ids, timestamps, looping and skipped rows.
    """

    def __init__(
        self,
        path: str | Path,
        fmt: str | None = None,
        matcher: KeywordMatcher | None = None,
        loop: bool = False,
    ) -> None:
        self.path = Path(path)
        if fmt is None:
            fmt = detect_format(self.path)
        else:
            check_format(fmt)
            open_dataset(self.path).close()
        super().__init__(f"replay:{fmt}", fmt, str(self.path), matcher=matcher, loop=loop)

    def open_stream(self) -> BinaryIO | gzip.GzipFile:
        return open_dataset(self.path)


def open_replay(request: SourceRequest) -> ReplaySource:
    """The file ``dataset`` in format ``fmt`` (detected when None)."""
    dataset = request.options.get("dataset")
    if not dataset:
        raise ConfigError("--source replay needs --dataset PATH (a Kaggle CSV or a JSONL file)")
    return ReplaySource(dataset, fmt=request.options.get("fmt"), matcher=request.matcher, loop=request.loop)


SOURCE = SourceSpec(
    "replay",
    "a replayed dataset",
    open_replay,
    options=(
        Option("--dataset", "dataset", "file to replay with --source replay", metavar="PATH"),
        Option("--format", "fmt", "dataset format (default: detected)", choices=FORMATS),
    ),
)
