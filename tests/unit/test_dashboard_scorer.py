"""The page says which scorer it uses, and its classify box scores with that scorer."""

from __future__ import annotations

import json

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tweetpulse.dashboard.app import build_app
from tweetpulse.dashboard.panels import classify
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.scorers.vader import VaderScorer

from .test_dashboard import page_model


def layout_text(app: object) -> str:
    return json.dumps(app.layout.to_plotly_json(), default=str)  # type: ignore[attr-defined]


def test_header_names_the_scorer() -> None:
    assert "scorer: textblob" in layout_text(build_app(Aggregator()))
    vader_page = layout_text(build_app(Aggregator(), classify=VaderScorer()))
    assert "scorer: vader" in vader_page and "TextBlob-exact" not in vader_page


def test_classify_box_uses_vader_when_the_page_does() -> None:
    app = build_app(Aggregator(), classify=VaderScorer())
    text = "Bitcoin is GREAT!!! but fees suck"
    got = classify(page_model(app).scorer, text, None, 1000)
    compound = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert got["ok"] and got["polarity"] == compound
    assert got["label"] == ("positive" if compound > 0.05 else "negative" if compound < -0.05 else "neutral")
