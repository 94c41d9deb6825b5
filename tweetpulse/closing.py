"""``with`` support for anything that holds a connection, a file or a thread: one mixin, :class:`Closing`."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """``with thing:`` opens it (:meth:`open`: nothing unless the class connects eagerly) and closes it
    at the end, however the block ends (:meth:`close`, which the class defines)."""

    def open(self) -> None:
        return None

    def close(self) -> object:
        """Release what it holds; what it returns (a producer says how many messages it could not deliver)
        is the caller's business, not ``with``'s."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
