"""Jetstream events read as records: :func:`post_from_event` (shared by the live Bluesky source and
the ``jetstream-jsonl`` replay) and the ``/subscribe`` URL (:func:`subscribe_url`)."""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlencode

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet

POST = "app.bsky.feed.post"
MAX_TEXT = 10_000


class Parsed(NamedTuple):
    """One event read: a post's record (``tweet``), or why there is none (``kind``)."""

    tweet: Tweet | None
    kind: str  # post | ignored | identity | bad
    detail: str = ""


def _iso(value: object) -> str | None:
    from tweetpulse.sources.fields import iso_utc

    return iso_utc(value)


def post_from_event(event: Any, matcher: KeywordMatcher, source: str = "bluesky") -> Parsed:
    """The record of a Jetstream event when it creates a post (``keywords`` from ``matcher``)."""
    if not isinstance(event, dict):
        return Parsed(None, "bad", "not a JSON object")
    kind = event.get("kind")
    if kind != "commit":
        return Parsed(None, "identity" if kind == "identity" else "ignored")
    commit = event.get("commit")
    if not isinstance(commit, dict):
        return Parsed(None, "bad", "commit event without a commit object")
    if commit.get("operation") != "create" or commit.get("collection") != POST:
        return Parsed(None, "ignored")
    did, rkey, record = event.get("did"), commit.get("rkey"), commit.get("record")
    if not isinstance(did, str) or not did or not isinstance(rkey, str) or not rkey:
        return Parsed(None, "bad", "post without did/rkey")
    if not isinstance(record, dict):
        return Parsed(None, "bad", "post without a record")
    text = record.get("text")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return Parsed(None, "bad", "post without a usable text")
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    tags = record.get("tags")
    extra = " ".join("#" + t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ""
    keywords = matcher.match(f"{text} {extra}" if extra else text)
    return Parsed(
        Tweet(
            id=f"at://{did}/{POST}/{rkey}",
            text=text,
            created_at=_iso(record.get("createdAt")),
            author=None,
            author_id=did,
            followers=None,
            lang=lang,
            keywords=keywords,
            source=source,
        ),
        "post",
    )


def subscribe_url(base: str, cursor_us: int | None = None) -> str:
    """The ``/subscribe`` URL for posts, resuming at ``cursor_us`` when given."""
    params = [("wantedCollections", POST)]
    if cursor_us is not None:
        params.append(("cursor", str(cursor_us)))
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"
