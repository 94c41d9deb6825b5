"""Replay a dataset file as a stream of tweets.

Formats (detected from the first lines, or named with ``fmt``); ``.gz`` files are read transparently:

``kaggle-entity``
    Kaggle "Twitter Entity Sentiment Analysis" CSV, no header: tweet id, entity, sentiment, text.
    The same tweet id appears on several rows, so a record's id is ``"<tweet id>-<line>"`` (the
    1-based line where the row starts): unique in the file and the same on every run.
``kaggle-bitcoin``
    Kaggle "Bitcoin tweets" CSV with a header row (``user_name, ..., user_followers, ..., date,
    text, ...``). The dataset has no tweet ids, so a record's id is ``"<digest>-<line>"``: 16 hex
    digits of a BLAKE2b hash of user name, date and text, then the starting line number.
``x-v2-jsonl``
    One X API v2 response per line: a filtered-stream message (``data`` an object, with
    ``includes.users`` and ``matching_rules``) or a search page (``data`` a list). Blank lines
    (keep-alives) are ignored. Keywords come from ``matching_rules[].tag`` when tags name keyword
    groups, else from the text.
``x-v1-jsonl``
    One v1.1 status object per line; the full text is preferred (``extended_tweet.full_text``,
    ``full_text``, ``text``). Stream control messages (``delete``, ``limit``, ...) are ignored.
``jsonl``
    The tweet record itself (see :mod:`tweetpulse.models`).
``jetstream-jsonl``, ``mastodon-jsonl``
    What ``--record`` keeps from the Bluesky and Mastodon sources (see
    :mod:`tweetpulse.sources.live_replay`).

Ids from the X formats and ``jsonl`` are kept as they are. Every record gets ``source =
"replay:<format>"`` and, unless the format supplies matching rules, keywords from the
:class:`~tweetpulse.keywords.KeywordMatcher` (``jsonl`` records are matched again too, so custom
keyword groups apply). A record without a usable time gets the replay time as ``created_at``.

With ``loop=True`` the file is replayed again at its end, forever. Pass ``n`` (from 2 on) adds
``-r<n>`` to every id, so ids stay unique, and re-stamps ``created_at`` with the replay time.

Unreadable rows (bad CSV or JSON, wrong column count, no text, not UTF-8, ...) are skipped and
noted in :attr:`ReplaySource.skipped` with their 1-based line number (first pass only). A file
that can't be opened or whose format can't be told raises :class:`DatasetError`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import orjson

from tweetpulse.errors import ConfigError, DatasetError, InvalidRecord
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.models import DEFAULT_MAX_TEXT, Tweet, record_from_dict, utc_now_iso
from tweetpulse.sources.base import SkippedRows

FORMATS = ("kaggle-entity", "kaggle-bitcoin", "x-v2-jsonl", "x-v1-jsonl", "jsonl", "jetstream-jsonl", "mastodon-jsonl")
FORMAT_HINT = "name the format with --format " + "|".join(FORMATS)

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_STREAM_ERRORS = (OSError, EOFError, zlib.error)
_DETECT_LINES = 50
_DETECT_LINE_BYTES = 1 << 20
_V1_CONTROL = frozenset(
    ("delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "warning", "friends")
)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}


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


# ---------------------------------------------------------------- time formats


def _iso_from_datetime(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def iso_utc(value: object) -> str | None:
    """An ISO-8601 UTC string (``...Z``) for an ISO-ish time; naive times are taken as UTC."""
    if not isinstance(value, str):
        return None
    if len(value) == 19 and value[10] == " " and value[4] == "-" and value[13] == ":":
        digits = value[:4] + value[5:7] + value[8:10] + value[11:13] + value[14:16] + value[17:]
        if digits.isdigit() and value[7] == "-" and value[16] == ":":
            return f"{value[:10]}T{value[11:]}Z"
    if value.endswith("Z") and len(value) >= 20 and value[10] == "T":
        return value
    try:
        return _iso_from_datetime(datetime.fromisoformat(value))
    except ValueError:
        return None


def twitter_time(value: object) -> str | None:
    """v1.1 ``created_at`` (``Wed Oct 10 20:19:24 +0000 2018``) as ISO-8601 UTC, or None."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) == 6 and parts[4] == "+0000":
        month = _MONTHS.get(parts[1])
        day, clock, year = parts[2], parts[3], parts[5]
        if month and day.isdigit() and year.isdigit() and len(clock) == 8 and clock[2] == clock[5] == ":":
            return f"{year}-{month:02d}-{int(day):02d}T{clock}Z"
    try:
        return _iso_from_datetime(datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y"))
    except ValueError:
        return None


def _count(value: object) -> int | None:
    """A follower count: a non-negative int, or an integral float/str such as ``"123.0"``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 and value.is_integer() else None
    if isinstance(value, str) and value:
        if value.isdigit():
            return int(value)
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number >= 0 and number.is_integer() else None
    return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _text_problem(text: object, blank_is_none: bool = False) -> str:
    """Why a row's text was refused (called only for one that was): missing or empty (or, with
    ``blank_is_none``, only white space), else over the length cap."""
    if not isinstance(text, str) or not text or (blank_is_none and text.isspace()):
        return "no text"
    return f"text has {len(text)} characters, cap is {DEFAULT_MAX_TEXT}"


# ---------------------------------------------------------------- reading lines


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
    if number == 1 and text.startswith(_BOM):
        text = text[len(_BOM) :]
        if text:
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError as again:
                exc = again
    if text:
        skipped.add(number, _json_reason(exc))
    return None


ConvertFn = Callable[[dict[str, Any], int, ParseContext], "Tweet | list[Tweet] | None"]


def _json_lines(stream: Iterable[bytes], ctx: ParseContext, convert: ConvertFn) -> Iterator[Tweet]:
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
    except _STREAM_ERRORS as exc:
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
    except _STREAM_ERRORS as exc:
        skipped.add(number + 1, _stream_reason(exc))


def _csv_rows(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[tuple[int, list[str]]]:
    """``(first line, fields)`` per CSV record; bad records are noted and skipped, blank ones ignored."""
    last_bad = [0]
    reader = csv.reader(_decoded_lines(stream, last_bad, ctx.skipped))
    end = 0
    while True:
        try:
            for row in reader:
                start, end = end + 1, reader.line_num
                if last_bad[0] >= start:
                    ctx.skipped.add(start, "not UTF-8")
                elif row:
                    yield start, row
            return
        except csv.Error as exc:
            start, end = end + 1, reader.line_num
            ctx.skipped.add(start, f"bad CSV ({exc})")


# ---------------------------------------------------------------- CSV formats


def _parse_kaggle_entity(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    skipped, match, source, suffix, stamp = ctx.skipped, ctx.matcher.match, ctx.source, ctx.id_suffix, ctx.stamp
    first = True
    for line, row in _csv_rows(stream, ctx):
        if len(row) != 4:
            skipped.add(line, f"expected 4 columns (id, entity, sentiment, text), got {len(row)}")
            continue
        tweet_id, _entity, _sentiment, text = row
        if first:
            first = False
            if not tweet_id.strip().isdigit() and "id" in tweet_id.lower():
                continue  # a header row some copies of the dataset have
        if not text or text.isspace() or len(text) > DEFAULT_MAX_TEXT:
            skipped.add(line, _text_problem(text, blank_is_none=True))
            continue
        yield Tweet(
            id=f"{tweet_id.strip() or 'row'}-{line}{suffix}",
            text=text,
            created_at=stamp(),
            keywords=match(text),
            source=source,
        )


def _bitcoin_id(author: str, date: str, text: str, line: int) -> str:
    digest = hashlib.blake2b(f"{author}\x1f{date}\x1f{text}".encode("utf-8", "replace"), digest_size=8)
    return f"{digest.hexdigest()}-{line}"


def _parse_kaggle_bitcoin(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    skipped, match, source, suffix = ctx.skipped, ctx.matcher.match, ctx.source, ctx.id_suffix
    rows = _csv_rows(stream, ctx)
    header = next(rows, None)
    if header is None:
        return
    columns = {name.strip().lower(): i for i, name in enumerate(header[1])}
    if "text" not in columns:
        raise DatasetError(
            f"{ctx.label}: the first row has no 'text' column, so it isn't a kaggle-bitcoin header; {FORMAT_HINT}"
        )
    width = len(header[1])
    i_text = columns["text"]
    i_user = columns.get("user_name")
    i_followers = columns.get("user_followers")
    i_date = columns.get("date")
    for line, row in rows:
        if len(row) != width:
            skipped.add(line, f"expected {width} columns, got {len(row)}")
            continue
        text = row[i_text]
        if not text or text.isspace() or len(text) > DEFAULT_MAX_TEXT:
            skipped.add(line, _text_problem(text, blank_is_none=True))
            continue
        author = row[i_user] if i_user is not None else ""
        date = row[i_date] if i_date is not None else ""
        yield Tweet(
            id=_bitcoin_id(author, date, text, line) + suffix,
            text=text,
            created_at=ctx.created_at(iso_utc(date)),
            author=author or None,
            followers=_count(row[i_followers]) if i_followers is not None else None,
            keywords=match(text),
            source=source,
        )


# ---------------------------------------------------------------- JSON-lines formats


def _find_user(includes: object, author_id: object) -> dict[str, Any] | None:
    if author_id is None or not isinstance(includes, dict):
        return None
    users = includes.get("users")
    if isinstance(users, list):
        for user in users:
            if isinstance(user, dict) and user.get("id") == author_id:
                return user
    return None


def _rule_keywords(rules: object, matcher: KeywordMatcher) -> list[str]:
    if not isinstance(rules, list):
        return []
    named = set()
    for rule in rules:
        tag = rule.get("tag") if isinstance(rule, dict) else None
        group = matcher.canonical(tag) if isinstance(tag, str) else None
        if group is not None:
            named.add(group)
    return [name for name in matcher.names if name in named]


def _v2_tweet(data: object, obj: dict[str, Any], line: int, ctx: ParseContext) -> Tweet | None:
    if not isinstance(data, dict):
        ctx.skipped.add(line, "a 'data' element is not an object")
        return None
    tweet_id, text = data.get("id"), data.get("text")
    if not isinstance(tweet_id, str | int) or isinstance(tweet_id, bool) or tweet_id == "":
        ctx.skipped.add(line, "no tweet id")
        return None
    if not isinstance(text, str) or not text or len(text) > DEFAULT_MAX_TEXT:
        ctx.skipped.add(line, _text_problem(text))
        return None
    author_id = data.get("author_id")
    user = _find_user(obj.get("includes"), author_id)
    followers = None
    author = None
    if user is not None:
        author = _str_or_none(user.get("username"))
        metrics = user.get("public_metrics")
        if isinstance(metrics, dict):
            followers = _count(metrics.get("followers_count"))
    keywords = _rule_keywords(obj.get("matching_rules"), ctx.matcher) or ctx.matcher.match(text)
    return Tweet(
        id=f"{tweet_id}{ctx.id_suffix}",
        text=text,
        created_at=ctx.created_at(iso_utc(data.get("created_at"))),
        author=author,
        author_id=str(author_id) if isinstance(author_id, str | int) and author_id != "" else None,
        followers=followers,
        lang=_str_or_none(data.get("lang")),
        keywords=keywords,
        source=ctx.source,
    )


def _convert_x_v2(obj: dict[str, Any], line: int, ctx: ParseContext) -> Tweet | list[Tweet] | None:
    data = obj.get("data")
    if isinstance(data, list):
        tweets = (_v2_tweet(item, obj, line, ctx) for item in data)
        return [tweet for tweet in tweets if tweet is not None]
    if data is None:
        if "errors" in obj:
            ctx.skipped.add(line, "an API error message, not a tweet")
        elif "meta" not in obj:  # an empty search page has only 'meta'
            ctx.skipped.add(line, "no 'data' object")
        return None
    return _v2_tweet(data, obj, line, ctx)


def _v1_text(obj: dict[str, Any]) -> object:
    extended = obj.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return extended["full_text"]
    full = obj.get("full_text")
    return full if isinstance(full, str) else obj.get("text")


def _convert_x_v1(obj: dict[str, Any], line: int, ctx: ParseContext) -> Tweet | None:
    tweet_id = obj.get("id_str")
    if not isinstance(tweet_id, str) or not tweet_id:
        raw_id = obj.get("id")
        if isinstance(raw_id, int) and not isinstance(raw_id, bool):
            tweet_id = str(raw_id)
        elif not _V1_CONTROL.isdisjoint(obj):
            return None  # a stream control message, not a status
        else:
            ctx.skipped.add(line, "no id_str")
            return None
    text = _v1_text(obj)
    if not isinstance(text, str) or not text or len(text) > DEFAULT_MAX_TEXT:
        ctx.skipped.add(line, _text_problem(text))
        return None
    user = obj.get("user")
    if not isinstance(user, dict):
        user = {}
    user_id = user.get("id_str")
    if not isinstance(user_id, str) and isinstance(user.get("id"), int):
        user_id = str(user["id"])
    return Tweet(
        id=tweet_id + ctx.id_suffix,
        text=text,
        created_at=ctx.created_at(twitter_time(obj.get("created_at"))),
        author=_str_or_none(user.get("screen_name")),
        author_id=_str_or_none(user_id),
        followers=_count(user.get("followers_count")),
        lang=_str_or_none(obj.get("lang")),
        keywords=ctx.matcher.match(text),
        source=ctx.source,
    )


def _convert_jsonl(obj: dict[str, Any], line: int, ctx: ParseContext) -> Tweet | None:
    try:
        tweet = record_from_dict(obj)
    except InvalidRecord as exc:
        ctx.skipped.add(line, str(exc))
        return None
    if ctx.id_suffix:
        tweet.id += ctx.id_suffix
    if ctx.restamp or tweet.created_at is None:
        tweet.created_at = ctx.stamp()
    tweet.keywords = ctx.matcher.match(tweet.text)
    tweet.source = ctx.source
    return tweet


def _parse_x_v2(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    return _json_lines(stream, ctx, _convert_x_v2)


def _parse_x_v1(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    return _json_lines(stream, ctx, _convert_x_v1)


def _parse_jsonl(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    return _json_lines(stream, ctx, _convert_jsonl)


def _parse_jetstream(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    from tweetpulse.sources.live_replay import convert_jetstream

    return _json_lines(stream, ctx, convert_jetstream)


def _parse_mastodon(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    from tweetpulse.sources.live_replay import convert_mastodon

    return _json_lines(stream, ctx, convert_mastodon)


_PARSERS: dict[str, Callable[[Iterable[bytes], ParseContext], Iterator[Tweet]]] = {
    "kaggle-entity": _parse_kaggle_entity,
    "kaggle-bitcoin": _parse_kaggle_bitcoin,
    "x-v2-jsonl": _parse_x_v2,
    "x-v1-jsonl": _parse_x_v1,
    "jsonl": _parse_jsonl,
    "jetstream-jsonl": _parse_jetstream,  # the live sources' --record files (issue 11)
    "mastodon-jsonl": _parse_mastodon,
}


class Replayable(Protocol):
    """What :func:`replay_passes` reads and updates on its source."""

    name: str
    matcher: KeywordMatcher
    skipped: SkippedRows
    loop: bool
    passes: int


def replay_passes(owner: Replayable, open_stream: Callable[[], AbstractContextManager[Iterable[bytes]]], fmt: str,
                  label: str, restamp: bool = False) -> Iterator[Tweet]:
    """The records of a file, pass after pass while ``owner.loop``: pass ``n`` >= 2 adds ``-r<n>``
    to ids and re-stamps ``created_at``; skipped rows are recorded on the first pass only."""
    stamp = replay_clock()
    while True:
        owner.passes += 1
        again = owner.passes > 1
        ctx = ParseContext(
            source=owner.name,
            matcher=owner.matcher,
            skipped=SkippedRows() if again else owner.skipped,
            id_suffix=f"-r{owner.passes}" if again else "",
            restamp=again or restamp,
            label=label,
            stamp=stamp,
        )
        with open_stream() as stream:
            tweets = parse_stream(stream, fmt, ctx)
            first = next(tweets, None)
            if first is None:
                return  # nothing readable: looping would spin forever
            yield first
            yield from tweets
        if not owner.loop:
            return


def parse_stream(stream: Iterable[bytes], fmt: str, ctx: ParseContext) -> Iterator[Tweet]:
    """Tweets from an open binary stream in format ``fmt`` (bad rows go to ``ctx.skipped``)."""
    return _PARSERS[check_format(fmt)](stream, ctx)


# ---------------------------------------------------------------- files and detection


def check_format(fmt: str) -> str:
    if fmt not in _PARSERS:
        raise ConfigError(f"unknown dataset format {fmt!r}; {FORMAT_HINT}")
    return fmt


def open_dataset(path: str | Path) -> BinaryIO | gzip.GzipFile:
    """Open a dataset file for binary line reading, un-gzipping it when it starts with the gzip magic."""
    path = Path(path)
    try:
        with open(path, "rb") as probe:
            magic = probe.read(2)
        if magic == _GZIP_MAGIC:
            return gzip.GzipFile(filename=path, mode="rb")
        return open(path, "rb", buffering=1 << 16)
    except OSError as exc:
        raise DatasetError(f"can't open dataset {path}: {exc.strerror or exc}; check the path") from None


def _json_kind(obj: dict[str, Any]) -> str | None:
    from tweetpulse.sources.live_replay import live_kind

    if (live := live_kind(obj)) is not None:
        return live
    if "data" in obj and isinstance(obj["data"], dict | list):
        return "x-v2-jsonl"
    if "id_str" in obj or ("user" in obj and ("full_text" in obj or "text" in obj or "extended_tweet" in obj)):
        return "x-v1-jsonl"
    if "id" in obj and "text" in obj:
        return "jsonl"
    return None


def _csv_kind(lines: list[bytes]) -> str | None:
    text = [line.decode("utf-8", "replace") for line in lines]
    if text:
        text[0] = text[0].removeprefix("\ufeff")
    try:
        first = next(csv.reader(text), None)
    except csv.Error:
        return None
    if not first:
        return None
    header = {name.strip().lower() for name in first}
    if {"user_name", "date", "text"} <= header:
        return "kaggle-bitcoin"
    if len(first) == 4 and (first[0].strip().isdigit() or "id" in first[0].lower()):
        return "kaggle-entity"
    return None


def _read_head(path: Path) -> list[bytes]:
    head: list[bytes] = []
    try:
        with open_dataset(path) as stream:
            for _ in range(_DETECT_LINES):
                line = stream.readline(_DETECT_LINE_BYTES)
                if not line:
                    break
                head.append(line)
    except _STREAM_ERRORS as exc:
        if not head:
            raise DatasetError(f"can't read dataset {path}: {exc}; is it a valid (gzip) file?") from None
    return head


def detect_format(path: str | Path) -> str:
    """The format of a dataset file, told from its first lines (the ``.gz`` layer is looked through)."""
    path = Path(path)
    head = _read_head(path)
    lines = [line for line in head if line.strip() and line.strip() != _BOM]
    if not lines:
        raise DatasetError(f"dataset {path} is empty; there is nothing to replay")
    if lines[0].removeprefix(_BOM).lstrip().startswith(b"{"):
        for line in lines:
            try:
                obj = orjson.loads(line.removeprefix(_BOM))
            except orjson.JSONDecodeError:
                continue
            kind = _json_kind(obj) if isinstance(obj, dict) else None
            if kind is not None:
                return kind
    else:
        kind = _csv_kind(lines)
        if kind is not None:
            return kind
    raise DatasetError(f"can't tell the format of {path.name} from its first lines; {FORMAT_HINT}")


class ReplaySource:
    """Tweets from a dataset file (a :class:`~tweetpulse.sources.base.TweetSource`).

    ``name`` and every record's ``source`` are ``"replay:<format>"``. See the module docs for
    ids, timestamps, looping and skipped rows. ``passes`` counts the passes started; iterating the
    source a second time carries on counting, so ids stay unique then too.
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
        self.format = fmt
        self.name = f"replay:{fmt}"
        self.matcher = matcher if matcher is not None else KeywordMatcher()
        self.loop = loop
        self.skipped = SkippedRows()
        self.passes = 0

    def __iter__(self) -> Iterator[Tweet]:
        return replay_passes(self, lambda: open_dataset(self.path), self.format, str(self.path))
