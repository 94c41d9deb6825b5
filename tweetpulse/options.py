"""Command-line values: the types that check them (one line that says what is wrong) and
:class:`Option`, an option a part of the package declares for the CLI to add.

A source declares its own options this way (see :class:`tweetpulse.sources.base.SourceSpec`), so
the CLI can offer them without naming the source.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    value = whole_number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value}")
    return value


def count(text: str) -> int:
    """A count that may be zero (follower counts): ``ln(followers + 1)`` needs it ≥ 0."""
    value = whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a count of 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def port_number(text: str) -> int:
    value = whole_number(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class Option:
    """One command-line option: ``flag`` on the command line, ``key`` where its value goes (the
    keyword a source's request carries). ``switch`` is an on/off flag that takes no value."""

    flag: str
    key: str
    help: str
    type: Callable[[str], Any] | None = None
    default: Any = None
    choices: tuple[str, ...] | None = None
    metavar: str | None = None
    switch: bool = False

    @property
    def unset(self) -> Any:
        """The parsed value when the option is not given."""
        return False if self.switch else self.default

    @property
    def dest(self) -> str:
        """The attribute argparse stores the value under."""
        return self.flag.removeprefix("--").replace("-", "_")

    def add_to(self, group: argparse._ActionsContainer, help: str | None = None) -> None:
        """Add this option to an argparse parser or group (``help`` overrides the option's own)."""
        text = self.help if help is None else help
        if self.switch:
            group.add_argument(self.flag, dest=self.dest, action="store_true", help=text)
            return
        typed: dict[str, Any] = {} if self.type is None else {"type": self.type}
        group.add_argument(
            self.flag,
            dest=self.dest,
            default=self.default,
            choices=self.choices,
            metavar=self.metavar,
            help=text,
            **typed,
        )
