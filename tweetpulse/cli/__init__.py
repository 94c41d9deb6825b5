"""``tweetpulse stream|listen|demo|dashboard|score|evaluate|train|prices|correlate``: the pipeline, by command.

:mod:`~.parser` builds the arguments (each source's own from the source registry, :mod:`~.sources`),
:mod:`~.commands` runs them; :func:`main` turns a :class:`~tweetpulse.errors.TweetpulseError` into one
line and exit code 2.
"""

from __future__ import annotations

import logging
import signal
import sys

from tweetpulse.cli.parser import build_parser
from tweetpulse.errors import TweetpulseError
from tweetpulse.secrets import redacting_handler

__all__ = ["build_parser", "main"]


def _terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # warnings (a source reconnecting, Kafka trouble) by default; -v adds progress (connected, rules, ...)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        handlers=[redacting_handler()],  # no log line shows a configured secret, whichever logger wrote it
    )
    signal.signal(signal.SIGTERM, _terminate)  # SIGTERM stops as cleanly as Ctrl-C
    try:
        return int(args.func(args))
    except TweetpulseError as exc:
        print(f"tweetpulse {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tweetpulse {args.command}: interrupted", file=sys.stderr)
        return 130
