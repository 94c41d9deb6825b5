"""The analyzer registry: scorers by name (``name[:arg]``), their neutral bands, one-line errors."""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterator

import pytest

from tweetpulse.errors import ConfigError
from tweetpulse.pipeline.listener import ListenerSettings
from tweetpulse.scorers import registry
from tweetpulse.scorers.base import BandedScorer, Scorer, Sentiment
from tweetpulse.scorers.registry import ScorerEntry, ScorerSpec, make_scorer, parse_spec, scorer_names
from tweetpulse.scorers.scoring import TextBlobScorer, score_tweet, textblob_sentiment

pytestmark = pytest.mark.unit


class WordCount(BandedScorer):
    """A stand-in scorer that takes an argument: polarity +0.1 per occurrence of its word."""

    DEFAULT_BAND = 0.05

    def __init__(self, word: str, neutral_band: float | None) -> None:
        super().__init__(neutral_band)
        self.word = word
        self.name = f"count:{word}"

    def sentiment(self, text: str) -> Sentiment:
        return Sentiment(min(1.0, 0.1 * text.split().count(self.word)), 0.0)


def make_word_count(arg: str | None, *, neutral_band: float | None, cache_size: int) -> WordCount:
    assert arg is not None  # the registry only calls it with its argument
    return WordCount(arg, neutral_band)


@pytest.fixture
def with_word_count() -> Iterator[None]:
    """Registers ``count:WORD`` for one test, as a module adding a scorer would."""
    registry.SCORERS["count"] = ScorerEntry(make_word_count, argument="WORD")
    try:
        yield
    finally:
        del registry.SCORERS["count"]


def one_line(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    lines = str(exc.value).splitlines()
    assert len(lines) == 1
    return lines[0]


def test_textblob_is_the_default_and_keeps_its_band_and_cache() -> None:
    analyzer = make_scorer()
    assert isinstance(analyzer, TextBlobScorer) and TextBlobScorer is TextBlobScorer
    assert analyzer.name == "textblob" and analyzer.neutral_band == 0.0
    assert analyzer.cache_info()["capacity"] == 65536
    banded = make_scorer("textblob", neutral_band=0.25, cache_size=8)
    assert banded.neutral_band == 0.25 and isinstance(banded, TextBlobScorer)
    assert banded.cache_info()["capacity"] == 8
    assert make_scorer(" TextBlob ").name == "textblob"  # names are forgiving about case and spaces


def test_textblob_analyzer_gives_named_exact_sentiments() -> None:
    result = make_scorer("textblob").sentiment("What a great day!")
    assert isinstance(result, Sentiment)
    assert (result.polarity, result.subjectivity) == textblob_sentiment("What a great day!")


def test_unknown_scorer_is_one_line_listing_the_known_ones(with_word_count: None) -> None:
    with pytest.raises(ConfigError) as info:
        make_scorer("sentiwordnet")
    line = one_line(info)
    assert "unknown scorer 'sentiwordnet'" in line and "textblob" in line and "count:WORD" in line
    with pytest.raises(ConfigError, match="unknown scorer ''"):
        parse_spec("")


def test_spec_parsing_splits_name_and_argument_at_the_first_colon(with_word_count: None) -> None:
    assert parse_spec("textblob") == ScorerSpec("textblob", None)
    assert parse_spec("count:moon") == ScorerSpec("count", "moon")
    assert parse_spec("count:C:/models/m.pkl") == ScorerSpec("count", "C:/models/m.pkl")
    assert scorer_names() == "textblob, vader, model:PATH, count:WORD"


def test_a_scorer_without_argument_refuses_one_and_one_with_needs_it(with_word_count: None) -> None:
    with pytest.raises(ConfigError) as info:
        parse_spec("textblob:fast")
    assert "takes no argument" in one_line(info) and "--scorer textblob" in one_line(info)
    for spec in ("count", "count:"):
        with pytest.raises(ConfigError) as info:
            parse_spec(spec)
        assert "needs a WORD" in one_line(info) and "--scorer count:WORD" in one_line(info)


def test_a_registered_scorer_is_built_with_its_argument_and_own_default_band(with_word_count: None) -> None:
    analyzer = make_scorer("count:moon")
    assert isinstance(analyzer, WordCount) and analyzer.name == "count:moon"
    assert analyzer.neutral_band == 0.05  # its own default, not textblob's 0
    assert score_tweet(analyzer, "moon", None).label == "positive"  # 0.1 > 0.05
    assert make_scorer("count:moon", neutral_band=0.2).label(0.1) == "neutral"  # --neutral-band overrides
    assert make_scorer("count:moon", neutral_band=0.0).neutral_band == 0.0
    checked: Scorer = analyzer  # the protocol fits a plain class with BandedScorer's rule
    assert checked.sentiment("to the moon moon").polarity == pytest.approx(0.2)


@pytest.mark.parametrize("band", [-0.1, math.nan, math.inf])
def test_a_bad_neutral_band_is_one_line(band: float) -> None:
    with pytest.raises(ConfigError) as info:
        make_scorer("textblob", neutral_band=band)
    assert "neutral band" in one_line(info) and "--neutral-band" in one_line(info)


def test_neutral_band_rule_rejects_bad_bands_even_without_the_registry() -> None:
    with pytest.raises(ConfigError):
        BandedScorer(-1.0)
    with pytest.raises(ConfigError):
        BandedScorer(math.nan)
    assert BandedScorer().neutral_band == 0.0 and BandedScorer(None).label(0.0) == "neutral"


def test_listener_settings_carry_the_name_and_workers_build_from_it() -> None:
    settings = ListenerSettings(scorer="textblob", neutral_band=0.3, cache_size=16)
    copy = pickle.loads(pickle.dumps(settings))  # what spawn sends a worker
    assert copy.scorer == "textblob" and copy.neutral_band == 0.3
    analyzer = copy.make_scorer()
    assert isinstance(analyzer, TextBlobScorer)
    assert (analyzer.neutral_band, analyzer.cache_info()["capacity"]) == (0.3, 16)
    assert ListenerSettings().make_scorer().neutral_band == 0.0  # no band given: the scorer's own


def test_listener_settings_refuse_a_bad_scorer_before_anything_starts() -> None:
    with pytest.raises(ConfigError, match="unknown scorer 'nope'"):
        ListenerSettings(scorer="nope")
    with pytest.raises(ConfigError, match="neutral band"):
        ListenerSettings(neutral_band=-1.0)
