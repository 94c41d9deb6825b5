"""Keyword groups: which coins a tweet talks about.

A group is a name (``bitcoin``) and its terms (``bitcoin``, ``btc``, ``$btc``). Matching is
case-insensitive and on whole words:

* a bare term (``btc``) matches the word with or without a ``#``/``$`` prefix: ``BTC``, ``$BTC``,
  ``#btc``, ``btc's`` -- but not ``btcusd`` or ``abtc``;
* a term that starts with ``#`` or ``$`` (``$eth``) requires that prefix: ``$ETH`` but not ``eth``.

Terms are matched literally (a space in a term matches one space).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from tweetpulse.errors import ConfigError

DEFAULT_GROUPS: dict[str, tuple[str, ...]] = {
    "bitcoin": ("bitcoin", "btc", "#bitcoin", "$btc"),
    "ethereum": ("ethereum", "eth", "ether", "$eth"),
    "dogecoin": ("dogecoin", "doge", "$doge"),
}

PREFIXES = ("#", "$")
SPEC_FORM = "name=term,term;name=term, e.g. bitcoin=bitcoin,btc,$btc;ethereum=eth,ether"
FILE_FORM = 'a TOML [keywords] table (bitcoin = ["bitcoin", "btc"]) or a JSON object {"bitcoin": ["bitcoin", "btc"]}'


def _clean_term(term: object, group: str) -> str:
    if not isinstance(term, str):
        raise ConfigError(f"keyword group {group!r}: terms must be strings, got {term!r:.40}")
    cleaned = term.strip().lower()
    if not cleaned or cleaned in PREFIXES:
        raise ConfigError(f"keyword group {group!r}: empty term {term!r}; use words such as btc or $btc")
    return cleaned


def _clean_groups(groups: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    cleaned: dict[str, tuple[str, ...]] = {}
    for name, terms in groups.items():
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"keyword group names must be non-empty strings, got {name!r}")
        if isinstance(terms, str):
            raise ConfigError(f"keyword group {name!r}: expected a list of terms, got the string {terms!r:.40}")
        unique = tuple(dict.fromkeys(_clean_term(term, name) for term in terms))
        if not unique:
            raise ConfigError(f"keyword group {name!r} has no terms; give at least one, e.g. {name}=btc")
        cleaned[name.strip()] = unique
    return cleaned


def _build_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regex over lower-cased text; each word is whole and not glued to a word before it.

    Words are grouped by their first character so the regex engine can jump between candidate
    characters; the look-behind after that character checks the left word boundary.
    """
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rests in by_first.items():
        rests.sort(key=len, reverse=True)
        lead = re.escape(first)
        branches.append(f"{lead}(?<!\\w{lead})(?:{'|'.join(re.escape(rest) for rest in rests)})")
    return re.compile(f"(?:{'|'.join(branches)})(?!\\w)", re.DOTALL)


class KeywordMatcher:
    """Finds the keyword groups a text mentions; one precompiled regex for all terms."""

    __slots__ = ("_lookup", "_pattern", "_table", "groups", "names")

    def __init__(self, groups: Mapping[str, Iterable[str]] | None = None) -> None:
        self.groups = _clean_groups(DEFAULT_GROUPS if groups is None else groups)
        self.names: tuple[str, ...] = tuple(self.groups)
        # matched (lower-cased) string -> indexes of the groups it belongs to
        table: dict[str, set[int]] = {}
        for index, terms in enumerate(self.groups.values()):
            for term in terms:
                table.setdefault(term, set()).add(index)
                if term[0] not in PREFIXES:
                    for prefix in PREFIXES:  # a bare term also counts when written as a tag
                        table.setdefault(prefix + term, set()).add(index)
        bare_or_required = {term for terms in self.groups.values() for term in terms}
        self._pattern = _build_pattern(sorted(bare_or_required)) if bare_or_required else None
        self._table = {word: tuple(sorted(indexes)) for word, indexes in table.items()}
        self._lookup = {word: [self.names[i] for i in indexes] for word, indexes in self._table.items()}

    def match(self, text: str) -> list[str]:
        """Names of the groups ``text`` mentions, in group order (a new list each call)."""
        if self._pattern is None:
            return []
        found = self._pattern.findall(text.lower())
        if not found:
            return []
        if len(found) == 1:
            return self._lookup[found[0]].copy()
        indexes: set[int] = set()
        for word in found:
            indexes.update(self._table[word])
        return [self.names[i] for i in sorted(indexes)]

    def canonical(self, name: str) -> str | None:
        """The group called ``name`` (ignoring case), or None when there is no such group."""
        if name in self.groups:
            return name
        folded = name.casefold()
        for known in self.names:
            if known.casefold() == folded:
                return known
        return None

    def __repr__(self) -> str:
        return f"KeywordMatcher({self.groups!r})"


def parse_groups(spec: str) -> dict[str, tuple[str, ...]]:
    """Groups from the command-line form ``bitcoin=bitcoin,btc,$btc;ethereum=eth,ether``."""
    groups: dict[str, list[str]] = {}
    parts = [part.strip() for part in spec.split(";")]
    if not any(parts):
        raise ConfigError(f"empty keyword spec; expected {SPEC_FORM}")
    for part in parts:
        if not part:
            continue
        name, sep, terms = part.partition("=")
        name = name.strip()
        words = [word for word in (t.strip() for t in terms.split(",")) if word]
        if not sep or not name or not words:
            raise ConfigError(f"bad keyword group {part!r}; expected {SPEC_FORM}")
        if name in groups:
            raise ConfigError(f"keyword group {name!r} is given twice; expected {SPEC_FORM}")
        groups[name] = words
    return _clean_groups(groups)


def _groups_from_data(data: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{path}: no keyword groups found; expected {FILE_FORM}")
    for name, terms in data.items():
        if not isinstance(terms, list):
            raise ConfigError(f"{path}: group {name!r} must be a list of strings; expected {FILE_FORM}")
    return _clean_groups(data)


def load_groups(path: str | Path) -> dict[str, tuple[str, ...]]:
    """Groups from a config file: ``.toml`` (a ``[keywords]`` table) or ``.json`` (an object)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ConfigError(f"{path}: keyword files must end in .toml or .json; expected {FILE_FORM}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"can't read keyword file {path}: {exc.strerror}; check the path") from None
    try:
        data = tomllib.loads(raw.decode("utf-8")).get("keywords") if suffix == ".toml" else orjson.loads(raw)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, orjson.JSONDecodeError) as exc:
        raise ConfigError(f"{path} is not valid {suffix[1:].upper()} ({exc}); expected {FILE_FORM}") from None
    return _groups_from_data(data, path)


def resolve_groups(value: str) -> dict[str, tuple[str, ...]]:
    """A ``--keywords`` value: a ``.toml``/``.json`` file path, else the inline spec form."""
    if value.strip().lower().endswith((".toml", ".json")):
        return load_groups(value.strip())
    return parse_groups(value)
