"""What both live X sources share, on top of :class:`~tweetpulse.sources.live.LiveSource` (the connection
state every live source reports the same way): the token, the rules' groups, the API base, a repr that
masks the token, and waits cut short by ``--duration``."""

from __future__ import annotations

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.secrets import mask_token
from tweetpulse.sources.live import Deadline, LiveSource, LiveState, StatusCallback
from tweetpulse.sources.x.credentials import register_token
from tweetpulse.sources.x.rules import Groups, groups_or_default
from tweetpulse.sources.x.session import API_BASE

__all__ = ["StatusCallback", "XSourceBase", "secs"]


def secs(seconds: float) -> str:
    """A wait for a message: ``5s``, ``0s``, ``0.25s``."""
    return f"{seconds:.0f}s" if seconds >= 1 or seconds == 0 else f"{seconds:.2g}s"


class XSourceBase(LiveSource):
    """What both X sources share: the common constructor part and the repr. ``name`` (``x:stream`` or
    ``x:poll``) comes from the class; the connection state is :attr:`live`, read through
    :attr:`state`, :attr:`retries`, :attr:`last_error`, :attr:`retry_in` and :attr:`tweets_received`."""

    _token: str
    api_base: str
    groups: dict[str, tuple[str, ...]]
    matcher: KeywordMatcher
    _deadline: Deadline

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(token={mask_token(self._token)}, api_base={self.api_base!r}, "
            f"groups={list(self.groups)}, state={self.state!r})"
        )

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
        self.init_live(LiveState(self.name, on_status, where=self.api_base))

    def _until_deadline(self, seconds: float) -> float:
        """``seconds``, cut short so that a wait never outlasts the source's ``duration``."""
        return max(0.0, min(seconds, self._deadline.left()))

    @property
    def tweets_received(self) -> int:
        return self.live.produced

    @tweets_received.setter
    def tweets_received(self, value: int) -> None:
        self.live.produced = value
