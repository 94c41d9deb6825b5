"""The sources on the command line, from the registry (:mod:`tweetpulse.sources`): ``--source`` and
each source's own options, added and read without naming a source."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.sources import DEFAULT_SOURCE, source_specs
from tweetpulse.sources.base import SourceRequest, SourceSpec


def add_source_args(
    p: argparse.ArgumentParser,
    which: Callable[[SourceSpec], bool] = lambda spec: True,
    help: str = "",
    default: str = DEFAULT_SOURCE,
) -> None:
    """``--source`` (the registered sources ``which`` keeps) and an option group per source with
    the options no earlier source added (options several sources share are added once)."""
    specs = [spec for spec in source_specs() if which(spec)]
    listed = "; ".join(f"{spec.name}: {spec.label}" for spec in specs)
    p.add_argument(
        "--source",
        choices=[spec.name for spec in specs],
        default=default,
        help=f"{help or 'where tweets come from'} ({listed}; default: %(default)s)",
    )
    added: set[str] = set()
    for spec in specs:
        new = [option for option in spec.options if option.flag not in added]
        if not new:
            continue
        group = p.add_argument_group(f"{spec.label} (--source {spec.name})")
        for option in new:
            option.add_to(group)
            added.add(option.flag)


def sources_line() -> str:
    """The registered sources in a few words, for the command list."""
    *rest, last = [spec.label for spec in source_specs()]
    return f"{', '.join(rest)} or {last}" if rest else last


def source_request(
    args: argparse.Namespace, matcher: KeywordMatcher, *, loop: bool = False, duration: float | None = None
) -> tuple[SourceSpec, SourceRequest]:
    """The chosen source's spec and its request from the parsed options; an option given that only
    other sources take is a one-line error rather than silently ignored."""
    parsed = vars(args)
    specs = source_specs()
    spec = next(spec for spec in specs if spec.name == args.source)
    own = {option.flag for option in spec.options}
    for flag, owners, unset in _others(specs, own):
        dest = flag.removeprefix("--").replace("-", "_")
        if dest in parsed and parsed[dest] != unset:
            raise ConfigError(f"{flag} is an option of --source {' or '.join(owners)}, not of --source {spec.name}")
    return spec, spec.request(matcher, loop=loop, duration=duration, **spec.options_from(parsed))


def _others(specs: Sequence[SourceSpec], own: set[str]) -> list[tuple[str, list[str], Any]]:
    """(flag, the sources that take it, its value when not given) for every option the chosen source lacks."""
    found: dict[str, tuple[list[str], Any]] = {}
    for spec in specs:
        for option in spec.options:
            if option.flag not in own:
                found.setdefault(option.flag, ([], option.unset))[0].append(spec.name)
    return [(flag, owners, default) for flag, (owners, default) in found.items()]
