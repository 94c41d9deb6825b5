"""Keyword groups → X query rules: one tagged rule per group, e.g. tag ``bitcoin`` =
``(bitcoin OR btc OR #bitcoin OR $btc) lang:en -is:retweet``, the same text as a recent-search query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import DEFAULT_GROUPS

MAX_RULE_LENGTH = 512  # the Basic/Pro limit for one rule or query

Groups = Mapping[str, Sequence[str]]


def groups_or_default(groups: Groups | None) -> dict[str, tuple[str, ...]]:
    """``groups`` as tuples of terms, or the default keyword groups (:mod:`tweetpulse.keywords`)."""
    return {name: tuple(terms) for name, terms in (groups if groups is not None else DEFAULT_GROUPS).items()}


def _quote(term: str) -> str:
    term = term.strip()
    if any(c.isspace() for c in term) and not (term.startswith('"') and term.endswith('"')):
        return '"' + term.replace('"', "") + '"'
    return term


def rule_value(terms: Sequence[str], *, lang: str | None = "en", include_retweets: bool = False) -> str:
    """The query for one keyword group: ``(bitcoin OR btc OR #bitcoin OR $btc) lang:en -is:retweet``."""
    seen: dict[str, str] = {}
    for term in terms:
        quoted = _quote(term)
        if quoted and quoted.lower() not in seen:
            seen[quoted.lower()] = quoted
    if not seen:
        raise ConfigError("a keyword group has no terms: give every group at least one keyword")
    parts = ["(" + " OR ".join(seen.values()) + ")"]
    if lang:
        parts.append(f"lang:{lang}")
    if not include_retweets:
        parts.append("-is:retweet")
    return " ".join(parts)


def build_rules(groups: Groups, *, lang: str | None = "en", include_retweets: bool = False) -> dict[str, str]:
    """``{tag: rule value}`` with one rule per keyword group (tag = group name)."""
    if not groups:
        raise ConfigError("no keyword groups: give at least one group of keywords to follow")
    rules = {}
    for tag, terms in groups.items():
        if not tag:
            raise ConfigError("a keyword group has an empty name")
        value = rule_value(terms, lang=lang, include_retweets=include_retweets)
        if len(value) > MAX_RULE_LENGTH:
            raise ConfigError(
                f"the X query for group {tag!r} is {len(value)} characters, over X's {MAX_RULE_LENGTH}: "
                "use fewer keywords in that group"
            )
        rules[tag] = value
    return rules
