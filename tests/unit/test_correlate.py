"""``correlate`` on synthetic series: a planted lead is found at its lag, independent series are not
called related (over many seeds, at about the rate the test promises), and the warnings fire."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tweetpulse.cli import main
from tweetpulse.errors import ConfigError
from tweetpulse.workbook.correlate import correlate, render

START = pd.Timestamp("2026-11-01T00:00:00Z")


def planted(
    seed: int, lead: int, n: int = 600, strength: float = 0.35, freq: str = "1min"
) -> tuple[pd.Series, pd.Series]:
    """Sentiment per period, and closes whose return ending at t + lead follows sentiment at t."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(START, periods=n, freq=freq)
    sentiment = rng.normal(0, 1, n)
    returns = rng.normal(0, 0.001, n)
    if lead >= 0:
        returns[lead:] += strength * 0.001 * sentiment[: n - lead]
    else:
        sentiment[-lead:] += strength * returns[: n + lead] / 0.001
    close = 60_000 * np.exp(np.cumsum(returns))
    return pd.Series(sentiment, index=index), pd.Series(close, index=index)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("lead", [3, 1, -2])
def test_a_planted_lead_is_found_at_its_lag(seed: int, lead: int) -> None:
    sentiment, close = planted(seed, lead)
    result = correlate(sentiment, close, coin="bitcoin", max_lag=10)
    assert result.best_lag == lead
    assert result.best_lag_minutes == lead
    assert result.significant and result.p_value < 0.01 and result.correlation > 0.2
    forward, backward = result.granger_p_sentiment_to_price, result.granger_p_price_to_sentiment
    assert forward is not None and backward is not None
    if lead > 0:
        assert forward < 0.01
    else:
        assert backward < 0.01
    assert "move together at lag" in result.verdict


def test_the_lag_is_told_in_minutes_whatever_the_period() -> None:
    sentiment, close = planted(7, 2, freq="5min")
    result = correlate(sentiment, close, freq="5min", max_lag=6)
    assert (result.best_lag, result.best_lag_minutes) == (2, 10.0)


def test_independent_series_are_not_called_related() -> None:
    """20 seeds of independent sentiment and a random-walk price: a Bonferroni-corrected 5 % test
    may flag about one in twenty by chance, never many; the text never says related when not significant."""
    flagged = granger_flagged = 0
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        index = pd.date_range(START, periods=500, freq="1min")
        sentiment = pd.Series(rng.normal(0, 1, 500), index=index)
        close = pd.Series(60_000 * np.exp(np.cumsum(rng.normal(0, 0.001, 500))), index=index)
        result = correlate(sentiment, close, max_lag=10)
        flagged += result.significant
        granger_flagged += any(
            p is not None and p < 0.05
            for p in (result.granger_p_sentiment_to_price, result.granger_p_price_to_sentiment)
        )
        if not result.significant:
            assert "unrelated" in result.verdict and "move together" not in result.verdict
        assert abs(result.correlation) < 0.25
    assert flagged <= 1 and granger_flagged <= 2  # 0 and 0 on these seeds; a 5 % test allows about 1


def test_two_trending_levels_are_not_related_through_their_levels() -> None:
    """Both series trend upwards (a price and a sentiment level that drift): their levels correlate
    strongly, their returns and changes don't; the test looks at returns and changes and says why."""
    rng = np.random.default_rng(3)
    index = pd.date_range(START, periods=400, freq="1min")
    close = pd.Series(60_000 * np.exp(np.cumsum(0.0005 + rng.normal(0, 0.001, 400))), index=index)
    sentiment = pd.Series(np.cumsum(0.05 + rng.normal(0, 1, 400)), index=index)
    assert np.corrcoef(close, sentiment)[0, 1] > 0.8  # the accident a levels test would report
    result = correlate(sentiment, close, max_lag=5)
    assert not result.significant
    assert result.sentiment_differenced
    assert any("wanders like a random walk" in w for w in result.warnings)
    assert any("never as levels" in w for w in result.warnings)


