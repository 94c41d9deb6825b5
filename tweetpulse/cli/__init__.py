"""The ``tweetpulse`` command: :func:`main` parses the arguments and runs a subcommand."""

from tweetpulse.cli.commands import main

__all__ = ["main"]
