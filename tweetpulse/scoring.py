"""Fast, bit-exact re-implementation of ``TextBlob(text).sentiment``.

TextBlob's default analyzer (``PatternAnalyzer``) runs pattern's
``Sentiment.__call__`` on the raw string: it tokenizes with ``find_tokens``
(contraction/quote padding, paragraph breaks, punctuation splitting, sentence
split, sarcasm and emoticon regexes), lower-cases every token, walks the
tokens once to build a list of *assessments* (known words, optionally
intensified by a preceding adverb, negated by a preceding "no"/"not"/"never",
boosted by "!", plus emoticons and the "(!)" irony mark) and finally averages
polarity and subjectivity over the assessments.  Per call it also creates a
fresh ``namedtuple`` class, goes through ``lazydict`` Python-level lookups
and rescans the whole emoticon table for most non-alphabetic tokens.

:class:`Scorer` runs the same algorithm with the same floating-point
operations in the same order, so its results are identical (``==`` and
bit-for-bit) to TextBlob's, but it

* reads the lexicon once, through TextBlob's own loader, into plain dicts;
* splits punctuation off tokens with one precompiled regex (``findall``),
  running TextBlob's own loop only on chunks whose trailing punctuation holds
  a period next to another mark ("wow...", "etc.)", "U.S..");
* only rebuilds TextBlob's sentence structure (and runs its sarcasm and
  emoticon regexes) when the text contains something those can rewrite;
* lower-cases the whole token string once, finds the words that can matter
  (lexicon words, negations, "!", "(!)", emoticons) in C and walks the other
  words only while an intensifier or negation is pending;
* optionally caches results of repeated texts (retweets).

Details of TextBlob's algorithm that the re-implementation keeps:

* every ASCII apostrophe is padded with spaces *after* the contraction
  rewrite, so "don't" becomes the tokens "do", "n", "'", "t": contractions
  never negate, only "no", "not" and "never" do;
* leading punctuation (except ".") is split off one character at a time, so
  ":D" is first split into ":" and "D" and only re-joined by the per-sentence
  emoticon regex -- which also joins spaced-out emoticons (": )" -> ":)"), but
  never across sentence boundaries ("a :\n\nD" scores 0);
* an intensifier keeps applying across words of at most two characters, so in
  "very :) good" the word "good" overwrites the ":)" assessment;
* "!" multiplies the previous assessment's polarity by 1.25 (clamped to 1);
* the emoticon test ``w not in PUNCTUATION`` is a substring test and
  ``w.isalpha() is False`` rules out "xd", so "XD" never counts;
* averages start from the integer 0 and add left to right (not ``sum()``,
  which uses compensated summation for floats from Python 3.12 on).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from typing import Final, NamedTuple

__all__ = ["Scorer", "textblob_sentiment", "weight"]

# TextBlob's sentence-boundary marker, substituted for paragraph breaks.
_EOS: Final = "END-OF-SENTENCE"
# Tokens that may end a sentence, and tokens absorbed into a sentence's end.
_BOUNDARY: Final = frozenset(("...", ".", "!", "?", _EOS))
_CLOSERS: Final = frozenset(
    ("'", '"', "\u201d", "\u2019", "...", ".", "!", "?", ")", _EOS)
)
_QUOTES: Final = ("'", '"')
_RE_LINEBREAK: Final = re.compile(r"\n{2,}")
# Unicode and ASCII quotes are padded with spaces (in this order).
_QUOTE_PADDING: Final = (
    ("\u201c", " \u201c "),
    ("\u201d", " \u201d "),
    ("\u2018", " \u2018 "),
    ("\u2019", " \u2019 "),
    ("'", " ' "),
    ('"', ' " '),
)
# The abbreviation regexes of textblob._text this module knows how to inline
# into its tokenizer regex.  If TextBlob ever changes them, the regex fast
# path is disabled and the verbatim per-token loop is used for everything.
_KNOWN_ABBR_PATTERNS: Final = (
    r"^[A-Za-z]\.$",
    r"^([A-Za-z]\.)+$",
    r"^[A-Z][b|c|d|f|g|h|j|k|l|m|n|p|q|r|s|t|v|w|x|z]+.$",
)


class _Tables(NamedTuple):
    """Everything the scorer needs, derived once from the installed TextBlob."""

    lexicon: dict[str, tuple[float, float, float]]
    modifiers: frozenset[str]
    negations: frozenset[str]
    emoticons: dict[str, float]
    # Lexicon words plus the unknown words with an effect of their own:
    # negations, "!", "(!)" and emoticons.
    interesting: frozenset[str]
    replacements: tuple[tuple[str, str], ...]
    replacement_keys: frozenset[str]
    lead: frozenset[str]
    lead_tuple: tuple[str, ...]
    trail: frozenset[str]
    trail_tuple: tuple[str, ...]
    abbreviations: frozenset[str]
    abbreviation_res: tuple[re.Pattern[str], ...]
    re_token: re.Pattern[str] | None
    re_token_fallback: re.Pattern[str]
    re_sarcasm: re.Pattern[str]
    re_emoticons: re.Pattern[str]
    re_regex_candidate: re.Pattern[str]


def _char_class(chars: frozenset[str] | set[str]) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


@functools.cache
def _tables() -> _Tables:
    """Build the lookup tables from TextBlob's own (lazily loaded) data.

    The lexicon is read from the very ``Sentiment`` object ``PatternAnalyzer``
    uses, after TextBlob's loader has filled it (including the "-ly" adverbs
    it derives from adjectives), so both always see the same numbers.
    """
    from textblob import _text as tb_text
    from textblob.en import sentiment as tb_sentiment

    len(tb_sentiment)  # triggers lazydict.load(): the XML file + "-ly" adverbs
    modifier_tags = tuple(tb_sentiment.modifiers)
    lexicon: dict[str, tuple[float, float, float]] = {}
    modifiers: set[str] = set()
    for word, by_pos in dict.items(tb_sentiment):
        # Strings are assessed with pos=None; words without it count as unknown.
        if None not in by_pos:
            continue
        p, s, i = by_pos[None]
        lexicon[word] = (p, s, i)
        if any(tag in by_pos for tag in modifier_tags):
            modifiers.add(word)
    negations = frozenset(tb_sentiment.negations)

    punctuation: str = tb_text.PUNCTUATION
    # Same filter TextBlob applies before scanning EMOTICONS; the first
    # category (in dict order) containing the lower-cased form wins.
    emoticons: dict[str, float] = {}
    for (_kind, polarity), forms in tb_text.EMOTICONS.items():
        for form in forms:
            key = form.lower()
            if key.isalpha() is False and len(key) <= 5 and key not in punctuation:
                emoticons.setdefault(key, polarity)
    if "!" in emoticons or "(!)" in emoticons:  # pragma: no cover
        raise RuntimeError("unexpected emoticon in TextBlob data")

    # Strings that the sarcasm / emoticon regexes could change contain one of
    # these "<char> <char>" pairs (both regexes allow one optional space
    # between consecutive characters; matches without a space are no-ops).
    pairs = {("(", "!"), ("!", ")")}
    for forms in tb_text.EMOTICONS.values():
        for form in forms:
            pairs.update(itertools.pairwise(form))
    followers: dict[str, set[str]] = {}
    for a, b in pairs:
        followers.setdefault(a, set()).add(b)
    candidate = re.compile(
        "|".join(
            f"{re.escape(a)} [{_char_class(bs)}]" for a, bs in sorted(followers.items())
        )
    )

    replacements = tuple(tb_text.replacements.items())
    if not all("'" in old for old, _new in replacements):  # pragma: no cover
        raise RuntimeError("TextBlob contraction patterns changed")
    lead = tuple(punctuation.replace(".", ""))
    trail = (*lead, ".")
    abbreviations = frozenset(tb_text.ABBREVIATIONS)
    abbreviation_res = (tb_text.RE_ABBR1, tb_text.RE_ABBR2, tb_text.RE_ABBR3)

    lead_cls = _char_class(frozenset(lead))
    trail_cls = _char_class(frozenset(trail))
    # A chunk whose trailing punctuation run contains a period and is longer
    # than one character needs TextBlob's verbatim loop: a "." followed by
    # punctuation up to the chunk's end, or a chunk-final "." preceded by
    # punctuation.  (Starts with a literal so the regex engine scans fast.)
    re_fallback = re.compile(
        rf"\.(?:[{trail_cls}]+|(?<=[{trail_cls}]\.))(?!\S)"
    )
    re_token: re.Pattern[str] | None = None
    if tuple(rx.pattern for rx in abbreviation_res) == _KNOWN_ABBR_PATTERNS:
        # For every other chunk, find_tokens yields: each leading punctuation
        # mark alone, then the core (up to the last non-punctuation char),
        # then each trailing mark alone -- except that a core followed by a
        # single "." keeps it when core+"." is an abbreviation.  The scan only
        # reaches a letter at the core's start (every other scan position is
        # on punctuation), so that is the only place abbreviations can match.
        # The lookahead is a cheap superset test guarding the alternation.
        words = "|".join(
            re.escape(a)
            for a in sorted(abbreviations, key=len, reverse=True)
            if a.endswith(".")
        )
        abbr = (
            r"(?=[A-Za-z][A-Za-z.|]*\.(?!\S))"
            r"(?:(?:[A-Za-z]\.)+|[A-Z][b|c|d|f|g|h|j|k|l|m|n|p|q|r|s|t|v|w|x|z]+\."
            f"|{words})(?!\\S)"
        )
        re_token = re.compile(
            rf"[{lead_cls}]|{abbr}|[^\s{lead_cls}](?:\S*[^\s{trail_cls}])?"
        )

    return _Tables(
        lexicon=lexicon,
        modifiers=frozenset(modifiers),
        negations=negations,
        emoticons=emoticons,
        interesting=frozenset((*lexicon, *negations, "!", "(!)", *emoticons)),
        replacements=replacements,
        replacement_keys=frozenset(old for old, _new in replacements),
        lead=frozenset(lead),
        lead_tuple=lead,
        trail=frozenset(trail),
        trail_tuple=trail,
        abbreviations=abbreviations,
        abbreviation_res=abbreviation_res,
        re_token=re_token,
        re_token_fallback=re_fallback,
        re_sarcasm=tb_text.RE_SARCASM,
        # TextBlob builds this alternation from set iteration order (hash-seed
        # dependent) and the regex takes the first alternative that fits, not
        # the longest.  Today only cross-category prefixes exist (":o"/":o)",
        # ":c"/":c)"), whose order is fixed, but reusing TextBlob's compiled
        # object guarantees the very same alternation in any case.
        re_emoticons=tb_text.RE_EMOTICONS,
        re_regex_candidate=candidate,
    )


def _join_emoticon(match: re.Match[str]) -> str:
    return match.group(1).replace(" ", "") + match.group(2)


def _split_punctuation(t: str, out: list[str], tb: _Tables) -> None:
    """Split leading/trailing punctuation off one chunk, as ``find_tokens`` does.

    Chunks never contain an apostrophe here (it was padded with spaces), so
    TextBlob's ``t not in replace`` guards hold: every leading punctuation
    mark becomes its own token, and a trailing run of punctuation without
    periods is split into single characters.  Runs containing a period
    (ellipses, abbreviations) go through the verbatim loop.
    """
    lead = tb.lead
    k = 0
    size = len(t)
    while k < size and t[k] in lead:
        k += 1
    if k:
        out.extend(t[:k])  # one token per character
        t = t[k:]
        if not t:
            return
    trail = tb.trail
    e = len(t)
    while e and t[e - 1] in trail:
        e -= 1
    run = t[e:]
    if not run:
        out.append(t)
    elif "." not in run:
        # t[0] is neither leading punctuation nor "." (else "." would be in
        # the run), so the core t[:e] is non-empty.
        out.append(t[:e])
        out.extend(run)
    else:
        _split_trailing_verbatim(t, out, tb)


def _split_trailing_verbatim(t: str, out: list[str], tb: _Tables) -> None:
    """TextBlob's trailing-punctuation loop, statement for statement."""
    replace_keys = tb.replacement_keys
    lead_tuple = tb.lead_tuple
    trail_tuple = tb.trail_tuple
    tail: list[str] = []
    while t.endswith(trail_tuple) and t not in replace_keys:
        if t.endswith(lead_tuple):
            tail.append(t[-1])
            t = t[:-1]
        if t.endswith("..."):
            tail.append("...")
            t = t[:-3].rstrip(".")
        if t.endswith("."):
            if t in tb.abbreviations or any(
                rx.match(t) is not None for rx in tb.abbreviation_res
            ):
                break
            tail.append(t[-1])
            t = t[:-1]
    if t != "":
        out.append(t)
    out.extend(reversed(tail))