def test_warnings_for_few_periods_gaps_and_many_lags() -> None:
    sentiment, close = planted(1, 2, n=45)
    close.iloc[10:14] = np.nan
    close = close.dropna()
    result = correlate(sentiment, close, max_lag=4)
    text = " ".join(result.warnings)
    assert "too few for a correlation to mean much" in text
    assert "4 of 45 periods have no price" in text
    assert "9 lags were tested" in text and "Bonferroni" in text
    report = render(result)
    assert "warning: only" in report and "lag" in report


def test_no_overlap_and_bad_arguments_are_config_errors() -> None:
    sentiment, close = planted(1, 2, n=100)
    with pytest.raises(ConfigError, match="don't overlap"):
        correlate(sentiment, close.shift(1, freq="1D"))
    with pytest.raises(ConfigError, match="--freq"):
        correlate(sentiment, close, freq="fortnightly")
    with pytest.raises(ConfigError, match="--max-lag"):
        correlate(sentiment, close, max_lag=0)


def test_the_cli_reads_csvs_and_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sentiment, close = planted(11, 3, n=600)
    sentiment_csv, prices_csv = tmp_path / "sentiment.csv", tmp_path / "prices.csv"
    # sentiment as ISO times, one row per post (two half-posts per minute), a row that can't be read
    halves = pd.concat([sentiment / 2, sentiment / 2]).sort_index()
    pd.DataFrame({"time": [t.isoformat() for t in halves.index], "score": halves.to_numpy()}).to_csv(
        sentiment_csv, index=False
    )
    with sentiment_csv.open("a") as f:
        f.write("not a time,1.0\n")
    ohlc = pd.DataFrame(
        {
            "Timestamp": [int(t.timestamp()) for t in close.index],
            "Open": close,
            "High": close,
            "Low": close,
            "Close": close,
        }
    )
    ohlc.loc[ohlc.index[5], "Close"] = np.nan  # a NaN row: left out, a gap
    ohlc.to_csv(prices_csv, index=False)
    code = main(
        ["correlate", "--sentiment", str(sentiment_csv), "--prices", str(prices_csv), "--max-lag", "8", "--json"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["best_lag_minutes"] == 3 and out["correlation"] > 0.2
    assert out["granger_p_sentiment_to_price"] < 0.01 and out["granger_p_price_to_sentiment"] is not None
    assert len(out["lags"]) == 17
    assert any("1 row(s) of the sentiment" in w for w in out["warnings"])
    assert any("1 row(s) of the prices" in w for w in out["warnings"])


def test_the_cli_reads_both_series_from_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Sentiment from the store's tweets (summed per minute, one group), prices from its prices table."""
    from tests.support.stores import T0, stored_row, write_store
    from tweetpulse.prices.bars import MinuteBar
    from tweetpulse.stores.prices import open_price_store

    start = pd.Timestamp(T0 // 60 * 60, unit="s", tz="UTC")
    sentiment, close = planted(21, 2, n=400)
    sentiment.index = close.index = pd.date_range(start, periods=400, freq="1min")
    rows = []
    for i, value in enumerate(sentiment):  # one bitcoin tweet a minute, its score the planted value
        polarity = max(-1.0, min(1.0, value / 4))
        row = stored_row(i, polarity, None, ["bitcoin"], "a", (start.timestamp() - T0) + 60 * i + 5, "neutral")
        rows.append(row)
        rows.append({**stored_row(10_000 + i, 0.9, 10, ["ethereum"], "b", row["scored_at"] - T0, "positive")})
    store = write_store(tmp_path / "tweets.db", rows)
    bars = [
        MinuteBar("BTC-USD", int(t.timestamp()), "bitcoin", c, c, c, c, 1, t.timestamp(), t.timestamp(), "replay")
        for t, c in close.items()
    ]
    with open_price_store(store) as prices:
        prices.upsert(bars)
    assert main(["correlate", "--store", str(store), "--coin", "bitcoin", "--max-lag", "6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["best_lag_minutes"] == 2 and out["significant"] and out["periods"] >= 390
    assert main(["correlate", "--store", str(store), "--coin", "dogecoin"]) == 2
    assert "no posts about 'dogecoin'" in capsys.readouterr().err
