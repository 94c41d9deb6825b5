"""Scorer: bit-for-bit equality with ``TextBlob(text).sentiment``, the cache, labels, weights and score_tweet.

The exactness tests run against both scoring paths (the ``engine`` fixture): pure Python and the
compiled core.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pytest
from textblob import TextBlob
from textblob._text import EMOTICONS
from textblob.en import sentiment as textblob_pattern_sentiment

from tests.support.corpus import generate_tweets
from tests.support.native import engine, require_native
from tweetpulse.scorers._textblob_tokens import tables, token_string
from tweetpulse.scorers.scoring import (
    Sentiment,
    TextBlobScorer,
    TweetScore,
    make_scorer,
    score_texts,
    score_tweet,
    textblob_sentiment,
    weight,
)

VALIDATION_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twitter_validation_sample.csv"


def _bits(pair: tuple[float, float]) -> tuple[str, str]:
    """Exact bit patterns (float.hex tells 0.0 from -0.0 and every last ulp apart)."""
    return (pair[0].hex(), pair[1].hex())


__all__ = ["engine"]  # the fixture, imported


def _mismatches(texts: list[str], engine: str) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    scorer = TextBlobScorer(cache_size=0, engine=engine)
    assert scorer.engine == engine
    bad: list[tuple[str, tuple[float, float], tuple[float, float]]] = []
    for text in texts:
        ours = scorer.sentiment(text)
        reference = textblob_sentiment(text)
        if ours != reference or _bits(ours) != _bits(reference) or type(ours[0]) is not float:
            bad.append((text, ours, reference))
    return bad


def _validation_texts() -> list[str]:
    if not VALIDATION_CSV.is_file():
        pytest.fail(f"validation data missing: {VALIDATION_CSV} (expected the shared twitter_validation_sample.csv)")
    with VALIDATION_CSV.open(encoding="utf-8", newline="") as fh:
        texts = [row[3] for row in csv.reader(fh) if len(row) >= 4]
    assert texts, f"no rows with a text column in {VALIDATION_CSV}"
    return texts


EDGE_CASES = [
    "",
    " ",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "\r\n\r\n",
    " \t\n ",
    "\u00a0\u2003\u3000",
    "good",
    "Good",
    "GOOD",
    "gOoD",
    "not good",
    "never good",
    "no good",
    "isn't good",
    "don't like this",
    "not bad",
    "not very good",
    "really not good",
    "very good",
    "really good",
    "extremely good",
    "extremely bad",
    "very very very good",
    "not a good day",
    "not the most amazing thing",
    "good!",
    "good!!!",
    "bad!!!",
    "!!!",
    "good ! ! !",
    "! good",
    "?!?!",
    "...",
    "good...",
    "wow.....",
    ":)",
    ":-(",
    "<3",
    "♥",
    ":D",
    ":-D",
    "XD",
    "xD",
    ":P",
    ";)",
    ":'(",
    "o_O",
    "°O°",
    ":/",
    ">:[",
    ": )",
    ": - (",
    "< 3",
    ": D",
    "very :) good",
    ":) good",
    "good :(",
    "(!)",
    "( ! )",
    "good ( ! )",
    "https://t.co/abc123",
    "http://example.com/very/good?x=1.",
    "@elonmusk great call",
    "#happy #sad",
    "$BTC to the moon!!! 🚀🚀🚀",
    "😀😂🤣",
    "I ❤️ crypto",
    "RT @user: this is AMAZING",
    "U.S. markets are great.",
    "Mr. Smith is terrible",
    "e.g. bad, i.e. worse",
    "etc.)",
    "approx. fine",
    "good\n\nbad",
    "good\r\n\r\nbad",
    "END-OF-SENTENCE",
    "good END-OF-SENTENCE bad",
    "a :\n\nD",
    "très bien",
    "素晴らしい",
    "ΣΑΣ καλός ΟΔΟΣ.",
    "İstanbul is beautiful",
    "Отлично",
    ".,;:!?()[]{}`'\"@#$^&*+-|=~_",
    "''",
    '""',
    "“good”",
    "‘bad’",
    "can’t be happier",
    "'good'",
    "100% sure",
    "3.5x gains",
    "12:30 pm",
    "word\ttab\tgood",
    "line\nbreak\ngood",
    "good " * 500,
    ("This is a very long and rather wonderful text, not bad at all! " * 40).strip(),
]


@pytest.mark.unit
@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_match_textblob_exactly(text: str, engine: str) -> None:
    ours = TextBlobScorer(cache_size=0, engine=engine).sentiment(text)
    reference = tuple(TextBlob(text).sentiment)
    assert ours == reference
    assert _bits(ours) == _bits((reference[0], reference[1]))


@pytest.mark.unit
def test_exact_on_every_validation_tweet(engine: str) -> None:
    texts = _validation_texts()
    bad = _mismatches(texts, engine)
    assert not bad, f"{len(bad)} of {len(texts)} validation tweets differ, first: {bad[:3]!r}"


@pytest.mark.unit
def test_generated_corpus_is_large_varied_and_deterministic() -> None:
    texts = generate_tweets(20000)
    assert len(texts) == 20000
    assert texts == generate_tweets(20000)
    assert len(set(texts)) < len(texts)  # retweets / repeats
    blob = "\x00".join(texts)
    for needle in (
        "not ",
        "never",
        "n't",
        "very",
        "really",
        "extremely",
        ":)",
        "<3",
        "🚀",
        "https://",
        "@",
        "#",
        "$",
        "!!!",
        "...",
        "U.S.",
        "\n\n",
        "END-OF-SENTENCE",
        "ΣΑΣ",
        "素晴らしい",
        "(!)",
    ):
        assert needle in blob, needle
    assert "" in texts and any(t and not t.strip() for t in texts)
    assert any(t.isupper() for t in texts)
    assert any(len(t) > 1000 for t in texts)
    assert any(t and all(not c.isalnum() and not c.isspace() for c in t) for t in texts)


@pytest.mark.unit
def test_exact_on_generated_corpus(engine: str) -> None:
    texts = generate_tweets(20000)
    bad = _mismatches(texts, engine)
    assert not bad, f"{len(bad)} of {len(texts)} generated tweets differ, first: {bad[:3]!r}"


@pytest.mark.unit
def test_exact_on_random_punctuation_and_emoticon_soup(engine: str) -> None:
    """Dense random mixes of the characters that drive TextBlob's tokenizer and regexes."""
    rng = random.Random(7)
    pieces = [
        *".!?,;:()[]{}`'\"@#$^&*+-|=~_<>/\\3D8xXoOpPbcsS°♥’”“‘",
        " ",
        " ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "good",
        "bad",
        "not",
        "no",
        "never",
        "very",
        "really",
        "truly",
        "a",
        "U.S.",
        "Mr",
        "e.g",
        "etc",
        "...",
        "END-OF-SENTENCE",
        "Σ",
        "İ",
    ]
    emoticons = [e for forms in EMOTICONS.values() for e in sorted(forms)]
    texts = []
    for _ in range(20000):
        parts = []
        for _ in range(rng.randint(0, 14)):
            if rng.random() < 0.15:
                emoticon = rng.choice(emoticons)
                parts.append(" ".join(emoticon) if rng.random() < 0.5 else emoticon)
            else:
                parts.append(rng.choice(pieces))
        texts.append("".join(parts))
    bad = _mismatches(texts, engine)
    assert not bad, f"{len(bad)} of {len(texts)} random texts differ, first: {bad[:3]!r}"


