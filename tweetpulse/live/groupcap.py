"""How many keyword groups get a series of their own: a bounded number, whatever the topic holds.

A record's ``keywords`` are names a source wrote; the workers and the page keep per-second
buckets per name. Without a bound, a topic whose records carry ever new names (a bug upstream, a
hostile producer) costs memory and time per name. :class:`GroupCap` gives the configured groups
their own series, then admits other names first come, first served up to ``limit`` series in all;
every name after that (and any name longer than :data:`MAX_GROUP_NAME` characters, or one that
clashes with ``overall``) is counted in the single series :data:`OTHER`.

The workers' :class:`~tweetpulse.live.aggregates.DeltaBuilder` and the page's
:class:`~tweetpulse.live.aggregates.Aggregator` each keep one. A worker knows only the default groups
(:data:`~tweetpulse.keywords.DEFAULT_GROUPS`), so other groups the page draws get their own series
there first come, first served like any name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tweetpulse.keywords import DEFAULT_GROUPS

OVERALL = "overall"
OTHER = "other"
MAX_GROUPS = 32  # series of named keyword groups, configured ones included (besides overall and other)
MAX_GROUP_NAME = 64


class GroupCap:
    """The series each keyword-group name is counted in (see the module docs). ``configured``
    defaults to the default keyword groups (the coins the page draws when told no others)."""

    __slots__ = ("_known", "limit")

    def __init__(self, configured: Iterable[str] = tuple(DEFAULT_GROUPS), limit: int = MAX_GROUPS) -> None:
        self.limit = limit
        self._known: dict[str, str] = {OVERALL: OTHER, OTHER: OTHER}
        for name in configured:
            if name != OVERALL:
                self._known[name] = name

    @property
    def admitted(self) -> list[str]:
        """The names with a series of their own (``other`` included), in the order admitted."""
        return list(dict.fromkeys(self._known.values()))

    def name(self, group: str) -> str:
        """The series ``group`` is counted in: its own, or :data:`OTHER`."""
        known = self._known.get(group)
        if known is not None:
            return known
        # _known holds overall and other (both counted in other), then one key per admitted name
        if len(self._known) - 2 < self.limit and 0 < len(group) <= MAX_GROUP_NAME:
            self._known[group] = group
            return group
        return OTHER

    def names(self, groups: Sequence[str]) -> tuple[str, ...]:
        """The series one tweet of ``groups`` counts in: ``overall`` first, each series once."""
        if not groups:
            return (OVERALL,)
        known = self._known
        if len(groups) == 1:
            return OVERALL, known.get(groups[0]) or self.name(groups[0])
        out = [OVERALL]
        for group in groups:
            name = known.get(group) or self.name(group)
            if name not in out:
                out.append(name)
        return tuple(out)