def _prepare(text: str, tb: _Tables) -> str:
    """``find_tokens``' string rewriting before it splits on whitespace."""
    s = text
    if "'" in s:  # every contraction pattern contains an apostrophe
        for old, new in tb.replacements:
            s = s.replace(old, new)
    for old, new in _QUOTE_PADDING:
        if old in s:
            s = s.replace(old, new)
    if "\r\n" in s:
        s = s.replace("\r\n", "\n")
    if "\n\n" in s:
        s = _RE_LINEBREAK.sub(f" {_EOS} ", s)
    return s


def _raw_tokens(s: str, tb: _Tables) -> list[str]:
    """``find_tokens``' token list (before sentence splitting) for a prepared string."""
    re_token = tb.re_token
    if re_token is None:  # pragma: no cover - only if TextBlob's abbreviation regexes change
        tokens: list[str] = []
        for chunk in s.split():
            _split_punctuation(chunk, tokens, tb)
        return tokens
    if tb.re_token_fallback.search(s) is None:
        return re_token.findall(s)
    # Some chunks need the verbatim loop: run it on those chunks only and the
    # regex on the text between them (whitespace normalised as find_tokens
    # does, so that chunks are delimited by single spaces).
    s = " ".join(s.split())
    tokens = []
    done = 0
    for match in tb.re_token_fallback.finditer(s):
        start = s.rfind(" ", 0, match.start()) + 1
        tokens += re_token.findall(s, done, start)
        _split_punctuation(s[start : match.end()], tokens, tb)
        done = match.end()
    tokens += re_token.findall(s, done)
    return tokens


