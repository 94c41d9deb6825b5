"""Bluesky, live and free: posts from a Jetstream relay (:mod:`~.jetstream`), follower counts from
the AppView (:mod:`~.profiles`). This module is the source's spec; it imports no client library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tweetpulse.options import Option
from tweetpulse.sources.base import SourceRequest, SourceSpec
from tweetpulse.sources.live import GIVE_UP_AFTER, LANG, RECORD

if TYPE_CHECKING:
    from tweetpulse.sources.bluesky.jetstream import BlueskySource


def open_bluesky(request: SourceRequest) -> BlueskySource:
    """Jetstream at ``url`` (default: a public relay), profiles from ``appview`` (default: Bluesky's)."""
    from tweetpulse.sources.bluesky.jetstream import DEFAULT_JETSTREAM, BlueskySource
    from tweetpulse.sources.bluesky.profiles import DEFAULT_APPVIEW

    options = request.options
    return BlueskySource(
        options.get("url") or DEFAULT_JETSTREAM,
        options.get("appview") or DEFAULT_APPVIEW,
        request.matcher,
        lang=options.get("lang", "en"),
        record_path=options.get("record_path"),
        duration=request.duration,
        on_status=request.on_status,
        give_up_after=options.get("give_up_after"),
    )


SOURCE = SourceSpec(
    "bluesky",
    "Bluesky via Jetstream",
    open_bluesky,
    options=(
        LANG,
        Option("--bluesky-url", "url", "a Jetstream /subscribe endpoint (default: a public one)", metavar="URL"),
        Option(
            "--bluesky-appview",
            "appview",
            "where follower counts come from (default: https://public.api.bsky.app)",
            metavar="URL",
        ),
        RECORD,
        GIVE_UP_AFTER,
    ),
    live=True,
    demo=True,
    replay_format="jetstream-jsonl",
)
