"""What both live X sources share: the connection state, its :class:`XStatus` snapshot and the
``on_status`` callback, a repr that masks the token, and use as a context manager."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.sources._live import Deadline
from tweetpulse.sources.base import SkippedRows
from tweetpulse.sources.secrets import mask_token, redact
from tweetpulse.sources.x.credentials import register_token
from tweetpulse.sources.x.rules import Groups, groups_or_default
from tweetpulse.sources.x.session import API_BASE

log = logging.getLogger(__name__)

StatusCallback = Callable[["XStatus"], None]


def secs(seconds: float) -> str:
    """A wait for a message: ``5s``, ``0s``, ``0.25s``."""
    return f"{seconds:.0f}s" if seconds >= 1 or seconds == 0 else f"{seconds:.2g}s"


@dataclass(frozen=True)
class XStatus:
    """A snapshot of a source's connection state (what ``on_status`` receives)."""

    mode: str
    state: str
    retries: int
    last_error: str | None
    retry_in: float | None
    tweets: int
    skipped: int

    def __str__(self) -> str:
        text = f"x {self.mode}: {self.state}, {self.tweets} tweets, {self.retries} retries"
        if self.last_error:
            text += f" (last: {self.last_error})"
        return text


class XSourceBase:
    """What both sources share: the common constructor part, repr, context manager and state.

    ``_mode`` and ``name`` come from the class.
    """

    _mode: str
    name: str
    skipped: SkippedRows
    state: str
    retries: int
    last_error: str | None
    retry_in: float | None
    tweets_received: int
    on_status: StatusCallback | None
    _deadline: Deadline

    _token: str
    api_base: str
    groups: dict[str, tuple[str, ...]]
    matcher: KeywordMatcher

    def close(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(token={mask_token(self._token)}, api_base={self.api_base!r}, "
            f"groups={list(self.groups)}, state={self.state!r})"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _init_common(
        self,
        bearer_token: str,
        groups: Groups | None,
        api_base: str | None,
        on_status: StatusCallback | None,
        duration: float | None = None,
    ) -> None:
        """The setup both constructors share (after :func:`require_token` and their own checks)."""
        self._deadline = Deadline(duration)  # iteration ends then, whatever X answers meanwhile
        register_token(bearer_token)
        self._token = bearer_token
        self.groups = groups_or_default(groups)
        self.matcher = KeywordMatcher(self.groups)
        self.api_base = (api_base or API_BASE).rstrip("/")
        self.skipped = SkippedRows()
        self.state = "disconnected"
        self.retries = 0
        self.last_error = None
        self.retry_in = None
        self.tweets_received = 0
        self.on_status = on_status

    def _until_deadline(self, seconds: float) -> float:
        """``seconds``, cut short so that a wait never outlasts the source's ``duration``."""
        return max(0.0, min(seconds, self._deadline.left()))

    def status(self) -> XStatus:
        """A snapshot of the connection state."""
        return XStatus(
            mode=self._mode,
            state=self.state,
            retries=self.retries,
            last_error=self.last_error,
            retry_in=self.retry_in,
            tweets=self.tweets_received,
            skipped=self.skipped.count,
        )

    def _set_state(self, state: str, *, error: str | None = None, retry_in: float | None = None) -> None:
        self.state = state
        if error is not None:
            self.last_error = redact(error)
        self.retry_in = retry_in
        if self.on_status is not None:
            try:
                self.on_status(self.status())
            except Exception:
                log.exception("the on_status callback failed (ignored)")
