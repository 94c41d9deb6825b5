"""The registered scorers side by side: TextBlob (exact), VADER (its compound, ±0.05), and bad names."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tweetpulse.errors import ConfigError
from tweetpulse.scorers import make_scorer
from tweetpulse.scorers.scoring import textblob_sentiment
from tweetpulse.scorers.vader import VaderScorer

TEXTS = [
    "Bitcoin is doing GREAT today!!! :)",
    "I hate this crash, worst week ever",
    "ETH moved to 3000",
    "not bad at all",
    "🚀🚀 to the moon",
    "",
]


def test_textblob_is_the_exact_scorer() -> None:
    analyzer = make_scorer("textblob")
    assert analyzer.name == "textblob" and analyzer.neutral_band == 0.0
    for text in TEXTS:
        assert tuple(analyzer.sentiment(text)) == textblob_sentiment(text)


def test_vader_polarity_is_its_compound_score() -> None:
    reference = SentimentIntensityAnalyzer()
    analyzer = make_scorer("vader")
    assert analyzer.name == "vader" and analyzer.neutral_band == 0.05
    for text in TEXTS:
        scores = reference.polarity_scores(text)
        result = analyzer.sentiment(text)
        assert result.polarity == scores["compound"]
        assert result.subjectivity == min(1.0, scores["pos"] + scores["neg"])
    assert analyzer.label(analyzer.sentiment(TEXTS[0]).polarity) == "positive"
    assert analyzer.label(analyzer.sentiment(TEXTS[1]).polarity) == "negative"


def test_vader_documented_neutral_band() -> None:
    vader = VaderScorer()
    assert [vader.label(p) for p in (0.06, 0.05, 0.0, -0.05, -0.06)] == [
        "positive",
        "neutral",
        "neutral",
        "neutral",
        "negative",
    ]
    assert VaderScorer(neutral_band=0.5).label(0.4) == "neutral"
    assert make_scorer("vader", neutral_band=0.0).label(0.01) == "positive"


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("sentiwordnet", ["unknown scorer", "textblob, vader, model:PATH"]),
        ("vader:extra", ["takes no argument", "--scorer vader"]),
        ("textblob:x", ["takes no argument"]),
        ("model", ["model:PATH"]),
    ],
)
def test_bad_scorer_names_say_what_to_give(spec: str, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        make_scorer(spec)
    assert all(word in str(info.value) for word in words)


@pytest.mark.parametrize("band", [-0.1, 1.0])
def test_bad_band(band: float) -> None:
    with pytest.raises(ConfigError, match="neutral band"):
        make_scorer("vader", neutral_band=band)
