"""Reading a dataset's bytes: one JSON object per line, or CSV records, with every unreadable line
noted in :class:`~tweetpulse.sources.base.SkippedRows` (1-based line number and reason) and the
rest read on; and the :class:`ParseContext` a format parser gets."""

from __future__ import annotations

import csv
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.models import Tweet, utc_now_iso
from tweetpulse.sources.base import SkippedRows

BOM = b"\xef\xbb\xbf"
STREAM_ERRORS = (OSError, EOFError, zlib.error)  # a truncated or corrupt (gzip) file


def replay_clock() -> Callable[[], str]:
    """A ``utc_now_iso`` that formats at most once per millisecond (formatting is the slow part)."""
    last_ms = -1
    text = ""

    def stamp() -> str:
        nonlocal last_ms, text
        ms = time.time_ns() // 1_000_000
        if ms != last_ms:
            last_ms, text = ms, utc_now_iso()
        return text

    return stamp


@dataclass(slots=True)
class ParseContext:
    """What a format parser needs besides the bytes: where records go and how to label them."""

    source: str
    matcher: KeywordMatcher
    skipped: SkippedRows = field(default_factory=SkippedRows)
    id_suffix: str = ""
    restamp: bool = False  # every created_at becomes the replay time
    label: str = "dataset"  # the file, for error messages
    stamp: Callable[[], str] = field(default_factory=replay_clock)

    def created_at(self, value: str | None) -> str:
        return self.stamp() if self.restamp or value is None else value


def _stream_reason(exc: BaseException) -> str:
    return f"the file ends early or is corrupt ({type(exc).__name__}: {exc}); the rest is unreadable"


def _json_reason(exc: orjson.JSONDecodeError) -> str:
    message = str(exc)
    if "UTF-8" in message:
        return "not UTF-8"
    return f"bad JSON ({message.split(':', 1)[0]})"


def _undecodable(raw: bytes, number: int, exc: orjson.JSONDecodeError, skipped: SkippedRows) -> object:
    """A line orjson refused: blank (ignored), the first line after a byte-order mark, or bad (noted)."""
    text = raw.strip()
    if number == 1 and text.startswith(BOM):
        text = text[len(BOM) :]
        if text:
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError as again:
                exc = again
    if text:
        skipped.add(number, _json_reason(exc))
    return None


ConvertFn = Callable[[dict[str, Any], int, ParseContext], "Tweet | list[Tweet] | None"]


def json_lines(stream: Iterable[bytes], ctx: ParseContext, convert: ConvertFn) -> Iterator[Tweet]:
    """Decode one JSON object per line and convert it; blank lines are skipped silently."""
    skipped = ctx.skipped
    number = 0
    try:
        for number, raw in enumerate(stream, 1):
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                obj = _undecodable(raw, number, exc, skipped)
                if obj is None:
                    continue
            if type(obj) is not dict:
                skipped.add(number, f"not a JSON object ({type(obj).__name__})")
                continue
            result = convert(obj, number, ctx)
            if isinstance(result, list):
                yield from result
            elif result is not None:
                yield result
    except STREAM_ERRORS as exc:
        skipped.add(number + 1, _stream_reason(exc))


def _decoded_lines(stream: Iterable[bytes], last_bad: list[int], skipped: SkippedRows) -> Iterator[str]:
    """Text lines for the csv module; notes the last line that wasn't UTF-8 in ``last_bad[0]``."""
    number = 0
    try:
        for number, raw in enumerate(stream, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                last_bad[0] = number
                text = raw.decode("utf-8", "replace")
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield text
    except STREAM_ERRORS as exc:
        skipped.add(number + 1, _stream_reason(exc))


def csv_rows(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[tuple[int, list[str]]]:
    """``(first line, fields)`` per CSV record of a replay (see :func:`csv_records`)."""
    return csv_records(stream, ctx.skipped)


def csv_records(stream: Iterable[bytes], skipped: SkippedRows) -> Iterator[tuple[int, list[str]]]:
    """``(first line, fields)`` per CSV record; bad records are noted in ``skipped``, blank ones ignored."""
    last_bad = [0]
    reader = csv.reader(_decoded_lines(stream, last_bad, skipped))
    end = 0
    while True:
        try:
            for row in reader:
                start, end = end + 1, reader.line_num
                if last_bad[0] >= start:
                    skipped.add(start, "not UTF-8")
                elif row:
                    yield start, row
            return
        except csv.Error as exc:
            start, end = end + 1, reader.line_num
            skipped.add(start, f"bad CSV ({exc})")