def _sentence_string(tokens: list[str], tb: _Tables) -> str:
    """One sentence after TextBlob's sarcasm and emoticon regexes."""
    sentence = " ".join(tokens)
    if tb.re_regex_candidate.search(sentence) is None:
        return sentence  # neither regex can change it
    return tb.re_emoticons.sub(_join_emoticon, tb.re_sarcasm.sub("(!)", sentence))


def _sentences_joined(tokens: list[str], tb: _Tables) -> str:
    """TextBlob's sentence split and per-sentence regexes, joined with spaces.

    ``find_tokens`` scans every token; a sentence ends after a boundary token
    (".", "!", "?", "...", END-OF-SENTENCE) and the run of closing tokens that
    follows it.  Its quote check counts quotes in a sentence list that is
    always still empty at that point, so a quote always stops the run.  Only
    the boundary tokens are visited here; tokens[nxt - 1] is where the last
    run stopped, which find_tokens' scan skips (it is never a boundary).
    """
    n = len(tokens)
    sentences: list[str] = []
    i = 0  # start of the current sentence
    nxt = 0  # boundaries before this index were absorbed into a run
    for b in itertools.compress(itertools.count(), map(_BOUNDARY.__contains__, tokens)):
        if b < nxt:
            continue
        k = b
        while k < n and tokens[k] in _CLOSERS and tokens[k] not in _QUOTES:
            k += 1
        sentence = [t for t in tokens[i:k] if t != _EOS]
        if sentence:
            sentences.append(_sentence_string(sentence, tb))
        i = k
        nxt = k + 1
    if i < n:  # the rest holds no boundary token, hence no END-OF-SENTENCE
        sentences.append(_sentence_string(tokens[i:], tb))
    return " ".join(sentences)


