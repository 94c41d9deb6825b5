"""The scorer's tables come from TextBlob's own loader without ``import textblob`` (nltk stays out of the
workers), and the scores made from them stay TextBlob's, bit for bit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tweetpulse.scorers import _textblob_data
from tweetpulse.scorers._textblob_data import textblob_modules

pytestmark = pytest.mark.unit

# In a fresh interpreter: build both scorers (and a worker's analyzer) before anything imports
# textblob, note what that imported, then compare with TextBlob itself, imported only afterwards.
FRESH = r"""
import json, sys
from tweetpulse.scorers.scoring import TextBlobScorer
from tweetpulse.pipeline.settings import ListenerSettings
scorers = {"python": TextBlobScorer(cache_size=0, engine="python"), "default": TextBlobScorer(cache_size=0)}
ListenerSettings().make_scorer().sentiment("a worker's analyzer, made as a worker makes it :)")
heavy = sorted(m for m in ("textblob", "textblob.blob", "nltk", "sklearn", "scipy", "pandas") if m in sys.modules)
from tests.support.corpus import generate_tweets  # imports textblob: only now
from textblob import TextBlob
import textblob.en
texts = generate_tweets(2000, seed=7) + [
    "not very good :) !", "I don't like it (!) ...", "U.S. e.g. etc. :-( :o) :c)", "ΣΑΣ İyi 😀 ♥ °O°",
    "really really bad!!! never nice", "''\"quoted\" 'good' ‘meh’ “great”", "a :\n\nD", "wow... etc.)",
]
def bits(pair): return [float(x).hex() for x in pair]
bad = [(name, t) for t in texts for name, s in scorers.items() if bits(s.sentiment(t)) != bits(TextBlob(t).sentiment)]
print(json.dumps({"heavy": heavy, "engine": scorers["default"].engine, "texts": len(texts), "bad": bad[:5],
                  "real_en_has_sentiment": len(textblob.en.sentiment) > 1000}))
"""


def test_scorers_load_without_importing_textblob_and_score_exactly_as_textblob() -> None:
    out = subprocess.run([sys.executable, "-c", FRESH], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["heavy"] == []  # neither textblob's package nor nltk (nor what nltk pulls in) was imported
    assert got["texts"] > 2000
    assert got["bad"] == []  # both paths equal TextBlob(text).sentiment in every bit
    assert got["real_en_has_sentiment"]  # the real textblob, imported afterwards, is whole


def test_once_textblob_is_imported_its_own_modules_are_used() -> None:
    import textblob.en  # noqa: F401 - the test process may not have imported it yet

    modules = textblob_modules()
    assert modules.text is sys.modules["textblob._text"]
    assert modules.en is sys.modules["textblob.en"]


def test_private_copies_equal_textblobs_data_and_stay_out_of_sys_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    import textblob.en

    real = sys.modules["textblob.en"]
    monkeypatch.delitem(sys.modules, "textblob._text")
    monkeypatch.delitem(sys.modules, "textblob.en")
    private = textblob_modules()
    assert private.en is not real and private.text is not sys.modules["textblob"]._text
    assert "textblob.en" not in sys.modules and "textblob._text" not in sys.modules
    len(private.en.sentiment), len(textblob.en.sentiment)  # load both lexicons
    assert dict(dict.items(private.en.sentiment)) == dict(dict.items(textblob.en.sentiment))
    assert private.en.sentiment.negations == textblob.en.sentiment.negations
    assert private.text.RE_EMOTICONS.pattern == sys.modules["textblob"]._text.RE_EMOTICONS.pattern
    assert private.en.__file__ is not None and real.__file__ is not None
    assert Path(private.en.__file__).parent == Path(real.__file__).parent


def test_without_textblob_installed_the_error_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "textblob._text", raising=False)
    monkeypatch.delitem(sys.modules, "textblob.en", raising=False)
    monkeypatch.setattr(_textblob_data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="textblob is not installed: run make setup"):
        textblob_modules()
