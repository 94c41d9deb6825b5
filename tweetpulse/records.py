"""The tweet record: the contract between every source, the ``tweets`` topic and the listener.

On the topic a record is a UTF-8 JSON object, Kafka key = ``id``::

    {"v": 1, "id": str, "text": str, "created_at": ISO-8601 UTC str,
     "author": str|null, "author_id": str|null, "followers": int>=0|null,
     "lang": str|null, "keywords": [str], "source": str}

``id`` and ``text`` are required; ``followers`` is null when the source doesn't know it.
The rule for each field is written once, here (:func:`usable_id`, :func:`usable_text` and
:func:`record_from_dict`), and every source and the listener apply it: the README's table says
the same in words.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeGuard

import orjson

from tweetpulse.errors import InvalidRecord
from tweetpulse.secrets import any_secret, redact

SCHEMA_VERSION = 1
DEFAULT_MAX_TEXT = 10_000
MAX_FOLLOWERS = 2**63 - 1  # the store's INTEGER range
MAX_ID = 256  # characters; X ids have 19 digits, replayed ids a few more

_OPTIONAL_STR = ("created_at", "author", "author_id", "lang")


def utc_now_iso() -> str:
    """The current time as an ISO-8601 UTC string with a ``Z`` suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def usable_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a usable tweet id: a string of 1 to :data:`MAX_ID` printable characters
    (no NUL, no line breaks or other control characters), not only spaces."""
    return type(value) is str and 0 < len(value) <= MAX_ID and value.isprintable() and not value.isspace()


def usable_followers(value: object) -> int | None:
    """A follower count as the record keeps it: an integer (not a bool) from 0 to
    :data:`MAX_FOLLOWERS`; anything else (negative, over the store's range, not an integer) is
    unknown, None."""
    return value if type(value) is int and 0 <= value <= MAX_FOLLOWERS else None


def usable_text(value: object, max_text: int = DEFAULT_MAX_TEXT) -> TypeGuard[str]:
    """Whether ``value`` is a usable tweet text: a string with something besides white space, at
    most ``max_text`` characters."""
    return type(value) is str and 0 < len(value) <= max_text and not value.isspace()


@dataclass(slots=True)
class Tweet:
    """One tweet as it travels through the pipeline."""

    id: str
    text: str
    created_at: str | None = None
    author: str | None = None
    author_id: str | None = None
    followers: int | None = None
    lang: str | None = None
    keywords: list[str] = field(default_factory=list)
    source: str = "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": SCHEMA_VERSION,
            "id": self.id,
            "text": self.text,
            "created_at": self.created_at,
            "author": self.author,
            "author_id": self.author_id,
            "followers": self.followers,
            "lang": self.lang,
            "keywords": self.keywords,
            "source": self.source,
        }

    def to_json(self) -> bytes:
        """The record's wire form (UTF-8 JSON)."""
        return orjson.dumps(self.to_dict())


def fit_record(tweet: Tweet, max_text: int = DEFAULT_MAX_TEXT) -> str | None:
    """Make a record a source built follow the rule (in place) where it can, else say why it can't.

    An unknown follower count (see :func:`usable_followers`) becomes None and an optional field
    that isn't a string becomes None: the post is real, only that field is not. A record without
    a usable id or text can't be fixed: the reason is returned (the source counts it as skipped,
    so the listener never has to dead-letter it).
    """
    if not usable_id(tweet.id):
        return f"id must be 1 to {MAX_ID} printable characters, got {tweet.id!r:.40}"
    if not usable_text(tweet.text, max_text):
        if type(tweet.text) is str and len(tweet.text) > max_text:
            return f"text has {len(tweet.text)} characters, cap is {max_text}"
        return "no text"
    tweet.followers = usable_followers(tweet.followers)
    for name in _OPTIONAL_STR:
        if type(getattr(tweet, name)) is not str:
            setattr(tweet, name, None)
    if type(tweet.keywords) is not list or not all(map(_is_str, tweet.keywords)):
        tweet.keywords = [k for k in tweet.keywords if type(k) is str] if isinstance(tweet.keywords, list) else []
    return None


_STRING_FIELDS = tuple(f.name for f in fields(Tweet) if f.type in ("str", "str | None"))  # annotations are text here


def redact_record(tweet: Tweet) -> Tweet:
    """``tweet`` (changed in place) with every registered secret masked in every string field,
    not only the text: a server that echoes a token may put it in a user name or an id too."""
    if not any_secret():
        return tweet
    for name in _STRING_FIELDS:
        value = getattr(tweet, name)
        if isinstance(value, str):
            setattr(tweet, name, redact(value))
    if isinstance(tweet.keywords, list):
        tweet.keywords = [redact(k) if isinstance(k, str) else k for k in tweet.keywords]
    return tweet


class RecordFields(NamedTuple):
    """A valid record's fields: those of :class:`Tweet`, in its order, which is also the order of the
    first columns of :class:`tweetpulse.records.ScoredTweet` (so the listener extends one into the other)."""

    id: str
    text: str
    created_at: str | None
    author: str | None
    author_id: str | None
    followers: int | None
    lang: str | None
    keywords: list[str]
    source: str


_new = tuple.__new__  # builds a RecordFields from a tuple without its Python-level __new__
_is_str = str.__instancecheck__  # isinstance(k, str); JSON strings are never a subclass


def parse_record(raw: bytes | None, max_text: int = DEFAULT_MAX_TEXT) -> Tweet:
    """Decode and validate one message value from the tweets topic.

    Raises :class:`InvalidRecord` with a short reason code when the value breaks the contract.
    """
    return Tweet(*record_fields(raw, max_text))


def record_fields(raw: bytes | None, max_text: int = DEFAULT_MAX_TEXT) -> RecordFields:
    """:func:`parse_record`'s fields as a :class:`RecordFields`, without building a :class:`Tweet`
    (the listener's per-tweet path)."""
    if raw is None:
        raise InvalidRecord("empty", "the message has no value (a tombstone?)")
    try:
        obj = orjson.loads(raw)  # validates UTF-8 too: no separate decode on the hot path
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise InvalidRecord("not-utf8", f"bytes {bad.start}-{bad.end} are not UTF-8") from None
        raise InvalidRecord("not-json", str(exc)) from None
    if type(obj) is not dict:
        raise InvalidRecord("not-object", f"expected a JSON object, got {type(obj).__name__}")
    # the fast path: one pass of exact type checks for a well-formed record (the listener's
    # per-tweet loop); anything else goes through record_from_dict, which names the problem
    get = obj.get
    v, tid, text, followers, keywords = (
        get("v", SCHEMA_VERSION),
        get("id"),
        get("text"),
        get("followers"),
        get("keywords"),
    )
    created_at, author, author_id, lang, source = (
        get("created_at"),
        get("author"),
        get("author_id"),
        get("lang"),
        get("source"),
    )
    if (
        type(v) is int
        and v == SCHEMA_VERSION
        and usable_id(tid)
        and usable_text(text, max_text)
        and (followers is None or (type(followers) is int and 0 <= followers <= MAX_FOLLOWERS))
        and (created_at is None or type(created_at) is str)
        and (author is None or type(author) is str)
        and (author_id is None or type(author_id) is str)
        and (lang is None or type(lang) is str)
        and (source is None or type(source) is str)
        and (keywords is None or (type(keywords) is list and all(map(_is_str, keywords))))
    ):
        # fmt: off
        return _new(RecordFields, (
            tid, text, created_at, author, author_id, followers, lang,
            [] if keywords is None else keywords, "unknown" if source is None else source,
        ))
        # fmt: on
    tweet = record_from_dict(obj, max_text)
    # fmt: off
    return _new(RecordFields, (
        tweet.id, tweet.text, tweet.created_at, tweet.author, tweet.author_id, tweet.followers, tweet.lang,
        tweet.keywords, tweet.source,
    ))
    # fmt: on


NativeDecoder = Callable[[list[Any], int], list[tuple[Any, ...] | None]]


@functools.cache
def native_decoder() -> NativeDecoder | None:
    """The compiled core's ``decode_records`` (``native/src/records.rs``), or ``None``: not built, built
    before it had one, or ``TWEETPULSE_PURE_PYTHON=1``."""
    if os.environ.get("TWEETPULSE_PURE_PYTHON", "").strip() == "1":
        return None
    try:
        from tweetpulse_native import decode_records  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    decoder: NativeDecoder = decode_records
    return decoder


def records_fields(
    values: Sequence[bytes | None], max_text: int = DEFAULT_MAX_TEXT, native: bool = True
) -> list[RecordFields | InvalidRecord]:
    """:func:`record_fields` of each value, in order: its fields, or the :class:`InvalidRecord` it raised.

    A poll batch at once: the compiled core (when built, and ``native``) decodes the well-formed
    records in one call; every value it is not sure about goes through :func:`record_fields`, so
    the results are :func:`record_fields`' own, field for field, and so are the errors.
    """
    decode = native_decoder() if native else None
    fast = decode(list(values), max_text) if decode is not None else [None] * len(values)
    out: list[RecordFields | InvalidRecord] = []
    append = out.append
    for raw, decoded in zip(values, fast, strict=True):
        if decoded is not None:
            append(_new(RecordFields, decoded))
            continue
        try:
            append(record_fields(raw, max_text))
        except InvalidRecord as err:
            append(err)
    return out


def record_from_dict(obj: dict[str, Any], max_text: int = DEFAULT_MAX_TEXT) -> Tweet:
    """Validate an already-decoded record (see :func:`parse_record`)."""
    v = obj.get("v", SCHEMA_VERSION)
    if type(v) is not int or v != SCHEMA_VERSION:
        raise InvalidRecord("unknown-version", f"schema version {v!r:.40} is not the integer {SCHEMA_VERSION}")
    tid = obj.get("id")
    if tid is None:
        raise InvalidRecord("missing-id", "the record has no 'id'")
    if not usable_id(tid):
        raise InvalidRecord(
            "bad-id",
            f"'id' must be a string of 1 to {MAX_ID} printable characters, not only spaces; got {tid!r:.40}",
        )
    text = obj.get("text")
    if text is None:
        raise InvalidRecord("missing-text", "the record has no 'text'")
    if not isinstance(text, str):
        raise InvalidRecord("bad-text", f"'text' must be a string, got {type(text).__name__}")
    if len(text) > max_text:
        raise InvalidRecord("text-too-long", f"text has {len(text)} characters, cap is {max_text}")
    if not usable_text(text, max_text):
        raise InvalidRecord("blank-text", "'text' is empty or only white space")
    for name in _OPTIONAL_STR:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidRecord(f"bad-{name}", f"'{name}' must be a string or null")
    followers = obj.get("followers")
    if followers is not None:
        if isinstance(followers, bool) or not isinstance(followers, int):
            raise InvalidRecord("bad-followers", f"'followers' must be an integer, got {followers!r:.40}")
        if followers < 0:
            raise InvalidRecord("bad-followers", f"'followers' must be >= 0, got {followers}")
        if followers > MAX_FOLLOWERS:
            raise InvalidRecord("bad-followers", f"'followers' must be < 2**63, got {followers}")
    keywords = obj.get("keywords")
    if keywords is None:
        keywords = []
    elif not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise InvalidRecord("bad-keywords", "'keywords' must be a list of strings")
    source = obj.get("source")
    if source is None:
        source = "unknown"
    elif not isinstance(source, str):
        raise InvalidRecord("bad-source", "'source' must be a string")
    return Tweet(
        id=tid,
        text=text,
        created_at=obj.get("created_at"),
        author=obj.get("author"),
        author_id=obj.get("author_id"),
        followers=followers,
        lang=obj.get("lang"),
        keywords=keywords,
        source=source,
    )


class ScoredTweet(NamedTuple):
    """One scored tweet, fields in the store's column order."""

    id: str
    text: str
    created_at: str | None
    author: str | None
    author_id: str | None
    followers: int | None
    lang: str | None
    keywords: list[str]  # names of the keyword groups the text matched
    source: str | None
    polarity: float
    subjectivity: float
    weight: float  # ln(followers + 1), 1.0 when followers is unknown
    score: float  # weight × polarity
    label: str  # positive, negative or neutral
    kafka_partition: int | None
    kafka_offset: int | None
    produced_at: float | None  # the Kafka message timestamp, unix seconds (None when it has none)
    scored_at: float  # unix seconds
    scorer: str = "textblob"  # the scorer that scored it (its --scorer spec); last, so older stores gain it

    @classmethod
    def from_record(
        cls,
        record: RecordFields,
        score: tuple[float, float, float, float, str],
        kafka_partition: int | None,
        kafka_offset: int | None,
        produced_at: float | None,
        scored_at: float,
        scorer: str,
    ) -> ScoredTweet:
        """A record's fields (its first columns) with its score's (polarity, subjectivity, weight,
        score, label) and where and when it was scored: the listener's per-tweet way to build one."""
        # one tuple in column order, without the Python-level __new__ of a NamedTuple: this runs per tweet
        # fmt: off
        return _new(cls, (
            *record, *score, kafka_partition, kafka_offset, produced_at, scored_at, scorer,
        ))
        # fmt: on


COLUMNS: tuple[str, ...] = ScoredTweet._fields
