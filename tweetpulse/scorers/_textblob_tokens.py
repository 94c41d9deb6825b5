"""TextBlob's tokenizer, re-implemented fast and bit-exact (private: see :mod:`tweetpulse.scorers.textblob`).

TextBlob's default scorer (``PatternAnalyzer``) runs pattern's ``Sentiment.__call__`` on the raw
string, which tokenizes it with ``find_tokens`` (contraction/quote padding, paragraph breaks,
punctuation splitting, sentence split, sarcasm and emoticon regexes) before it looks any word up.
:func:`token_string` gives the same tokens (joined with single spaces), but it

* reads the lexicon and TextBlob's other tables once, through TextBlob's own loader, into plain
  dicts and sets (:func:`tables`, also used by the assessment walk);
* splits punctuation off tokens with one precompiled regex (``findall``), running TextBlob's own
  loop only on chunks whose trailing punctuation holds a period next to another mark ("wow...",
  "etc.)", "U.S..");
* only rebuilds TextBlob's sentence structure (and runs its sarcasm and emoticon regexes) when
  the text contains something those can rewrite.

Details of TextBlob's tokenizer that the re-implementation keeps:

* every ASCII apostrophe is padded with spaces *after* the contraction rewrite, so "don't"
  becomes the tokens "do", "n", "'", "t": contractions never negate, only "no", "not" and
  "never" do;
* leading punctuation (except ".") is split off one character at a time, so ":D" is first split
  into ":" and "D" and only re-joined by the per-sentence emoticon regex -- which also joins
  spaced-out emoticons (": )" -> ":)"), but never across sentence boundaries ("a :\n\nD" scores 0);
* the emoticon test ``w not in PUNCTUATION`` is a substring test and ``w.isalpha() is False``
  rules out "xd", so "XD" never counts.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any, Final, NamedTuple

from tweetpulse.scorers._textblob_data import textblob_modules

__all__ = ["Tables", "tables", "token_string"]


# TextBlob's sentence-boundary marker, substituted for paragraph breaks.
_EOS: Final = "END-OF-SENTENCE"
# Tokens that may end a sentence, and tokens absorbed into a sentence's end.
_BOUNDARY: Final = frozenset(("...", ".", "!", "?", _EOS))
_CLOSERS: Final = frozenset(("'", '"', "\u201d", "\u2019", "...", ".", "!", "?", ")", _EOS))
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


class Tables(NamedTuple):
    """Everything the TextBlob scorer needs, derived once from the installed TextBlob."""

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
def tables() -> Tables:
    """Build the lookup tables from TextBlob's own (lazily loaded) data.

    The lexicon is read from a ``Sentiment`` object of TextBlob's ``en`` module
    (the very one ``PatternAnalyzer`` uses once ``textblob`` is imported, else
    one loaded by the same code from the same file: :mod:`._textblob_data`),
    after TextBlob's loader has filled it (including the "-ly" adverbs it
    derives from adjectives), so both always see the same numbers.
    """
    tb_text, tb_en = textblob_modules()  # not ``import textblob``: that pulls in nltk (see the module)
    tb_sentiment = tb_en.sentiment
    lexicon, modifiers = _lexicon(tb_sentiment)
    negations = frozenset(tb_sentiment.negations)
    punctuation: str = tb_text.PUNCTUATION
    emoticons = _emoticons(tb_text.EMOTICONS, punctuation)
    replacements = tuple(tb_text.replacements.items())
    if not all("'" in old for old, _new in replacements):  # pragma: no cover
        raise RuntimeError("TextBlob contraction patterns changed")
    lead = tuple(punctuation.replace(".", ""))
    trail = (*lead, ".")
    abbreviations = frozenset(tb_text.ABBREVIATIONS)
    abbreviation_res = (tb_text.RE_ABBR1, tb_text.RE_ABBR2, tb_text.RE_ABBR3)
    re_fallback, re_token = _token_regexes(lead, trail, abbreviations, abbreviation_res)

    return Tables(
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
        re_regex_candidate=_candidate_regex(tb_text.EMOTICONS),
    )


def _lexicon(tb_sentiment: Any) -> tuple[dict[str, tuple[float, float, float]], set[str]]:
    """The words TextBlob assesses in strings (those with a ``None`` part of speech) and the modifiers
    among them, read after TextBlob's loader filled the lexicon (the XML file and the "-ly" adverbs)."""
    len(tb_sentiment)  # triggers lazydict.load()
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
    return lexicon, modifiers


