"""The bundled offline sample: 5,000 synthetic Bitcoin/Ethereum/Dogecoin tweets.

The file (``tweetpulse/data/sample_tweets.jsonl.gz``, tweet records, ``source="sample"``) is made
by ``scripts/generate_sample.py`` and read through :mod:`importlib.resources`, so it works from an
installed package too. Every record's ``created_at`` is re-stamped with the replay time (pass
``restamp=False`` to keep the file's times, spread over three hours, e.g. to pace with
``--speedup``); keywords come from the matcher. With ``loop=True`` the sample starts over at its
end and pass ``n`` (from 2 on) adds ``-r<n>`` to every id, so ids stay unique.
"""

from __future__ import annotations

import gzip
import io
from importlib import resources

from tweetpulse.errors import DatasetError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.sources.base import SourceRequest, SourceSpec
from tweetpulse.sources.passes import FilePasses

SAMPLE_PACKAGE = "tweetpulse"
SAMPLE_FILE = ("data", "sample_tweets.jsonl.gz")


def sample_bytes() -> bytes:
    """The bundled file as stored (gzip-compressed)."""
    resource = resources.files(SAMPLE_PACKAGE)
    for part in SAMPLE_FILE:
        resource = resource.joinpath(part)
    try:
        return resource.read_bytes()
    except OSError as exc:
        raise DatasetError(
            f"the bundled sample {'/'.join(SAMPLE_FILE)} is missing ({exc.strerror or exc}); "
            "reinstall tweetpulse or run scripts/generate_sample.py"
        ) from None


class SampleSource(FilePasses):
    """Tweets from the bundled sample (a :class:`~tweetpulse.sources.base.TweetSource`)."""

    def __init__(self, matcher: KeywordMatcher | None = None, loop: bool = False, restamp: bool = True) -> None:
        super().__init__("sample", "jsonl", "the bundled sample", matcher=matcher, loop=loop, restamp=restamp)
        self._data = sample_bytes()

    def open_stream(self) -> gzip.GzipFile:
        return gzip.GzipFile(fileobj=io.BytesIO(self._data), mode="rb")


def open_sample(request: SourceRequest) -> SampleSource:
    """The sample takes no options of its own."""
    return SampleSource(matcher=request.matcher, loop=request.loop)


SOURCE = SourceSpec("sample", "the bundled sample", open_sample, demo=True)
