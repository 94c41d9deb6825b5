"""Deterministic generator of varied tweet-like texts for exactness tests and benchmarks.

The corpus mixes plausible crypto tweets with deliberately awkward inputs that exercise every
branch of TextBlob's tokenizer and sentiment assessment: lexicon words (including the "-ly"
adverbs TextBlob derives), negations and contractions, intensifiers, "!" runs, the "(!)" irony
mark, emoticons (also spaced out, as TextBlob's emoticon regex re-joins them), emoji, URLs,
@mentions, #hashtags, $cashtags, abbreviations and ellipses, paragraph breaks, ALL CAPS,
non-English scripts, unusual whitespace, empty / whitespace-only / punctuation-only texts,
very long texts and repeated texts (retweets).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence

__all__ = ["generate_tweets"]

INTENSIFIERS = (
    "very",
    "really",
    "extremely",
    "so",
    "too",
    "absolutely",
    "totally",
    "pretty",
    "quite",
    "incredibly",
    "super",
    "most",
    "truly",
    "highly",
    "seriously",
    "terribly",
    "awfully",
)
NEGATIONS = (
    "not",
    "never",
    "no",
    "n't",
    "don't",
    "isn't",
    "can't",
    "won't",
    "didn't",
    "doesn't",
    "ain't",
    "can’t",
    "isn’t",
    "NOT",
    "Never",
    "No",
    "nothing",
    "nobody",
    "nor",
    "without",
)
SENTIMENT_WORDS = (
    "good",
    "great",
    "bad",
    "awful",
    "terrible",
    "amazing",
    "love",
    "hate",
    "happy",
    "sad",
    "best",
    "worst",
    "nice",
    "horrible",
    "excellent",
    "poor",
    "beautiful",
    "ugly",
    "wonderful",
    "crazy",
    "stupid",
    "brilliant",
    "boring",
    "exciting",
    "fantastic",
    "disappointing",
    "bullish",
    "bearish",
    "scam",
    "wow",
    "lol",
    "cool",
    "fine",
    "wrong",
    "right",
    "huge",
    "dead",
    "sick",
)
EMOTICONS = (
    "<3",
    "♥",
    ">:D",
    ":-D",
    ":D",
    "=-D",
    "=D",
    "X-D",
    "x-D",
    "XD",
    "xD",
    "8-D",
    ">:P",
    ":-P",
    ":P",
    ":-p",
    ":p",
    ":-b",
    ":b",
    ":c)",
    ":o)",
    ":^)",
    ">:)",
    ":-)",
    ":)",
    "=)",
    "=]",
    ":]",
    ":}",
    ":>",
    ":3",
    "8)",
    "8-)",
    ">;]",
    ";-)",
    ";)",
    ";-]",
    ";]",
    ";D",
    ";^)",
    "*-)",
    "*)",
    ">:o",
    ":-O",
    ":O",
    ":o",
    ":-o",
    "o_O",
    "o.O",
    "°O°",
    "°o°",
    ">:/",
    ":-/",
    ":/",
    ":\\",
    ">:\\",
    ":-.",
    ":-s",
    ":s",
    ":S",
    ":-S",
    ">.>",
    ">:[",
    ":-(",
    ":(",
    "=(",
    ":-[",
    ":[",
    ":{",
    ":-<",
    ":c",
    ":-c",
    "=/",
    ":'(",
    ":'''(",
    ";'(",
    ":))",
    ":((",
    "^_^",
    "-_-",
    "T_T",
    ":')",
    ":*",
    "(!)",
    "( ! )",
    "(! )",
    ": )",
    ": (",
    ": - )",
    ": D",
    "< 3",
    "x D",
    "; )",
    ": o )",
    "o . O",
    ": ' (",
    "8 )",
    ": P",
)
EMOJI = (
    "😀",
    "😂",
    "🤣",
    "😍",
    "😭",
    "😡",
    "👍",
    "👎",
    "🔥",
    "🚀",
    "💎",
    "🙌",
    "❤️",
    "💔",
    "🤔",
    "🌕",
    "📉",
    "📈",
    "🐻",
    "🐂",
    "🤡",
    "💸",
    "👀",
    "✅",
    "❌",
    "🙏🏽",
    "👨‍👩‍👧",
)
URLS = (
    "https://t.co/AbC123xyz",
    "http://example.com/a/b?c=d&e=f.",
    "www.coindesk.com",
    "t.co/x1",
    "vanityfair.com/news/2020/02/t…",
    "https://bit.ly/3abc)",
    "(https://x.com/i/status/123)",
)
HANDLES = ("@elonmusk", "@VitalikButerin", "@cz_binance:", "@user_123", "@a", ".@news", "@@double")
HASHTAGS = ("#Bitcoin", "#crypto", "#HODL", "#ETH", "#Web3", "#NFTs!", "#1", "#", "##tag", "#to_the_moon")
CASHTAGS = ("$BTC", "$ETH", "$DOGE", "$SOL", "$100", "$1,000.50", "$", "$$$")
PUNCTUATION = (
    "!",
    "!!",
    "!!!",
    "?!",
    "?",
    "??",
    ".",
    "...",
    "....",
    "…",
    ",",
    ";",
    ":",
    "--",
    "-",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    '"',
    "'",
    "“",
    "”",
    "‘",
    "’",
    "*",
    "&",
    "|",
    "~",
    "_",
    "^",
    "`",
    "=",
    "+",
    ".!",
    "!.",
    ".,",
    "..",
    ").",
    ".)",
    "!)",
    "(.",
    "?.",
    "'.",
    ".'",
    '".',
    "…!",
)
ABBREVIATIONS = (
    "U.S.",
    "e.g.",
    "etc.",
    "Mr.",
    "Dr.",
    "i.e.",
    "vs.",
    "a.m.",
    "p.m.",
    "Med.",
    "A.",
    "Mrs.",
    "St.",
    "w/",
    "U.S.A.",
    "N.Y.C.",
    "No.",
    "approx.",
    "Jan.",
    "etc.)",
    "e.g.,",
    "Mr.!",
    "U.S..",
    "Mrs...",
)
NUMBERS = ("100", "3.5", "10%", "2020/02/01", "12:30", "1,000,000", "-5", "+20%", "0.0001", "1e6", "24/7", "2x")
UNICODE = (
    "ΣΑΣ",
    "ΟΔΟΣ",
    "καλός",
    "İstanbul",
    "Straße",
    "素晴らしい",
    "最悪",
    "رائع",
    "Отлично",
    "плохо",
    "café",
    "naïve",
    "e\u0301",
    "ﬁne",
    "ǅemal",
    "ΣΣ",
    "AΣ.",
    "ὈΔΥΣΣΕΎΣ",
    "\u200bzero\u200bwidth",
    "bueno",
    "malo",
    "très",
    "bien",
    "schlecht",
    "gut",
)
WHITESPACE = (" ", "  ", "\t", "\n", "\n\n", "\r\n", "\r\n\r\n", "\n\n\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x0b")
FILLER = (
    "the",
    "a",
    "an",
    "is",
    "it",
    "I",
    "you",
    "we",
    "this",
    "that",
    "to",
    "of",
    "and",
    "or",
    "but",
    "in",
    "on",
    "for",
    "with",
    "my",
    "just",
    "today",
    "market",
    "price",
    "coin",
    "trade",
    "week",
    "buy",
    "sell",
    "dip",
    "pump",
    "dump",
    "moon",
    "wallet",
    "token",
    "chain",
    "fees",
    "update",
    "RT",
    "via",
    "me",
    "be",
    "at",
    "so",
    "as",
    "x",
    "o",
    "b",
    "s",
    "c",
    "D",
    "P",
)
COINS = ("bitcoin", "Bitcoin", "BTC", "ethereum", "ETH", "dogecoin", "DOGE", "solana", "crypto")
TEMPLATES = (
    "{coin} is looking {sent} today {emoji}",
    "Just bought more {cash}, feeling {mod} {sent}! {tag}",
    "I {neg} think {coin} will go up... {emo}",
    "{handle} this is {neg} {sent} at all. {url}",
    "{coin} dumped again. {mod} {sent} week {tag} {tag}",
    "RT {handle} {sent} news for {cash} holders!!! {url}",
    "Why is {coin} so {sent}?? {emo} {emoji}",
    "{mod} {sent} fees on {coin} lately, {neg} {sent} {emo}",
    "Update: {coin} broke $50,000 {emoji}{emoji} {tag}",
    "{sent}. {sent}. {sent}!",
    "can't believe how {sent} {coin} has been (!) {tag}",
    "“{sent}” they said. ‘{mod} {sent}’ {emo}",
)


@functools.cache
def _lexicon_words() -> tuple[str, ...]:
    """All words of TextBlob's sentiment lexicon (loaded through TextBlob), sorted for determinism."""
    from textblob.en import sentiment

    len(sentiment)  # force the lazy load
    return tuple(sorted(dict.keys(sentiment)))


