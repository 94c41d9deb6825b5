"""The compiled scoring core: Python's character semantics exhaustively, non-ASCII fuzzing, the fallback.

The shared exactness suite (validation CSV, 20k corpus, punctuation soup) runs against both paths
in test_scoring.py; here are the parts only the compiled core can get wrong (whitespace and
lower-casing of every code point, non-ASCII text) and the choice between the two paths.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from textblob import TextBlob
from textblob._text import EMOTICONS
from textblob.en import sentiment as textblob_pattern_sentiment

from tests.support.native import require_native
from tweetpulse.scorers import _textblob_native
from tweetpulse.scorers._textblob_native import PURE_PYTHON_ENV, engine_arguments, native_core
from tweetpulse.scorers._textblob_tokens import _QUOTE_PADDING, tables
from tweetpulse.scorers.scoring import TextBlobScorer

pytestmark = pytest.mark.unit

ALL_CHARS = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
# Everything str.split() and \s call whitespace, outside ASCII included.
WHITESPACE = [c for c in ALL_CHARS if c.isspace()]
# Letters whose lower-casing is special (expanding, title case, final sigma, outside the BMP...).
SOUP_LETTERS = "İ ı Σ ς ß ẞ Ǆ ǅ ǈ Ω Å K ﬁ Ⅻ ⓐ Ⓐ 𐐀 𞤀 é e\u0301 \u0345 ͅ ä Ä ÆØ Ꭰ ꭰ ǰ ŉ ΐ Ὠ ᾈ ǲ Ĳ ĳ Ÿ"
SOUP_WORDS = (
    "good GOOD Good bad not no never very really extremely Nice happy GREAT awful love a I U.S. Mr e.g. etc "
    "END-OF-SENTENCE très naïve café Café ΣΑΣ İyi ЗЛО 素晴らしい 🚀 😀😂 ❤️ ♥ °O° °o°"
)


@pytest.fixture(scope="module")
def native() -> Iterator[object]:
    """A bare compiled engine (``score``, ``words``, ``lower``)."""
    require_native()
    import tweetpulse_native

    yield tweetpulse_native.Engine(**engine_arguments(tables()))


def _bits(pair: tuple[float, float]) -> tuple[str, str]:
    return (pair[0].hex(), pair[1].hex())


def test_python_whitespace_is_one_set_for_split_and_regex() -> None:
    """TextBlob splits with the regex \\s, the walk with str.split(): the engine treats both as one set."""
    pattern = re.compile(r"\s")
    assert [c for c in ALL_CHARS if pattern.match(c)] == WHITESPACE
    assert "\x1c" in WHITESPACE and "\x85" in WHITESPACE and "\u200b" not in WHITESPACE


def test_every_code_point_splits_as_python_splits(native: object) -> None:
    words = native.words  # type: ignore[attr-defined]
    padded = {old for old, _new in _QUOTE_PADDING}  # quotes become tokens of their own
    wrong = [hex(ord(c)) for c in ALL_CHARS if c not in padded and words(f"go{c}od") != f"go{c}od".split()]
    assert not wrong, f"split differs from str.split() at {wrong[:10]}"


def test_every_code_point_lowercases_as_python(native: object) -> None:
    lower = native.lower  # type: ignore[attr-defined]
    wrong = [hex(ord(c)) for c in ALL_CHARS if lower(c) != c.lower() or lower(f"A{c}b") != f"A{c}b".lower()]
    assert not wrong, f"lower() differs from str.lower() at {wrong[:10]}"
    assert lower("İ") == "i\u0307" and len(lower("İ")) == 2  # one of the mappings that lengthen a word


@pytest.mark.parametrize(
    "word", ["Σ", "ΑΣ", "ΑΣΑ", "ΟΔΟΣ", "ΣΑΣ.", "Α'Σ", "Α\u0301Σ", "Σ\u0301", "ΑΣ\u0301Β", "1Σ", "ΑΣ1"]
)
def test_final_sigma_lowercases_as_python(native: object, word: str) -> None:
    assert native.lower(word) == word.lower()  # type: ignore[attr-defined]


def _non_ascii_soup(rng: random.Random, n: int) -> list[str]:
    """Texts of words, punctuation, emoticons and non-ASCII letters, marks, spaces and emoji."""
    letters = SOUP_LETTERS.split()
    words = SOUP_WORDS.split()
    marks = [*".!?,;:()[]{}`'\"@#$^&*+-|=~_<>/\\3D8xXoOpPbcsS", "’", "”", "“", "‘", "...", "(!)", "( ! )"]
    emoticons = [e for forms in EMOTICONS.values() for e in sorted(forms)]
    spaces = [" ", " ", " ", "\n", "\n\n", "\r\n", "\t", *WHITESPACE]
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 16)):
            r = rng.random()
            if r < 0.3:
                parts.append(rng.choice(words))
            elif r < 0.45:
                parts.append(rng.choice(letters) + rng.choice(["", *words[:6]]))
            elif r < 0.6:
                emoticon = rng.choice(emoticons)
                parts.append(" ".join(emoticon) if rng.random() < 0.3 else emoticon)
            elif r < 0.8:
                parts.append(rng.choice(marks))
            else:
                parts.append(rng.choice(spaces))
        texts.append("".join(parts))
    return texts


def test_native_scores_non_ascii_soup_exactly(native: object) -> None:
    texts = _non_ascii_soup(random.Random(15), 20000)
    score = native.score  # type: ignore[attr-defined]
    bad = [(t, score(t), TextBlob(t).sentiment) for t in texts if _bits(score(t)) != _bits(TextBlob(t).sentiment)]
    assert not bad, f"{len(bad)} of {len(texts)} texts differ, first: {bad[:3]!r}"
    words = native.words  # type: ignore[attr-defined]
    split = [t for t in texts[:5000] if words(t) != " ".join(textblob_pattern_sentiment.tokenizer(t)).split()]
    assert not split, f"token streams differ, first: {split[:3]!r}"


def test_lone_surrogates_are_scored_in_python_exactly() -> None:
    """A text with a lone surrogate has no UTF-8 form: the analyzer scores it in Python."""
    require_native()
    scorer = TextBlobScorer(cache_size=0, engine="native")
    text = "so good \ud83d and not bad \udcff!"
    assert scorer.sentiment(text) == tuple(TextBlob(text).sentiment)
    assert scorer.engine == "native"


def test_default_engine_is_native_where_it_is_built() -> None:
    require_native()
    assert TextBlobScorer().engine == "native" and TextBlobScorer(engine="python").engine == "python"


def test_pure_python_env_forces_the_fallback_at_import() -> None:
    code = (
        "import json; from tweetpulse.scorers.scoring import make_scorer; a = make_scorer('textblob');"
        "print(json.dumps([a.engine, a.sentiment('not bad at all :)')]))"
    )
    env = {**os.environ, PURE_PYTHON_ENV: "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    engine, pair = json.loads(out)
    assert engine == "python"
    assert tuple(pair) == tuple(TextBlob("not bad at all :)").sentiment)


def test_without_the_extension_the_default_falls_back_and_native_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_textblob_native, "PURE_PYTHON", False)
    monkeypatch.setitem(sys.modules, "tweetpulse_native", None)  # import fails as if never built
    assert native_core().score is None and "make setup" in native_core().reason
    scorer = TextBlobScorer(cache_size=0)
    assert scorer.engine == "python"
    assert scorer.sentiment("what a great day!") == tuple(TextBlob("what a great day!").sentiment)
    with pytest.raises(RuntimeError, match="native TextBlob scorer is unavailable"):
        TextBlobScorer(engine="native")
    with pytest.raises(ValueError, match="engine must be one of"):
        TextBlobScorer(engine="rust")


def test_a_textblob_whose_regexes_changed_is_refused() -> None:
    tb = tables()
    assert engine_arguments(tb)["end_of_sentence"] == "END-OF-SENTENCE"
    with pytest.raises(ValueError, match="sarcasm"):
        engine_arguments(tb._replace(re_sarcasm=re.compile(r"\(\!\)")))
    with pytest.raises(ValueError, match="emoticon"):
        engine_arguments(tb._replace(re_emoticons=re.compile(r"(:\))($|\s)")))
    with pytest.raises(ValueError, match="abbreviation"):
        engine_arguments(tb._replace(abbreviation_res=(re.compile(r"^x$"),)))
    assert _textblob_native.PURE_PYTHON is (os.environ.get(PURE_PYTHON_ENV, "").strip() == "1")
