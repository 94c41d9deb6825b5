"""Reading a dataset's bytes: one JSON object per line, or CSV records, with every unreadable line
noted in :class:`~tweetpulse.sources.base.SkippedRows` (1-based line number and reason) and the
rest read on; and the :class:`ParseContext` a format parser gets."""

from __future__ import annotations

import csv
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import DEFAULT_MAX_TEXT, Tweet, utc_now_iso
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


# A CSV record longer than this (in lines or characters) has swallowed its neighbours: a quote
# left open runs on until the next quote character, however far. No tweet spans that many lines,
# and a text this long is refused anyway (it is twice the text cap).
MAX_RECORD_LINES = 100
MAX_RECORD_CHARS = 2 * DEFAULT_MAX_TEXT


class _RunOn(Exception):
    """The record being read went past :data:`MAX_RECORD_LINES` or :data:`MAX_RECORD_CHARS`."""


class _LineFeed:
    """Text lines for the csv module (:meth:`lines`), keeping the lines of the record being read, so
    a record that swallowed the lines after it can give them back to be read again. Lines are
    numbered from 1; the lines of a record, given back or not, are always consecutive."""

    def __init__(self, stream: Iterable[bytes], skipped: SkippedRows) -> None:
        self._raw = iter(stream)
        self._skipped = skipped
        self.fed = 0  # the number of the last line handed out
        self.read = 0  # lines read from the file
        self.again: deque[str] = deque()
        self.record: list[str] = []
        self.not_utf8: set[int] = set()
        self.ran_out = False  # the file ended inside the record (a quote never closed)

    def lines(self) -> Iterator[str]:
        """The lines, until the file ends or a record runs on (:class:`_RunOn`; ask again after it)."""
        again, record, raw, limit, most = self.again, self.record, self._raw, MAX_RECORD_LINES, MAX_RECORD_CHARS
        while True:
            if again:
                text = again.popleft()
            else:
                try:
                    data = next(raw)
                except StopIteration:
                    self.ran_out = bool(self.record)
                    return
                except STREAM_ERRORS as exc:
                    self._skipped.add(self.read + 1, _stream_reason(exc))
                    self._raw = raw = iter(())
                    self.ran_out = bool(self.record)
                    return
                self.read += 1
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    self.not_utf8.add(self.read)
                    text = data.decode("utf-8", "replace")
                if self.read == 1:
                    text = text.removeprefix("\ufeff")
            self.fed += 1
            record.append(text)
            if len(text) > most or (len(record) > 1 and (len(record) > limit or self.chars > most)):
                raise _RunOn
            yield text

    @property
    def chars(self) -> int:
        """The characters of the record's lines so far."""
        return sum(map(len, self.record))

    @property
    def start(self) -> int:
        """The number of the record's first line."""
        return self.fed - len(self.record) + 1

    def take(self) -> tuple[int, int]:
        """``(first, last)`` line of the record just read; the next record starts afresh."""
        span = (self.start, self.fed)
        self.record.clear()
        self.ran_out = False
        return span

    def give_back(self) -> None:
        """Forget the record just read, but for its first line: read the others again."""
        self.again.extendleft(reversed(self.record[1:]))
        self.fed -= len(self.record) - 1
        self.take()


class CsvRecords:
    """``(first line, fields)`` per CSV record of ``stream``; bad records are noted in
    ``skipped`` and skipped, blank ones ignored.

    A record that swallowed its neighbours (an unterminated quote) is caught and undone: one that
    runs over :data:`MAX_RECORD_LINES` lines or :data:`MAX_RECORD_CHARS` characters, one that runs
    to the end of the file with its quote open, or (once ``columns`` is set) one of several lines
    with the wrong number of fields. Its first line is skipped, saying how many lines it covered,
    and the lines after it are read again.
    """

    def __init__(self, stream: Iterable[bytes], skipped: SkippedRows, columns: int | None = None) -> None:
        self.columns = columns
        self._skipped = skipped
        self._feed = _LineFeed(stream, skipped)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        feed, skipped, record, not_utf8 = self._feed, self._skipped, self._feed.record, self._feed.not_utf8
        reader = csv.reader(feed.lines())
        while True:
            try:
                for row in reader:  # the per-row path: plain tuples and no method calls
                    lines = len(record)
                    first = feed.fed - lines + 1
                    if lines > 1:
                        why = self._swallowed(row, first, feed.fed, feed.ran_out)
                        if why:
                            skipped.add(first, why)
                            feed.give_back()
                            break
                    record.clear()
                    if not_utf8 and not not_utf8.isdisjoint(range(first, first + lines)):
                        skipped.add(first, "not UTF-8")
                    elif row:
                        yield first, row
                else:
                    return
            except csv.Error as exc:
                skipped.add(feed.take()[0], f"bad CSV ({exc})")
                continue
            except _RunOn:
                lines, chars = len(record), feed.chars
                skipped.add(feed.start, self._run_on_reason(feed.start, lines, chars))
                feed.give_back()
            reader = csv.reader(feed.lines())

    def _swallowed(self, row: list[str], first: int, last: int, ran_out: bool) -> str | None:
        """Why a record over lines ``first``-``last`` must have swallowed the lines after its first."""
        again = f"lines {first + 1}-{last} were read again"
        if ran_out:
            return (
                f"a quote opened on this line never closed: the row ran on over {last - first + 1} lines "
                f"to the end of the file; {again}"
            )
        if self.columns is not None and row and len(row) != self.columns:
            return (
                f"expected {self.columns} columns, got {len(row)} in a row over lines {first}-{last} "
                f"(a stray quote?); {again}"
            )
        if self.columns is not None and row and self._rows_inside(row[0]):
            return (
                f"a quote opened on this line was closed only on line {last}, and lines {first + 1}-{last} "
                f"look like rows of their own (a stray quote?); {again}"
            )
        return None

    def _rows_inside(self, head: str) -> bool:
        """Whether a line after the first of the record just read is a row of its own: it has the
        record's number of columns and a first field like the record's (digits when that is digits).
        A stray quote closed by a later quoted field gives a record of the right width: this is how it
        shows (a tweet's own lines are text, not comma-separated rows)."""
        digits = head.strip().isdigit()
        for line in self._feed.record[1:]:
            if line.count(",") < (self.columns or 0) - 1:
                continue  # too few commas to be a row: no need to parse it
            try:
                fields = next(csv.reader([line]), [])
            except csv.Error:
                continue
            if len(fields) == self.columns and fields[0].strip() and (not digits or fields[0].strip().isdigit()):
                return True
        return False

    @staticmethod
    def _run_on_reason(first: int, lines: int, chars: int) -> str:
        if lines == 1:
            return f"the row has {chars:,} characters, more than a row may have ({MAX_RECORD_CHARS:,})"
        return (
            f"a quote opened on this line never closed: the row ran on over {lines} lines "
            f"(to line {first + lines - 1}); lines {first + 1}-{first + lines - 1} were read again"
        )