@pytest.mark.unit
def test_token_stream_matches_textblob_tokenizer() -> None:
    """Sharper than the scores: the words we assess are exactly the ones TextBlob assesses."""
    tb = tables()
    texts = [*EDGE_CASES, *_validation_texts(), *generate_tweets(3000, seed=11)]
    for text in texts:
        expected = " ".join(textblob_pattern_sentiment.tokenizer(text)).split()
        assert token_string(text, tb).split() == expected, repr(text)


@pytest.mark.unit
def test_native_token_stream_matches_textblob_tokenizer() -> None:
    require_native()
    import tweetpulse_native

    from tweetpulse.scorers._textblob_native import engine_arguments

    native = tweetpulse_native.Engine(**engine_arguments(tables()))
    texts = [*EDGE_CASES, *_validation_texts(), *generate_tweets(3000, seed=11)]
    for text in texts:
        assert native.words(text) == " ".join(textblob_pattern_sentiment.tokenizer(text)).split(), repr(text)


@pytest.mark.unit
def test_textblob_sentiment_is_the_plain_reference() -> None:
    for text in ("", "What a great day!", "not bad :)"):
        assert textblob_sentiment(text) == tuple(TextBlob(text).sentiment)
        assert type(textblob_sentiment(text)) is tuple


@pytest.mark.unit
def test_cache_returns_identical_results_and_counts_hits(engine: str) -> None:
    scorer = TextBlobScorer(engine=engine)
    texts = ["great coin!", "awful week :(", "great coin!", "", "great coin!", "awful week :("]
    results = [scorer.sentiment(t) for t in texts]
    assert results == [textblob_sentiment(t) for t in texts]
    assert all(type(r) is Sentiment for r in results)
    assert (scorer.hits, scorer.misses) == (3, 3)
    assert scorer.cache_info() == {"hits": 3, "misses": 3, "size": 3, "capacity": 65536}
    scorer.clear_cache()
    assert (scorer.hits, scorer.misses, scorer.cache_info()["size"]) == (0, 0, 0)


@pytest.mark.unit
def test_cache_is_bounded_and_evicts_oldest(engine: str) -> None:
    scorer = TextBlobScorer(cache_size=2, engine=engine)
    for text in ("a good", "b bad", "c nice"):  # "a good" is evicted
        scorer.sentiment(text)
    assert scorer.cache_info()["size"] == 2
    scorer.sentiment("c nice")
    assert (scorer.hits, scorer.misses) == (1, 3)
    assert scorer.sentiment("a good") == textblob_sentiment("a good")
    assert (scorer.hits, scorer.misses) == (1, 4)
    assert scorer.cache_info()["size"] == 2


