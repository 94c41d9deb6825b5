"""The dataset formats a replay reads: each turns a file's bytes into tweet records.

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
    ``includes.users`` and ``matching_rules``) or a search page (``data`` a list), converted by
    :func:`tweetpulse.sources.x.v2.tweets_from_v2`, exactly as the live X sources do. Blank lines
    (keep-alives) and empty search pages are ignored, error messages noted as skipped.
``x-v1-jsonl``
    One v1.1 status object per line; the full text is preferred (``extended_tweet.full_text``,
    ``full_text``, ``text``). Stream control messages (``delete``, ``limit``, ...) are ignored.
``jsonl``
    The tweet record itself (see :mod:`tweetpulse.records`).
``jetstream-jsonl``, ``mastodon-jsonl``
    What ``--record`` keeps from the Bluesky and Mastodon sources (see
    :mod:`tweetpulse.sources.live_replay`).

Ids from the X formats and ``jsonl`` are kept as they are (plus the context's ``id_suffix``).
Every record gets ``source = ctx.source`` and, unless the format supplies matching rules, keywords
from the context's :class:`~tweetpulse.keywords.KeywordMatcher` (``jsonl`` records are matched
again too, so custom keyword groups apply). A record without a usable time gets the replay time
as ``created_at``. Unreadable rows are noted in ``ctx.skipped`` and the rest read on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tweetpulse.errors import ConfigError, DatasetError, InvalidRecord
from tweetpulse.records import Tweet, record_from_dict, usable_text
from tweetpulse.sources.fields import count, followers_problem, iso_utc, str_or_none, text_problem, twitter_time
from tweetpulse.sources.lines import CsvRecords, ParseContext, json_lines
from tweetpulse.sources.x.v2 import tweets_from_v2

FORMATS = ("kaggle-entity", "kaggle-bitcoin", "x-v2-jsonl", "x-v1-jsonl", "jsonl", "jetstream-jsonl", "mastodon-jsonl")
FORMAT_HINT = "name the format with --format " + "|".join(FORMATS)

_V1_CONTROL = frozenset(
    ("delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "disconnect", "warning", "friends")
)


# ---------------------------------------------------------------- CSV formats


def _parse_kaggle_entity(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    skipped, match, source, suffix, stamp = ctx.skipped, ctx.matcher.match, ctx.source, ctx.id_suffix, ctx.stamp
    first = True
    for line, row in CsvRecords(stream, ctx.skipped, columns=4):
        if len(row) != 4:
            skipped.add(line, f"expected 4 columns (id, entity, sentiment, text), got {len(row)}")
            continue
        tweet_id, _entity, _sentiment, text = row
        if first:
            first = False
            if not tweet_id.strip().isdigit() and "id" in tweet_id.lower():
                continue  # a header row some copies of the dataset have
        if not usable_text(text):
            skipped.add(line, text_problem(text, blank_is_none=True))
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
    records = CsvRecords(stream, ctx.skipped)
    rows = iter(records)
    header = next(rows, None)
    if header is None:
        return
    columns = {name.strip().lower(): i for i, name in enumerate(header[1])}
    if "text" not in columns:
        raise DatasetError(
            f"{ctx.label}: the first row has no 'text' column, so it isn't a kaggle-bitcoin header; {FORMAT_HINT}"
        )
    width = records.columns = len(header[1])
    i_text = columns["text"]
    i_user = columns.get("user_name")
    i_followers = columns.get("user_followers")
    i_date = columns.get("date")
    for line, row in rows:
        if len(row) != width:
            skipped.add(line, f"expected {width} columns, got {len(row)}")
            continue
        text = row[i_text]
        if not usable_text(text):
            skipped.add(line, text_problem(text, blank_is_none=True))
            continue
        followers = count(row[i_followers]) if i_followers is not None else None
        problem = followers_problem(followers)
        if problem is not None:
            skipped.add(line, problem)
            continue
        author = row[i_user] if i_user is not None else ""
        date = row[i_date] if i_date is not None else ""
        yield Tweet(
            id=_bitcoin_id(author, date, text, line) + suffix,
            text=text,
            created_at=ctx.created_at(iso_utc(date)),
            author=author or None,
            followers=followers,
            keywords=match(text),
            source=source,
        )


# ---------------------------------------------------------------- JSON-lines formats


def _convert_x_v2(obj: dict[str, Any], line: int, ctx: ParseContext) -> list[Tweet] | None:
    if obj.get("data") is None:
        if "errors" in obj:
            ctx.skipped.add(line, "an API error message, not a tweet")
        elif "meta" not in obj:  # an empty search page has only 'meta'
            ctx.skipped.add(line, "no 'data' object")
        return None
    tweets, problems = tweets_from_v2(obj, source=ctx.source, matcher=ctx.matcher)
    for problem in problems:
        ctx.skipped.add(line, problem)
    for tweet in tweets:
        tweet.id += ctx.id_suffix
        tweet.created_at = ctx.created_at(tweet.created_at)
    return tweets


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
    if not usable_text(text):
        ctx.skipped.add(line, text_problem(text))
        return None
    user = obj.get("user")
    if not isinstance(user, dict):
        user = {}
    followers = count(user.get("followers_count"))
    problem = followers_problem(followers)
    if problem is not None:
        ctx.skipped.add(line, problem)
        return None
    user_id = user.get("id_str")
    if not isinstance(user_id, str) and isinstance(user.get("id"), int):
        user_id = str(user["id"])
    return Tweet(
        id=tweet_id + ctx.id_suffix,
        text=text,
        created_at=ctx.created_at(twitter_time(obj.get("created_at"))),
        author=str_or_none(user.get("screen_name")),
        author_id=str_or_none(user_id),
        followers=followers,
        lang=str_or_none(obj.get("lang")),
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
    return json_lines(stream, ctx, _convert_x_v2)


def _parse_x_v1(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    return json_lines(stream, ctx, _convert_x_v1)


def _parse_jsonl(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    return json_lines(stream, ctx, _convert_jsonl)


def _parse_jetstream(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    from tweetpulse.sources.live_replay import convert_jetstream

    return json_lines(stream, ctx, convert_jetstream)


def _parse_mastodon(stream: Iterable[bytes], ctx: ParseContext) -> Iterator[Tweet]:
    from tweetpulse.sources.live_replay import convert_mastodon

    return json_lines(stream, ctx, convert_mastodon)


_PARSERS: dict[str, Callable[[Iterable[bytes], ParseContext], Iterator[Tweet]]] = {
    "kaggle-entity": _parse_kaggle_entity,
    "kaggle-bitcoin": _parse_kaggle_bitcoin,
    "x-v2-jsonl": _parse_x_v2,
    "x-v1-jsonl": _parse_x_v1,
    "jsonl": _parse_jsonl,
    "jetstream-jsonl": _parse_jetstream,  # what --record keeps of the Bluesky and Mastodon sources
    "mastodon-jsonl": _parse_mastodon,
}


def parse_stream(stream: Iterable[bytes], fmt: str, ctx: ParseContext) -> Iterator[Tweet]:
    """Tweets from an open binary stream in format ``fmt`` (bad rows go to ``ctx.skipped``)."""
    return _PARSERS[check_format(fmt)](stream, ctx)


def check_format(fmt: str) -> str:
    if fmt not in _PARSERS:
        raise ConfigError(f"unknown dataset format {fmt!r}; {FORMAT_HINT}")
    return fmt