def _tokens(text: str, tb: _Tables) -> str:
    """``" ".join(find_tokens(text))``, up to the amount of whitespace."""
    s = _prepare(text, tb)
    tokens = _raw_tokens(s, tb)
    # The sentence split drops every END-OF-SENTENCE token.
    joined = " ".join(t for t in tokens if t != _EOS) if _EOS in s else " ".join(tokens)
    if tb.re_regex_candidate.search(joined) is None:
        # Every sentence string is a substring of `joined`, so the sarcasm and
        # emoticon regexes cannot rewrite any of them: splitting into
        # sentences and re-joining would give back `joined`.
        return joined
    return _sentences_joined(tokens, tb)


def _clamp(x: float) -> float:
    """``max(-1.0, min(x, +1.0))``, including which operand wins ties."""
    if x > 1.0:
        return 1.0
    if x > -1.0:
        return x
    return -1.0


def _skip_inert(
    words: list[str], a: list[list[float]], m: str | None, n: str | None
) -> tuple[str | None, str | None]:
    """Apply ``assessments``' unknown-word rules to words that are not negations,
    "!", "(!)" or emoticons; return the new (modifier, negation) state."""
    for w in words:
        if n is not None and len(w.strip("'")) > 1:
            n = None
        if n is not None and m is not None and m.endswith("ly"):
            a[-1][3] = -1
            n = None
        elif m is not None and len(w) > 2:
            m = None
        if n is None and m is None:
            break  # nothing left that a further inert word could change
    return m, n