def _maybe_case(rng: random.Random, word: str) -> str:
    r = rng.random()
    if r < 0.08:
        return word.upper()
    if r < 0.16:
        return word.capitalize()
    if r < 0.19:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in word)
    return word


def _chaotic(rng: random.Random, lexicon: Sequence[str]) -> str:
    pools: tuple[tuple[float, Callable[[], str]], ...] = (
        (0.22, lambda: rng.choice(lexicon)),
        (0.06, lambda: rng.choice(INTENSIFIERS)),
        (0.06, lambda: rng.choice(NEGATIONS)),
        (0.07, lambda: rng.choice(SENTIMENT_WORDS)),
        (0.08, lambda: rng.choice(EMOTICONS)),
        (0.04, lambda: rng.choice(EMOJI)),
        (0.03, lambda: rng.choice(URLS)),
        (0.03, lambda: rng.choice(HANDLES)),
        (0.03, lambda: rng.choice(HASHTAGS)),
        (0.03, lambda: rng.choice(CASHTAGS)),
        (0.09, lambda: rng.choice(PUNCTUATION)),
        (0.04, lambda: rng.choice(ABBREVIATIONS)),
        (0.03, lambda: rng.choice(NUMBERS)),
        (0.03, lambda: rng.choice(UNICODE)),
        (0.01, lambda: "END-OF-SENTENCE"),
        (0.15, lambda: rng.choice(FILLER)),
    )
    weights = [w for w, _ in pools]
    n = rng.choice((1, 2, 3, 5, 8, 12, 20, 30, 45)) if rng.random() < 0.97 else rng.randint(100, 400)
    parts: list[str] = []
    for _ in range(n):
        piece = rng.choices(pools, weights)[0][1]()
        parts.append(_maybe_case(rng, piece))
        r = rng.random()
        if r < 0.72:
            parts.append(" ")
        elif r < 0.87:
            parts.append("")  # glue: "good!!!", "@user:", "word:)"
        else:
            parts.append(rng.choice(WHITESPACE))
    text = "".join(parts)
    if rng.random() < 0.1:
        text = text.upper()
    return text


