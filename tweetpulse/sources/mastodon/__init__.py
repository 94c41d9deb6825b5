"""Mastodon, live and free: public statuses by hashtag (:mod:`~.source`) over a WebSocket, server-sent
events or polling (:mod:`~.feeds`). This module is the source's spec; it imports no client library."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tweetpulse.options import Option
from tweetpulse.sources.base import SourceRequest, SourceSpec
from tweetpulse.sources.live import GIVE_UP_AFTER, LANG, POLL_INTERVAL, RECORD

if TYPE_CHECKING:
    from tweetpulse.sources.mastodon.source import MastodonSource

TOKEN_ENV = "MASTODON_ACCESS_TOKEN"
TRANSPORTS = ("websocket", "sse", "poll")


def open_mastodon(request: SourceRequest) -> MastodonSource:
    """The instance's tag feeds; the token (optional) from ``MASTODON_ACCESS_TOKEN``."""
    from tweetpulse.sources.mastodon.source import DEFAULT_INSTANCE, MastodonSource

    options = request.options
    token = os.environ.get(TOKEN_ENV, "").strip() or None
    return MastodonSource(
        options.get("instance") or DEFAULT_INSTANCE,
        token,
        request.matcher,
        transport=options.get("transport"),
        groups=request.groups,
        lang=options.get("lang", "en"),
        record_path=options.get("record_path"),
        duration=request.duration,
        poll_interval=options.get("poll_interval", POLL_INTERVAL.default),
        on_status=request.on_status,
        give_up_after=options.get("give_up_after"),
    )


SOURCE = SourceSpec(
    "mastodon",
    "Mastodon hashtags",
    open_mastodon,
    options=(
        LANG,
        Option(
            "--mastodon-instance", "instance", "the Mastodon server (default: https://mastodon.social)", metavar="URL"
        ),
        Option(
            "--mastodon-transport",
            "transport",
            "default: websocket with MASTODON_ACCESS_TOKEN set, else poll the public tag timelines",
            choices=TRANSPORTS,
        ),
        POLL_INTERVAL,
        RECORD,
        GIVE_UP_AFTER,
    ),
    live=True,
    demo=True,
    replay_format="mastodon-jsonl",
)
