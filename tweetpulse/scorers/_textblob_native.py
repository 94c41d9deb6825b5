"""The optional compiled scoring core: TextBlob's tokenizer and sentiment walk in Rust (``native/``).

``make setup`` builds the crate in ``native/`` (PyO3, module ``tweetpulse_native``) when ``cargo``
is on PATH. :func:`native_core` hands it the tables of :func:`._textblob_tokens.tables` -- read from
TextBlob's own loader, never copied into the crate -- and returns its ``score(text)``, which equals
``tuple(TextBlob(text).sentiment)`` bit for bit, like the pure-Python :func:`.textblob._score`.

The pure-Python scorer is used instead (same results, slower) when

* the environment variable ``TWEETPULSE_PURE_PYTHON`` is ``1`` (read once, at import);
* the extension is not installed (no compiler, or its build failed: ``make setup`` says so);
* the installed TextBlob's regexes are not the ones the crate re-implements.

Python's own character semantics stay in charge: the crate asks Python (``str.isspace``,
``str.lower``) about each non-ASCII character the first time it meets it.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, NamedTuple, Protocol

from tweetpulse.scorers._textblob_data import textblob_modules
from tweetpulse.scorers._textblob_tokens import _EOS, _KNOWN_ABBR_PATTERNS, _QUOTE_PADDING, Tables, tables
from tweetpulse.scorers.base import MessageLike

__all__ = ["ENGINES", "PURE_PYTHON", "PURE_PYTHON_ENV", "NativeCore", "NativeEngine", "native_core"]

log = logging.getLogger(__name__)

PURE_PYTHON_ENV: Final = "TWEETPULSE_PURE_PYTHON"
PURE_PYTHON: Final = os.environ.get(PURE_PYTHON_ENV, "").strip() == "1"
ENGINES: Final = ("native", "python")

NativeScore = Callable[[str], tuple[float, float]]


# a ScoredTweet's fields in column order (tweetpulse.records.ScoredTweet), as the crate returns them
RowFields = tuple[Any, ...]


class NativeEngine(Protocol):
    """``tweetpulse_native.Engine`` (``native/src/lib.rs``): the TextBlob-exact walk, its bounded result
    cache, and a poll batch from message values to rows."""

    def score(self, text: str) -> tuple[float, float]: ...

    def sentiment(self, text: str) -> tuple[float, float]: ...

    def set_cache(self, capacity: int) -> None: ...

    def cache_info(self) -> tuple[int, int, int]: ...

    def rows(
        self, messages: Sequence[MessageLike], max_text: int, now: float, scorer: str, neutral_band: float
    ) -> list[RowFields | None]: ...


class NativeCore(NamedTuple):
    """The compiled ``score(text)`` and its engine, or ``None`` and why not (one line, says what to do)."""

    score: NativeScore | None
    reason: str
    engine: NativeEngine | None = None


def engine_arguments(tb: Tables) -> dict[str, Any]:
    """The keyword arguments of ``tweetpulse_native.Engine``, from TextBlob's tables.

    Raises ``ValueError`` when the installed TextBlob differs from what the crate re-implements.
    """
    tb_text = textblob_modules().text

    if tuple(rx.pattern for rx in tb.abbreviation_res) != _KNOWN_ABBR_PATTERNS:
        raise ValueError("TextBlob's abbreviation regexes changed")
    # RE_EMOTICONS is an alternation in the iteration order of TextBlob's emoticon sets (fixed
    # within a process); the crate tries the same alternatives in the same order.
    alternatives = [form for forms in tb_text.EMOTICONS.values() for form in forms]
    joined = "|".join(r" ?".join(re.escape(c) for c in form) for form in alternatives)
    rebuilt = f"({joined})" + r"($|\s)"
    if rebuilt != tb.re_emoticons.pattern or tb.re_emoticons.flags != re.UNICODE:
        raise ValueError("TextBlob's emoticon regex changed")
    if not all(form and not any(c.isspace() for c in form) for form in alternatives):
        raise ValueError("TextBlob's emoticons contain whitespace")
    if tb.re_sarcasm.pattern != r"\( ?\! ?\)":
        raise ValueError("TextBlob's sarcasm regex changed")
    # find_tokens applies the contractions with re.sub: the same as str.replace while the
    # patterns hold no regex syntax and the replacements no backslash.
    if not all(re.escape(old) == old and "\\" not in new for old, new in tb.replacements):
        raise ValueError("TextBlob's contraction patterns changed")
    if not all(c.isascii() for c in tb.lead_tuple):
        raise ValueError("TextBlob's punctuation is not ASCII")
    return {
        "lexicon": list(tb.lexicon.items()),
        "modifiers": sorted(tb.modifiers),
        "negations": sorted(tb.negations),
        "emoticons": list(tb.emoticons.items()),
        "rewrites": [*tb.replacements, *_QUOTE_PADDING, ("\r\n", "\n")],
        "contraction_keys": sorted(tb.replacement_keys),
        "lead": "".join(tb.lead_tuple),
        "abbreviations": sorted(tb.abbreviations),
        "end_of_sentence": _EOS,
        "emoticon_alternatives": alternatives,
    }


@functools.cache
def _arguments() -> dict[str, Any]:
    return engine_arguments(tables())


def native_core() -> NativeCore:
    """A fresh compiled scorer (each scorer gets its own), or why there is none."""
    if PURE_PYTHON:
        return NativeCore(None, f"{PURE_PYTHON_ENV}=1 is set")
    try:
        import tweetpulse_native
    except ImportError as exc:
        return NativeCore(None, f"the compiled core is not installed ({exc}): run make setup with cargo on PATH")
    try:
        engine = tweetpulse_native.Engine(**_arguments())
    except ValueError as exc:
        return NativeCore(None, f"the compiled core can't follow this TextBlob: {exc}")
    score: NativeScore = engine.score
    return NativeCore(score, "", engine)


@functools.cache
def note_fallback(reason: str) -> None:
    """Say once per process why the pure-Python scorer runs."""
    log.info("TextBlob scorer: pure Python (%s)", reason)