def _emoticons(tb_emoticons: dict[Any, Any], punctuation: str) -> dict[str, float]:
    """Lower-cased emoticon → polarity, filtered as TextBlob filters before scanning EMOTICONS; the first
    category (in dict order) containing the lower-cased form wins."""
    emoticons: dict[str, float] = {}
    for (_kind, polarity), forms in tb_emoticons.items():
        for form in forms:
            key = form.lower()
            if key.isalpha() is False and len(key) <= 5 and key not in punctuation:
                emoticons.setdefault(key, polarity)
    if "!" in emoticons or "(!)" in emoticons:  # pragma: no cover
        raise RuntimeError("unexpected emoticon in TextBlob data")
    return emoticons


def _candidate_regex(tb_emoticons: dict[Any, Any]) -> re.Pattern[str]:
    """A text the sarcasm or emoticon regexes could change holds one of these "<char> <char>" pairs
    (both allow one optional space between consecutive characters; matches without a space are no-ops)."""
    pairs = {("(", "!"), ("!", ")")}
    for forms in tb_emoticons.values():
        for form in forms:
            pairs.update(itertools.pairwise(form))
    followers: dict[str, set[str]] = {}
    for a, b in pairs:
        followers.setdefault(a, set()).add(b)
    return re.compile("|".join(f"{re.escape(a)} [{_char_class(bs)}]" for a, bs in sorted(followers.items())))


def _token_regexes(
    lead: tuple[str, ...], trail: tuple[str, ...], abbreviations: frozenset[str], abbreviation_res: tuple[Any, ...]
) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """The fallback regex (chunks that need TextBlob's verbatim loop) and the token regex (every other
    chunk, when TextBlob's abbreviation patterns are the known ones; else None)."""
    lead_cls = _char_class(frozenset(lead))
    trail_cls = _char_class(frozenset(trail))
    # A chunk whose trailing punctuation run contains a period and is longer
    # than one character needs TextBlob's verbatim loop: a "." followed by
    # punctuation up to the chunk's end, or a chunk-final "." preceded by
    # punctuation.  (Starts with a literal so the regex engine scans fast.)
    re_fallback = re.compile(rf"\.(?:[{trail_cls}]+|(?<=[{trail_cls}]\.))(?!\S)")
    if tuple(rx.pattern for rx in abbreviation_res) != _KNOWN_ABBR_PATTERNS:
        return re_fallback, None
    # For every other chunk, find_tokens yields: each leading punctuation
    # mark alone, then the core (up to the last non-punctuation char),
    # then each trailing mark alone -- except that a core followed by a
    # single "." keeps it when core+"." is an abbreviation.  The scan only
    # reaches a letter at the core's start (every other scan position is
    # on punctuation), so that is the only place abbreviations can match.
    # The lookahead is a cheap superset test guarding the alternation.
    words = "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True) if a.endswith("."))
    abbr = (
        r"(?=[A-Za-z][A-Za-z.|]*\.(?!\S))"
        r"(?:(?:[A-Za-z]\.)+|[A-Z][b|c|d|f|g|h|j|k|l|m|n|p|q|r|s|t|v|w|x|z]+\."
        f"|{words})(?!\\S)"
    )
    return re_fallback, re.compile(rf"[{lead_cls}]|{abbr}|[^\s{lead_cls}](?:\S*[^\s{trail_cls}])?")


def _join_emoticon(match: re.Match[str]) -> str:
    return match.group(1).replace(" ", "") + match.group(2)


def _split_punctuation(t: str, out: list[str], tb: Tables) -> None:
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


def _split_trailing_verbatim(t: str, out: list[str], tb: Tables) -> None:
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
            if t in tb.abbreviations or any(rx.match(t) is not None for rx in tb.abbreviation_res):
                break
            tail.append(t[-1])
            t = t[:-1]
    if t != "":
        out.append(t)
    out.extend(reversed(tail))


def _prepare(text: str, tb: Tables) -> str:
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


def _raw_tokens(s: str, tb: Tables) -> list[str]:
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


def _sentence_string(tokens: list[str], tb: Tables) -> str:
    """One sentence after TextBlob's sarcasm and emoticon regexes."""
    sentence = " ".join(tokens)
    if tb.re_regex_candidate.search(sentence) is None:
        return sentence  # neither regex can change it
    return tb.re_emoticons.sub(_join_emoticon, tb.re_sarcasm.sub("(!)", sentence))


def _sentences_joined(tokens: list[str], tb: Tables) -> str:
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


def token_string(text: str, tb: Tables) -> str:
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
