"""Reading one file as a source, pass after pass: what the dataset replay and the bundled sample share.

Pass ``n`` (from 2 on, with ``loop=True``) adds ``-r<n>`` to every id, so ids stay unique, and
re-stamps ``created_at`` with the replay time; rows that can't be read are noted in ``skipped`` on
the first pass only. A file with nothing readable is not looped (that would spin forever).
``passes`` counts the passes started; iterating the source again carries on counting, so ids stay
unique then too. :meth:`FilePasses.close` ends the iterations under way and closes their files.
"""

from __future__ import annotations

import weakref
from collections.abc import Generator, Iterable, Iterator
from contextlib import AbstractContextManager

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet
from tweetpulse.sources.base import SkippedRows
from tweetpulse.sources.formats import check_format, parse_stream
from tweetpulse.sources.lines import ParseContext, replay_clock


class FilePasses:
    """A :class:`~tweetpulse.sources.base.TweetSource` over one file in format ``fmt``; a subclass
    says how to open the file (:meth:`open_stream`). ``label`` names the file in error messages;
    ``restamp`` gives every record the replay time from the first pass on."""

    def __init__(
        self,
        name: str,
        fmt: str,
        label: str,
        matcher: KeywordMatcher | None = None,
        loop: bool = False,
        restamp: bool = False,
    ) -> None:
        self.name = name
        self.format = check_format(fmt)
        self.label = label
        self.matcher = matcher if matcher is not None else KeywordMatcher()
        self.loop = loop
        self.restamp = restamp
        self.skipped = SkippedRows()
        self.passes = 0
        self._running: weakref.WeakSet[Generator[Tweet, None, None]] = weakref.WeakSet()

    def open_stream(self) -> AbstractContextManager[Iterable[bytes]]:
        """The file's bytes, opened for one pass."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[Tweet]:
        tweets = self._passes()
        self._running.add(tweets)
        return tweets

    def close(self) -> None:
        """End the iterations under way, closing their files (one running in another thread at
        this very moment can't be stopped from here; it ends at the end of its file)."""
        for tweets in list(self._running):
            try:
                tweets.close()
            except ValueError:  # "generator already executing", in another thread
                continue

    def _passes(self) -> Generator[Tweet, None, None]:
        stamp = replay_clock()
        while True:
            self.passes += 1
            again = self.passes > 1
            ctx = ParseContext(
                source=self.name,
                matcher=self.matcher,
                skipped=SkippedRows() if again else self.skipped,
                id_suffix=f"-r{self.passes}" if again else "",
                restamp=again or self.restamp,
                label=self.label,
                stamp=stamp,
            )
            with self.open_stream() as stream:
                tweets = parse_stream(stream, self.format, ctx)
                first = next(tweets, None)
                if first is None:
                    return  # nothing readable: looping would spin forever
                yield first
                yield from tweets
            if not self.loop:
                return