def _templated(rng: random.Random, lexicon: Sequence[str]) -> str:
    template = rng.choice(TEMPLATES)

    def sent() -> str:
        return rng.choice(SENTIMENT_WORDS) if rng.random() < 0.7 else rng.choice(lexicon)

    fields = {
        "coin": lambda: rng.choice(COINS),
        "sent": sent,
        "emoji": lambda: rng.choice(EMOJI),
        "emo": lambda: rng.choice(EMOTICONS),
        "cash": lambda: rng.choice(CASHTAGS),
        "mod": lambda: rng.choice(INTENSIFIERS),
        "neg": lambda: rng.choice(NEGATIONS),
        "tag": lambda: rng.choice(HASHTAGS),
        "handle": lambda: rng.choice(HANDLES),
        "url": lambda: rng.choice(URLS),
    }
    out: list[str] = []
    rest = template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        name, _, rest = tail.partition("}")
        out.append(head)
        out.append(_maybe_case(rng, fields[name]()))
    out.append(rest)
    text = "".join(out)
    if rng.random() < 0.05:
        text = text.upper()
    return text


_EDGE_CASES = (
    "",
    " ",
    "   ",
    "\n",
    "\n\n",
    "\t\t",
    "\r\n\r\n",
    "\u00a0",
    "!!!",
    "...",
    "?!?!",
    "(!)",
    "( ! )",
    ":)",
    ": )",
    ":-(",
    "<3",
    "♥",
    "END-OF-SENTENCE",
    "not",
    "very",
    "not good",
    "very good",
    "not very good",
    "really not good",
    "good!!!",
    "bad!!!!!!!!!!!!",
    "not bad",
    "never ever happy",
    "extremely bad",
    "a : \n\nD",
    "Go. Omg",
    "o . O",
    ": o )",
    "x>: )",
    "U.S. is great.",
    "wow.....",
    "etc.)",
    "Mr. Smith is terrible",
    "I don't like it",
    "I DON'T LIKE IT",
    "isn’t it lovely",
    "ΣΑΣ καλός ΟΔΟΣ.",
    "🚀🚀🚀",
    "$BTC",
    "#crypto",
    "@user",
    "http://t.co/abc",
    "'",
    "''",
    '""',
    "“”",
    "‘’",
    ".",
    "..",
    ". . .",
    "! ! !",
    "( ( ! ) )",
    "good ( ! ) bad",
    "very :) good",
)


def generate_tweets(n: int = 20000, seed: int = 20240305, repeat_fraction: float = 0.2) -> list[str]:
    """Return ``n`` tweet-like texts, the same for the same arguments.

    About ``repeat_fraction`` of them repeat an earlier text verbatim (retweets of the same
    tweet carry the same text), recent texts being likelier to recur; another few percent
    quote an earlier text as a new retweet ("RT @someone: " + text).  The fixed edge cases
    come first.
    """
    rng = random.Random(seed)
    lexicon = _lexicon_words()
    texts: list[str] = list(_EDGE_CASES[:n])
    while len(texts) < n:
        r = rng.random()
        if r < repeat_fraction:
            texts.append(rng.choice(texts[-300:] if rng.random() < 0.5 else texts))
        elif r < repeat_fraction + 0.04:
            texts.append(f"RT {rng.choice(HANDLES)} {rng.choice(texts)}")
        elif rng.random() < 0.55:
            texts.append(_templated(rng, lexicon))
        else:
            texts.append(_chaotic(rng, lexicon))
    return texts
