"""Live tweets from X API v2 recent search, polled (``--x-mode poll``, source ``"x:poll"``).

``GET /2/tweets/search/recent`` (Basic access level) with the query of each keyword group
(:mod:`tweetpulse.sources.x.rules`) every ``interval`` seconds, remembering the newest id per group
(``since_id``) and following ``next_token`` pages. Keywords are the groups whose query returned the
tweet. ``record_path`` appends each response page to a JSONL file, which replays as format
``x-v2-jsonl`` (a page has ``"data": [...]``, a list, and no ``matching_rules``).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import requests
import tweepy

from tweetpulse.errors import ConfigError, SourceError
from tweetpulse.records import Tweet
from tweetpulse.sources.recorder import Recorder
from tweetpulse.sources.x import DEFAULT_POLL_INTERVAL
from tweetpulse.sources.x.base import StatusCallback, XSourceBase, secs
from tweetpulse.sources.x.credentials import require_token
from tweetpulse.sources.x.http_errors import describe, explain_http_error, http_error, is_usage_cap
from tweetpulse.sources.x.rules import Groups, build_rules
from tweetpulse.sources.x.session import RebasedSession, json_or_none, short
from tweetpulse.sources.x.v2 import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, tweets_from_v2

log = logging.getLogger(__name__)


class XPollSource(XSourceBase):
    """Tweets from X API v2 recent search, polled.

    Each poll runs one query per group, newest first from the group's last ``since_id``,
    following ``next_token`` for up to ``max_pages`` pages (the first poll starts from the
    newest ``max_pages * max_results`` tweets of the last 7 days), then yields the new tweets
    oldest first, each once, keywords = the groups whose query returned it. Rate limits wait
    until ``x-rate-limit-reset`` (+ ``rate_limit_margin``); 5xx and network errors back off
    5 s, 10 s … 320 s; ``close()`` interrupts any wait. ``max_polls`` ends iteration after that
    many polls (default: poll until closed).
    """

    _mode = "poll"
    name = "x:poll"

    def __init__(
        self,
        bearer_token: str,
        groups: Groups | None = None,
        include_retweets: bool = False,
        api_base: str | None = None,
        record_path: str | os.PathLike[str] | None = None,
        *,
        lang: str | None = "en",
        interval: float = DEFAULT_POLL_INTERVAL,
        max_results: int = 100,
        max_pages: int = 5,
        max_polls: int | None = None,
        max_retries: float = math.inf,
        rate_limit_margin: float = 1.0,
        backoff_scale: float = 1.0,
        on_status: StatusCallback | None = None,
        timeout: float = 30.0,
        duration: float | None = None,
    ) -> None:
        require_token(bearer_token)
        if not 10 <= max_results <= 100:
            raise ConfigError(f"max_results must be between 10 and 100 (X's limits), not {max_results}")
        self._init_common(bearer_token, groups, api_base, on_status, duration)
        self.queries = build_rules(self.groups, lang=lang, include_retweets=include_retweets)
        self.interval = interval
        self.max_results = max_results
        self.max_pages = max(1, max_pages)
        self.max_polls = max_polls
        self.max_retries = max_retries
        self.rate_limit_margin = rate_limit_margin
        self.backoff_scale = backoff_scale
        self.timeout = timeout
        self.since_ids: dict[str, str] = {}
        self.polls = 0
        self.pages = 0
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._recorder = Recorder(record_path) if record_path is not None else None
        self._client = tweepy.Client(bearer_token, return_type=requests.Response, wait_on_rate_limit=False)
        self._client.session.close()
        self._client.session = RebasedSession(api_base, timeout)
        self._stop = threading.Event()
        self._closed = False

    def __iter__(self) -> Iterator[Tweet]:
        if self._closed:
            raise SourceError("this X poll source is closed: create a new one")
        self._set_state("connecting")
        try:
            while not self._stop.is_set() and not self._deadline.passed():
                yield from self.poll_once()
                self.polls += 1
                if self.max_polls is not None and self.polls >= self.max_polls:
                    break
                self._stop.wait(self._until_deadline(self.interval))
        except SourceError as exc:
            log.debug("%s", exc)
            self._set_state("disconnected", error=str(exc))
            raise
        finally:
            self.close()

    def close(self) -> None:
        """Stop polling (interrupts a wait), close the HTTP session and the record file."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._client.session.close()
        if self._recorder is not None:
            self._recorder.close()
        if self.state != "disconnected":
            self._set_state("disconnected")

    def poll_once(self) -> list[Tweet]:
        """Run every group's query once; the new tweets, oldest first."""
        found: dict[str, Tweet] = {}
        for group, query in self.queries.items():
            for tweet in self._search(group, query):
                known = found.get(tweet.id)
                if known is None:
                    tweet.keywords = [group]
                    found[tweet.id] = tweet
                elif group not in known.keywords:
                    known.keywords.append(group)
        fresh = []
        for tweet in sorted(found.values(), key=lambda t: (len(t.id), t.id)):
            if tweet.id in self._seen:
                continue
            self._seen[tweet.id] = None
            fresh.append(tweet)
        while len(self._seen) > 50_000:
            self._seen.popitem(last=False)
        self.tweets_received += len(fresh)
        return fresh

    def _search(self, group: str, query: str) -> list[Tweet]:
        since_id = self.since_ids.get(group)
        newest: str | None = None
        next_token: str | None = None
        tweets: list[Tweet] = []
        for page_no in range(self.max_pages):
            params: dict[str, Any] = {
                "max_results": self.max_results,
                "expansions": EXPANSIONS,
                "tweet_fields": TWEET_FIELDS,
                "user_fields": USER_FIELDS,
            }
            if since_id:
                params["since_id"] = since_id
            if next_token:
                params["next_token"] = next_token
            response = self._call(query, params)
            if response is None:  # closed, or out of time, while waiting
                break
            self.pages += 1
            raw = response.content
            if self._recorder is not None:
                self._recorder.write(raw)
            obj = json_or_none(raw)
            if not isinstance(obj, dict):
                self.skipped.add(self.pages, "search page is not a JSON object")
                break
            meta_obj = obj.get("meta")
            meta: dict[str, Any] = meta_obj if isinstance(meta_obj, dict) else {}
            if page_no == 0 and isinstance(meta.get("newest_id"), str):
                newest = meta["newest_id"]
            page, problems = tweets_from_v2(obj, source=self.name, matcher=self.matcher)
            for problem in problems:
                self.skipped.add(self.pages, problem)
            tweets.extend(page)
            token = meta.get("next_token")
            next_token = token if isinstance(token, str) and token else None
            if next_token is None:
                break
        else:
            if next_token is not None:
                log.info("%s: more than %d pages of new tweets, older ones skipped", group, self.max_pages)
        if newest is not None:
            self.since_ids[group] = newest
        return tweets

    def _call(self, query: str, params: dict[str, Any]) -> requests.Response | None:
        failures = 0
        wait = 5.0
        while not self._stop.is_set() and not self._deadline.passed():
            try:
                response: requests.Response = self._client.search_recent_tweets(query, **params)
            except tweepy.TooManyRequests as exc:
                body = json_or_none(exc.response.content)
                if is_usage_cap(body):
                    raise http_error(exc, "recent search") from None
                reset = exc.reset_time
                delay = max(reset - time.time(), 0.0) + self.rate_limit_margin if reset else 60.0
                cause = explain_http_error(429, body, "recent search")
            except (tweepy.Unauthorized, tweepy.Forbidden, tweepy.BadRequest, tweepy.NotFound) as exc:
                raise http_error(exc, "recent search") from None
            except tweepy.HTTPException as exc:  # 5xx and the like
                body = json_or_none(exc.response.content)
                cause = f"X answered recent search with {describe(exc.response.status_code, body)}"
                delay, wait = wait, min(wait * 2, 320.0)
            except requests.RequestException as exc:
                cause = f"cannot reach the X API at {self.api_base} ({short(exc)})"
                delay, wait = wait, min(wait * 2, 320.0)
            else:
                if self.state != "connected":
                    self._set_state("connected")
                return response
            failures += 1
            if failures > self.max_retries:
                raise SourceError(f"X recent search gave up after {failures - 1} retries (last: {cause})")
            self.retries += 1
            message = f"{cause}, retrying in {secs(delay)}"
            log.warning("%s", message)
            self._set_state("retrying", error=message, retry_in=delay)
            self._stop.wait(self._until_deadline(delay * self.backoff_scale))
        return None
