"""X API v2 JSON → :class:`~tweetpulse.records.Tweet`: the one conversion the live X sources and the
``x-v2-jsonl`` replay share, so a recorded tweet replays to the record the live run produced.

The input is one v2 response object: a filtered-stream message (``data`` an object, with
``matching_rules``) or a search page (``data`` a list). Per tweet:

* ``id`` a non-empty string (or an integer), ``text`` a non-empty string of at most
  :data:`~tweetpulse.records.DEFAULT_MAX_TEXT` characters; otherwise the item is refused with a reason;
* ``author`` / ``followers`` from the ``includes.users`` entry whose id is the ``author_id``
  (``username``, ``public_metrics.followers_count``; a count may be an integral float or string; a
  count over 2**63 - 1 refuses the item);
* ``created_at`` as ISO-8601 UTC (None when missing or unreadable), ``lang`` (empty means None);
* ``keywords``: the keyword groups named by the ``matching_rules`` tags (ignoring case, in the
  matcher's order); without any, the groups the matcher finds in the text.

The request side asks for exactly the fields read here: :data:`EXPANSIONS`, :data:`TWEET_FIELDS`,
:data:`USER_FIELDS` (lists, as tweepy joins lists with commas).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet, usable_text
from tweetpulse.sources.base import check_record
from tweetpulse.sources.fields import count, followers_problem, id_or_none, iso_utc, str_or_none, text_problem

EXPANSIONS = ["author_id"]
TWEET_FIELDS = ["created_at", "lang"]
USER_FIELDS = ["public_metrics"]


class V2Tweets(NamedTuple):
    """The tweets of one response object and a reason for every ``data`` item that was refused."""

    tweets: list[Tweet]
    problems: list[str]


def tweets_from_v2(obj: Mapping[str, Any], *, source: str, matcher: KeywordMatcher) -> V2Tweets:
    """The records of one X API v2 response object (see the module docs); no ``data``, no records."""
    data = obj.get("data")
    if data is None:
        return V2Tweets([], [])
    users = _users(obj.get("includes"))
    tagged = _rule_groups(obj.get("matching_rules"), matcher)
    tweets: list[Tweet] = []
    problems: list[str] = []
    for item in data if isinstance(data, list) else (data,):
        if not isinstance(item, Mapping):
            problems.append("a 'data' element is not an object")
            continue
        tweet_id, text = id_or_none(item.get("id")), item.get("text")
        if tweet_id is None:
            problems.append("no tweet id")
            continue
        if not usable_text(text):
            problems.append(text_problem(text))
            continue
        author_id = id_or_none(item.get("author_id"))
        user = users.get(author_id) if author_id is not None else None
        author = followers = None
        if user is not None:
            author = str_or_none(user.get("username"))
            metrics = user.get("public_metrics")
            if isinstance(metrics, Mapping):
                followers = count(metrics.get("followers_count"))
        problem = followers_problem(followers)
        if problem is not None:
            problems.append(problem)
            continue
        tweet = Tweet(
            id=tweet_id,
            text=text,
            created_at=iso_utc(item.get("created_at")),
            author=author,
            author_id=author_id,
            followers=followers,
            lang=str_or_none(item.get("lang")),
            keywords=list(tagged) if tagged else matcher.match(text),
            source=source,
        )
        problem = check_record(tweet)  # every field redacted: an echoing proxy may quote the token anywhere
        if problem is not None:
            problems.append(problem)
            continue
        tweets.append(tweet)
    return V2Tweets(tweets, problems)


def _users(includes: object) -> dict[str, Mapping[str, Any]]:
    """``includes.users`` by id (the first of each id)."""
    users: dict[str, Mapping[str, Any]] = {}
    listed = includes.get("users") if isinstance(includes, Mapping) else None
    if isinstance(listed, list):
        for user in listed:
            user_id = id_or_none(user.get("id")) if isinstance(user, Mapping) else None
            if user_id is not None and user_id not in users:
                users[user_id] = user
    return users


def _rule_groups(rules: object, matcher: KeywordMatcher) -> list[str]:
    """The keyword groups the ``matching_rules`` tags name, in the matcher's order."""
    if not isinstance(rules, list):
        return []
    named = set()
    for rule in rules:
        tag = rule.get("tag") if isinstance(rule, Mapping) else None
        group = matcher.canonical(tag) if isinstance(tag, str) else None
        if group is not None:
            named.add(group)
    return [name for name in matcher.names if name in named]
