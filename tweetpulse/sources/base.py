"""What every source shares: the iterator protocol, the report of rows it had to skip, what is asked
of a source (:class:`SourceRequest`) and how a source presents itself to the CLI, the demo and the
notebooks (:class:`SourceSpec`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.options import Option
from tweetpulse.records import Tweet, fit_record, redact_record
from tweetpulse.secrets import redact


@dataclass
class SkippedRows:
    """Rows a source could not read: counted, with line numbers and reasons, reported at the end."""

    count: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)
    max_examples: int = 50

    def add(self, line: int, reason: str) -> None:
        self.count += 1
        if len(self.examples) < self.max_examples:
            self.examples.append((line, reason))

    def report(self, name: str = "dataset") -> str:
        """A human summary, e.g. ``3 rows skipped in tweets.csv: line 4 (bad JSON), ...``."""
        if not self.count:
            return f"no rows skipped in {name}"
        shown = ", ".join(f"line {line} ({reason})" for line, reason in self.examples)
        more = "" if self.count <= len(self.examples) else f", and {self.count - len(self.examples)} more"
        return redact(f"{self.count} row(s) skipped in {name}: {shown}{more}")


def check_record(tweet: Tweet) -> str | None:
    """The record rule, applied at the source (every source's records pass here): every string
    field redacted (:func:`~tweetpulse.records.redact_record`), an unknown follower count
    made None (:func:`~tweetpulse.records.fit_record`); the reason when the record is one the
    listener would dead-letter (no usable id or text), else None."""
    return fit_record(redact_record(tweet))


def conform(tweet: Tweet, skipped: SkippedRows, where: int) -> Tweet | None:
    """``tweet`` after :func:`check_record`, or None when it breaks the rule: then it is counted
    in ``skipped`` (at ``where``, a line or event number) instead of produced."""
    problem = check_record(tweet)
    if problem is None:
        return tweet
    skipped.add(where, problem)
    return None


@runtime_checkable
class TweetSource(Protocol):
    """A source of tweets. Iterating yields records; ``skipped`` says what was set aside;
    ``close()`` (safe to call twice) ends an iteration under way and releases what the source holds
    (files, connections, threads)."""

    name: str
    skipped: SkippedRows

    def __iter__(self) -> Iterator[Tweet]: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """What is asked of a source. ``options`` are the source's own (its :attr:`SourceSpec.options`,
    by key); the rest every source may use: ``loop`` (a file source starts over), ``duration`` (a live
    source's waits end with the run), ``on_status`` (a live source reports its connection state)."""

    name: str
    matcher: KeywordMatcher | None = None
    loop: bool = False
    duration: float | None = None
    on_status: Callable[[Any], None] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def groups(self) -> dict[str, tuple[str, ...]] | None:
        """The keyword groups of ``matcher`` (a live service is asked for these), or None."""
        return None if self.matcher is None else dict(self.matcher.groups)


SourceOpener = Callable[[SourceRequest], TweetSource]


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source as the CLI, the demo and the notebooks see it; each source module exports one.

    ``open`` builds the source from a request (it imports the client libraries it needs, so loading
    a spec costs none); ``options`` are its command-line options; ``live`` sources talk to a service
    (``--record`` and ``--duration`` apply); ``demo`` ones can feed ``tweetpulse demo`` with no
    account or file; ``replay_format`` is the ``--format`` that replays what ``--record`` wrote.
    """

    name: str
    label: str
    open: SourceOpener
    options: tuple[Option, ...] = ()
    live: bool = False
    demo: bool = False
    replay_format: str | None = None

    def request(
        self,
        matcher: KeywordMatcher | None = None,
        *,
        loop: bool = False,
        duration: float | None = None,
        on_status: Callable[[Any], None] | None = None,
        **options: Any,
    ) -> SourceRequest:
        """A request for this source; an option it does not have is a one-line error."""
        keys = {option.key for option in self.options}
        unknown = sorted(set(options) - keys)
        if unknown and not keys:
            names = ", ".join(unknown)
            raise ConfigError(f"--source {self.name} takes no options ({names}): drop them or pick another source")
        if unknown:
            raise ConfigError(f"--source {self.name} has no option {', '.join(unknown)}: see tweetpulse stream --help")
        return SourceRequest(self.name, matcher, loop, duration, on_status, options)

    def options_from(self, parsed: Mapping[str, Any]) -> dict[str, Any]:
        """This source's options, by key, from parsed command-line values (argparse's ``vars(args)``)."""
        return {option.key: parsed[option.dest] for option in self.options if option.dest in parsed}
