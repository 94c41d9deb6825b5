"""What every source shares: the iterator protocol and the report of rows it had to skip."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from tweetpulse.models import Tweet, fit_record
from tweetpulse.sources.secrets import redact, redact_record


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
    field redacted (:func:`~tweetpulse.sources.secrets.redact_record`), an unknown follower count
    made None (:func:`~tweetpulse.models.fit_record`); the reason when the record is one the
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


class TweetSource(Protocol):
    """A source of tweets. Iterating yields records; ``skipped`` says what was set aside;
    ``close()`` (safe to call twice) ends an iteration under way and releases what the source holds
    (files, connections, threads)."""

    name: str
    skipped: SkippedRows

    def __iter__(self) -> Iterator[Tweet]: ...

    def close(self) -> None: ...