def _score(text: str, tb: _Tables) -> tuple[float, float]:
    """Pattern's ``Sentiment.__call__`` + ``assessments`` for a plain string."""
    lexicon = tb.lexicon
    modifiers = tb.modifiers
    negations = tb.negations
    # Lower-casing the joined string equals lower-casing each token: the only
    # context-dependent mapping (final sigma) never looks across a space.
    words = _tokens(text, tb).lower().split()
    # Each assessment is [polarity, subjectivity, intensity, negated].
    a: list[list[float]] = []
    m: str | None = None  # preceding modifier word
    n: str | None = None  # preceding negation word
    done = 0  # words[:done] have been processed
    # Only lexicon words and "special" unknown words (negations, "!", "(!)",
    # emoticons) can add or change assessments; the others ("inert" words)
    # matter only while a modifier or negation is pending.  Their positions
    # are found in C; inert runs are walked only when state is pending.
    for k in itertools.compress(itertools.count(), map(tb.interesting.__contains__, words)):
        if (m is not None or n is not None) and done < k:
            m, n = _skip_inert(words[done:k], a, m, n)
        done = k + 1
        w = words[k]
        if w in lexicon:
            p, s, i = lexicon[w]
            if m is None:
                last = [p, s, i, 1]
                a.append(last)
            else:
                last = a[-1]
                last[0] = _clamp(p * last[2])
                last[1] = _clamp(s * last[2])
                last[2] = i
            if n is not None:
                last[2] = 1.0 / last[2]
                last[3] = -1
            m = w if w in modifiers else None
            n = w if w in negations else None
        else:
            if w in negations:
                n = w
            elif n is not None and len(w.strip("'")) > 1:
                n = None
            if n is not None and m is not None and m.endswith("ly"):
                a[-1][3] = -1
                n = None
            elif m is not None and len(w) > 2:
                m = None
            if w == "!":
                if a:
                    last = a[-1]
                    last[0] = _clamp(last[0] * 1.25)
            elif w == "(!)":
                a.append([0.0, 1.0, 1.0, 1])
            else:
                mood = tb.emoticons.get(w)
                if mood is not None:
                    a.append([mood, 1.0, 1.0, 1])
    if (m is not None or n is not None) and done < len(words):
        _skip_inert(words[done:], a, m, n)  # may still negate the last assessment
    # avg(): left-to-right sum starting from int 0, divided by float(count or 1).
    polarity: float = 0
    subjectivity: float = 0
    for p, s, _i, neg in a:
        polarity += p * -0.5 if neg < 0 else p
        subjectivity += s
    count = float(len(a) or 1)
    return polarity / count, subjectivity / count


def textblob_sentiment(text: str) -> tuple[float, float]:
    """The reference implementation: ``tuple(TextBlob(text).sentiment)``."""
    from textblob import TextBlob

    polarity, subjectivity = TextBlob(text).sentiment
    return polarity, subjectivity


def weight(followers: int | None) -> float:
    """Influence weight of a tweet: ``ln(followers + 1)``, or 1.0 if unknown."""
    if followers is None:
        return 1.0
    return math.log(followers + 1)


class Scorer:
    """Sentiment scorer equal to ``TextBlob(text).sentiment``, with a result cache.

    ``cache_size`` bounds the number of cached texts (0 disables the cache);
    when it is full the oldest entry is evicted.  ``neutral_band`` is the
    half-width of the polarity interval that :meth:`label` calls neutral.
    """

    def __init__(self, cache_size: int = 65536, neutral_band: float = 0.0) -> None:
        if cache_size < 0:
            raise ValueError("cache_size must be >= 0")
        if neutral_band < 0:
            raise ValueError("neutral_band must be >= 0")
        self.cache_size = cache_size
        self.neutral_band = neutral_band
        self.hits = 0
        self.misses = 0
        self._cache: dict[str, tuple[float, float]] = {}
        self._tables = _tables()

    def sentiment(self, text: str) -> tuple[float, float]:
        """Return ``(polarity, subjectivity)`` exactly as TextBlob computes it."""
        cache = self._cache
        cached = cache.get(text)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        result = _score(text, self._tables)
        if self.cache_size:
            if len(cache) >= self.cache_size:
                del cache[next(iter(cache))]  # evict the oldest entry
            cache[text] = result
        return result

    def label(self, polarity: float) -> str:
        """Classify a polarity: positive/negative outside +-neutral_band, else neutral."""
        if polarity > self.neutral_band:
            return "positive"
        if polarity < -self.neutral_band:
            return "negative"
        return "neutral"

    def cache_info(self) -> dict[str, int]:
        """Cache statistics: hits, misses, current size and capacity."""
        return {
            "hits": self.hits,
            "misses": self.misses,
            "size": len(self._cache),
            "capacity": self.cache_size,
        }

    def clear_cache(self) -> None:
        """Drop cached results and reset the hit/miss counters."""
        self._cache.clear()
        self.hits = 0
        self.misses = 0