@pytest.mark.unit
def test_cache_disabled_never_hits(engine: str) -> None:
    scorer = TextBlobScorer(cache_size=0, engine=engine)
    for _ in range(3):
        assert scorer.sentiment("so good") == textblob_sentiment("so good")
    assert (scorer.hits, scorer.misses) == (0, 3)
    assert scorer.cache_info()["size"] == 0


@pytest.mark.unit
def test_cached_scoring_of_retweet_heavy_corpus_is_exact(engine: str) -> None:
    texts = generate_tweets(3000, seed=5)
    scorer = TextBlobScorer(cache_size=512, engine=engine)
    assert [scorer.sentiment(t) for t in texts] == [textblob_sentiment(t) for t in texts]
    assert scorer.hits > 0 and scorer.hits + scorer.misses == len(texts)


@pytest.mark.unit
def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ValueError):
        TextBlobScorer(cache_size=-1)
    with pytest.raises(ValueError):
        TextBlobScorer(neutral_band=-0.1)


@pytest.mark.unit
def test_label_default_band() -> None:
    scorer = TextBlobScorer()
    assert scorer.label(0.0) == "neutral"
    assert scorer.label(-0.0) == "neutral"
    assert scorer.label(1e-12) == "positive"
    assert scorer.label(-1e-12) == "negative"
    assert scorer.label(1.0) == "positive"
    assert scorer.label(-1.0) == "negative"


@pytest.mark.unit
def test_label_with_neutral_band() -> None:
    scorer = TextBlobScorer(neutral_band=0.1)
    assert scorer.label(0.1) == "neutral"
    assert scorer.label(-0.1) == "neutral"
    assert scorer.label(0.05) == "neutral"
    assert scorer.label(0.1000001) == "positive"
    assert scorer.label(-0.1000001) == "negative"
    assert scorer.label(scorer.sentiment("what a wonderful day")[0]) == "positive"
    assert scorer.label(scorer.sentiment("this is awful")[0]) == "negative"
    assert scorer.label(scorer.sentiment("the block height is 800000")[0]) == "neutral"


@pytest.mark.unit
def test_weight_values() -> None:
    assert weight(None) == 1.0
    assert weight(0) == 0.0
    assert weight(1) == math.log(2)
    assert weight(99) == math.log(100)
    assert weight(150_000_000) == math.log(150_000_001)
    assert weight(10**30) == math.log(10**30 + 1)
    for followers in (0, 1, 7, 1234, 10**6):
        assert weight(followers).hex() == math.log(followers + 1).hex()


@pytest.mark.unit
def test_score_tweet_gives_weight_score_and_label() -> None:
    scorer = TextBlobScorer()
    text = "Bitcoin looks AMAZING today!!! :)"
    polarity, subjectivity = textblob_sentiment(text)
    assert polarity > 0
    result = score_tweet(scorer, text, 250)
    assert isinstance(result, TweetScore)
    assert result == (polarity, subjectivity, math.log(251), math.log(251) * polarity, "positive")
    assert result.weight.hex() == weight(250).hex() and result.score.hex() == (weight(250) * polarity).hex()
    unknown = score_tweet(scorer, "this is awful", None)
    assert unknown.weight == 1.0 and unknown.score == unknown.polarity < 0 and unknown.label == "negative"
    nobody = score_tweet(scorer, "what a wonderful day", 0)  # no followers: no influence, still labelled
    assert nobody.weight == 0.0 and nobody.score == 0.0 and nobody.label == "positive"
    assert score_tweet(scorer, "the block height is 800000", 10).label == "neutral"


@pytest.mark.unit
def test_score_tweet_labels_by_the_analyzers_neutral_band() -> None:
    text = "good"  # polarity 0.7
    assert score_tweet(make_scorer("textblob"), text, 5).label == "positive"
    banded = score_tweet(make_scorer("textblob", neutral_band=0.7), text, 5)
    assert banded.label == "neutral" and banded.polarity == 0.7 and banded.score == math.log(6) * 0.7
    assert score_tweet(make_scorer("textblob", neutral_band=0.7), "bad bad terrible", 5).label == "negative"


@pytest.mark.unit
def test_the_listeners_batch_scoring_gives_score_tweets_fields() -> None:
    scorer = TextBlobScorer(neutral_band=0.1)
    cases = [("great coin!", 120), ("awful week :(", None), ("", 0), ("meh ok", 10**9)]
    batch = score_texts(scorer, [text for text, _ in cases], [followers for _, followers in cases])
    for (text, followers), fields in zip(cases, batch, strict=True):
        assert fields == tuple(score_tweet(scorer, text, followers))
        assert [f.hex() for f in fields[:4]] == [f.hex() for f in score_tweet(scorer, text, followers)[:4]]
        assert fields[2].hex() == weight(followers).hex()
