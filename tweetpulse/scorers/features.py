"""Text normalisation for the trained scorer: what a tweet's words mean, not how they are spelled.

The model's two vectorizers (:func:`tweetpulse.workbook.training.build_pipeline`) call these as their
``preprocessor``; the model file names them (and nothing else of tweetpulse), so the loader can
trust exactly these two functions.

* links and @mentions become one token each (``xurl``, ``xuser``): their exact text is noise;
* emoticons become ``xemopos`` / ``xemoneg`` (``:)``, ``:-D``, ``<3``... / ``:(``, ``:'(``...);
* letters repeated three or more times are cut to two ("soooo" → "soo", "!!!!" → "!!");
* :func:`tweet_words` also marks negation: every word after "not", "never", "no", "don't"... up to
  the next punctuation or emoticon gets a ``neg_`` prefix, so "not good" and "good" are different features.
"""

from __future__ import annotations

import re

__all__ = ["NEGATIONS", "negation_marked", "negation_words", "tweet_chars", "tweet_words"]

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*")
_USER = re.compile(r"@\w+")
_POSITIVE_EMOTICON = re.compile(r"(?<!\S)(?:[:;=8][-o*']?[)\]}dDpP3]|<3+|\^_*\^|xD+|XD+)(?!\S)")
_NEGATIVE_EMOTICON = re.compile(r"(?<!\S)(?:[:;=8][-o*']?[(\[{/\\|]|:'\(|D:|</3)(?!\S)")
_EMOTICON_TOKENS = frozenset({"xemopos", "xemoneg"})
_REPEATS = re.compile(r"(.)\1\1+")  # a character and two or more repeats of it
_WORD_OR_STOP = re.compile(r"[\w']+|[.,:;!?]")
NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nor",
        "neither",
        "cannot",
        "cant",
        "can't",
        "dont",
        "don't",
        "doesnt",
        "doesn't",
        "didnt",
        "didn't",
        "isnt",
        "isn't",
        "wasnt",
        "wasn't",
        "arent",
        "aren't",
        "werent",
        "weren't",
        "wont",
        "won't",
        "wouldnt",
        "wouldn't",
        "shouldnt",
        "shouldn't",
        "couldnt",
        "couldn't",
        "aint",
        "ain't",
        "havent",
        "haven't",
        "hasnt",
        "hasn't",
        "without",
    ]
)


def _may_hold_positive_emoticon(text: str) -> bool:
    """False only when no alternative of _POSITIVE_EMOTICON can match (each holds one of these)."""
    return (
        ":" in text
        or ";" in text
        or "=" in text
        or "8" in text
        or "^" in text
        or "<3" in text
        or "xD" in text
        or "XD" in text
    )


def tweet_chars(text: str) -> str:
    """Lower-cased text with links, mentions and emoticons as single tokens and repeats cut to two."""
    # each substitution is skipped when the text lacks what every match of its pattern holds
    if "/" in text or "www." in text:  # both alternatives of _URL
        text = _URL.sub(" xurl ", text)
    if "@" in text:
        text = _USER.sub(" xuser ", text)
    if _may_hold_positive_emoticon(text):
        text = _POSITIVE_EMOTICON.sub(" xemopos ", text)
    if ":" in text or ";" in text or "=" in text or "8" in text or "</3" in text:  # "D:" and ":'(" hold a ":"
        text = _NEGATIVE_EMOTICON.sub(" xemoneg ", text)
    return _REPEATS.sub(r"\1\1", text.lower())


def tweet_words(text: str) -> str:
    """:func:`tweet_chars`, then ``neg_`` before each word in a negation's scope (up to punctuation)."""
    return negation_marked(tweet_chars(text))


def negation_marked(chars: str) -> str:
    """The words of ``chars`` (a :func:`tweet_chars` result), ``neg_`` before each one a negation governs.

    ``tweet_words(text) == negation_marked(tweet_chars(text))``: a caller that needs both
    (the trained scorer's batch path) normalises each text once.
    """
    return " ".join(negation_words(chars))


def negation_words(chars: str) -> list[str]:
    """The words :func:`negation_marked` joins: each a run of ``[\\w']`` (or an emoticon token)."""
    out: list[str] = []
    negated = False
    for token in _WORD_OR_STOP.findall(chars):
        if token in ".,:;!?":
            negated = False
        elif token in _EMOTICON_TOKENS:  # an emoticon closes a negation's scope and is never negated
            negated = False
            out.append(token)
        elif token in NEGATIONS:
            negated = True
            out.append(token)
        else:
            out.append("neg_" + token if negated else token)
    return out
