"""Replaying what ``--record`` kept from the live sources: ``jetstream-jsonl`` (one Jetstream event
per line) and ``mastodon-jsonl`` (one Mastodon status per line), for :mod:`tweetpulse.sources.replay`.

Records come out as the live source made them, except ``source`` (``replay:<format>``) and, for
Bluesky, ``followers`` and ``author``: they came from the AppView, not the event, so a replay has
``followers: null``. Non-post events and boosts are passed over; broken lines are skipped rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tweetpulse.records import Tweet

if TYPE_CHECKING:
    from tweetpulse.sources.lines import ParseContext


def _finish(tweet: Tweet, ctx: ParseContext) -> Tweet:
    tweet.id += ctx.id_suffix
    tweet.created_at = ctx.created_at(tweet.created_at)
    return tweet


def convert_jetstream(obj: dict[str, Any], line: int, ctx: ParseContext) -> Tweet | None:
    from tweetpulse.sources.bluesky.events import post_from_event

    parsed = post_from_event(obj, ctx.matcher, ctx.source)
    if parsed.kind == "bad":
        ctx.skipped.add(line, parsed.detail)
    return None if parsed.tweet is None else _finish(parsed.tweet, ctx)


def convert_mastodon(obj: dict[str, Any], line: int, ctx: ParseContext) -> Tweet | None:
    from tweetpulse.sources.mastodon.source import status_to_tweet

    tweet = status_to_tweet(obj, ctx.matcher, ctx.source)
    if isinstance(tweet, str):
        if tweet != "boost":
            ctx.skipped.add(line, tweet)
        return None
    return _finish(tweet, ctx)


def live_kind(obj: dict[str, Any]) -> str | None:
    """The live format a decoded line belongs to, if any."""
    if "did" in obj and "time_us" in obj and "kind" in obj:
        return "jetstream-jsonl"
    if "uri" in obj and "content" in obj and "account" in obj:
        return "mastodon-jsonl"
    return None
