"""Does sentiment move with the price, or ahead of it? An honest lead/lag test.

The question is asked of **returns**, never of price levels (two trending levels correlate by accident):
the return of a period is the log change of the close ending at that period. Sentiment per period is
the weighted score summed over the coin's posts (0 where there were none). A lag ``L > 0`` pairs
sentiment at ``t`` with the return ending at ``t + L`` (sentiment leads); ``L < 0``: the price leads.

- **Cross-correlation** at every lag from ``-max_lag`` to ``+max_lag``, each with its own pair count
  ``n``; under independence a correlation is about normal with standard error ``1/sqrt(n)`` (Bartlett,
  when at least one series is white noise, as returns nearly are). Testing ``2 max_lag + 1`` lags and
  picking the best inflates it, so the best lag is called significant only beyond the **Bonferroni**
  band (``z`` for ``0.05 / lags``), and its p-value is multiplied by the number of lags.
- **Granger tests** both ways (statsmodels' F test at lags 1 to ``min(max_lag, 12)``), the smallest p-value
  Bonferroni-corrected over those lags, on the longest stretch without a gap (its latest
  :data:`MODEL_ROWS` periods): does the past of one series help predict the other beyond its own past?
  A small p is evidence of predictive lead, never of cause.
- **Warnings** in plain words: too few periods, gaps in the prices, a sentiment level that wanders
  (Augmented Dickey-Fuller: then its changes are tested instead), the many lags tested.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tweetpulse.errors import ConfigError

ALPHA = 0.05
MIN_PERIODS = 60  # fewer overlapping periods than this: warned
MAX_LAG_LIMIT = 500
MODEL_ROWS = 10_000  # the Granger and ADF tests look at the latest this many periods (bounded work)
GRANGER_LAGS = 12  # at most this many lags in the Granger tests
ADF_LAGS = 20  # and in the ADF test's lag search


class LagCorrelation(NamedTuple):
    lag: int
    correlation: float
    pairs: int
    band: float  # the 95 % band of one lag alone: 1.96 / sqrt(pairs)


class Correlation(NamedTuple):
    """The answer (``as_dict()`` is the ``--json`` output)."""

    coin: str
    freq: str
    periods: int
    max_lag: int
    lags: list[LagCorrelation]
    best_lag: int
    best_lag_minutes: float
    correlation: float
    p_value: float  # the best lag's, Bonferroni-corrected over the lags tested
    bonferroni_band: float
    significant: bool
    granger_p_sentiment_to_price: float | None
    granger_p_price_to_sentiment: float | None
    sentiment_differenced: bool
    warnings: list[str]
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        data = self._asdict()
        data["lags"] = [lag._asdict() for lag in self.lags]
        return data


def period_minutes(freq: str) -> float:
    """How many minutes one period of ``freq`` (``1min``, ``5min``, ``1h``) lasts."""
    try:
        delta = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except (ValueError, TypeError):
        raise ConfigError(f"--freq {freq!r}: give a fixed period such as 1min, 5min, 15min or 1h") from None
    if delta <= pd.Timedelta(0):
        raise ConfigError(f"--freq {freq!r}: give a fixed period such as 1min, 5min, 15min or 1h")
    return float(delta / pd.Timedelta(minutes=1))


def returns_of(close: pd.Series) -> pd.Series:
    """Log returns of a close series (NaN after a missing close: a gap is not a zero return)."""
    close = close.where(close > 0)
    return np.log(close).diff()


def cross_correlation(sentiment: pd.Series, returns: pd.Series, max_lag: int) -> list[LagCorrelation]:
    """corr(sentiment_t, return_{t+L}) for L in -max_lag..max_lag, over the pairs both have."""
    s = sentiment.to_numpy(dtype=float)
    r = returns.reindex(sentiment.index).to_numpy(dtype=float)
    out = []
    for lag in range(-max_lag, max_lag + 1):
        a, b = (s[: len(s) - lag], r[lag:]) if lag >= 0 else (s[-lag:], r[: len(r) + lag])
        keep = np.isfinite(a) & np.isfinite(b)
        a, b = a[keep], b[keep]
        n = len(a)
        ok = n > 2 and a.std() > 0 and b.std() > 0
        value = float(np.corrcoef(a, b)[0, 1]) if ok else math.nan
        out.append(LagCorrelation(lag, value, n, 1.96 / math.sqrt(n) if n else math.inf))
    return out


def _norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def _norm_isf(p: float) -> float:
    from scipy.stats import norm

    return float(norm.isf(p))


def lag_p_value(r: float, n: int) -> float:
    """Two-sided p of a correlation ``r`` over ``n`` pairs under independence (Fisher's z)."""
    if n <= 3 or not math.isfinite(r):
        return 1.0
    z = math.atanh(max(min(r, 0.999999), -0.999999)) * math.sqrt(n - 3)
    return min(1.0, 2 * _norm_sf(abs(z)))


def longest_run(frame: pd.DataFrame) -> pd.DataFrame:
    """The longest stretch of consecutive rows without a NaN (lags must not reach across a gap)."""
    good = frame.notna().all(axis=1).to_numpy()
    best, best_start, start = 0, 0, None
    for i, ok in enumerate([*good, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if i - start > best:
                best, best_start = i - start, start
            start = None
    return frame.iloc[best_start : best_start + best]


def granger_p(effect: pd.Series, cause: pd.Series, lags: int) -> float | None:
    """Smallest F-test p over lags 1..``lags`` that ``cause``'s past helps predict ``effect``,
    Bonferroni-corrected over the lags, on the longest gap-free stretch; None when it is too short."""
    from statsmodels.tsa.stattools import grangercausalitytests

    data = longest_run(pd.concat([effect, cause], axis=1)).to_numpy()[-MODEL_ROWS:]
    if lags < 1 or len(data) < 3 * lags + 10 or np.std(data[:, 0]) == 0 or np.std(data[:, 1]) == 0:
        return None
    results = grangercausalitytests(data, maxlag=lags)
    p = min(float(results[lag][0]["ssr_ftest"][1]) for lag in range(1, lags + 1))
    return min(1.0, p * lags)


def wanders(series: pd.Series) -> float | None:
    """The ADF p-value of ``series`` (large: it may wander like a random walk); None if too short."""
    from statsmodels.tsa.stattools import adfuller

    values = series.dropna().to_numpy()[-MODEL_ROWS:]
    if len(values) < 20 or np.std(values) == 0:
        return None
    return float(adfuller(values, maxlag=min(ADF_LAGS, len(values) // 10), autolag="AIC", result_object=False)[1])


def _grid(sentiment: pd.Series, close: pd.Series, freq: str) -> tuple[pd.Series, pd.Series]:
    """Sentiment summed and the last close per period, on one regular grid over the time both cover."""
    if sentiment.empty or close.dropna().empty:
        raise ConfigError("no sentiment or no prices to compare: check --store / --sentiment / --prices and --coin")
    s = sentiment.resample(freq).sum()
    c = close.resample(freq).last()
    start, end = max(s.index.min(), c.index.min()), min(s.index.max(), c.index.max())
    if start >= end:
        raise ConfigError(
            f"the sentiment ({s.index.min()} to {s.index.max()}) and the prices ({c.index.min()} to "
            f"{c.index.max()}) don't overlap in time: give prices of the same period"
        )
    grid = pd.date_range(start, end, freq=freq)
    return s.reindex(grid, fill_value=0.0).astype(float), c.reindex(grid).astype(float)


def _verdict(best: LagCorrelation, p: float, significant: bool, minutes: float, granger: tuple[Any, Any]) -> str:
    where = "sentiment leading" if best.lag > 0 else ("the price leading" if best.lag < 0 else "in the same period")
    if not significant:
        text = (
            f"No lag shows a correlation beyond chance: the largest, r = {best.correlation:+.3f} at lag "
            f"{best.lag} ({best.lag * minutes:g} min), has a Bonferroni-corrected p = {p:.3g}. "
            "Treat sentiment and returns as unrelated in this sample."
        )
    else:
        text = (
            f"Sentiment and returns move together at lag {best.lag} ({best.lag * minutes:g} min, {where}): "
            f"r = {best.correlation:+.3f}, Bonferroni-corrected p = {p:.3g}. That is an association in this "
            "sample, not proof that one drives the other."
        )
    to_price, to_sentiment = granger
    for p_value, what in (
        (to_price, "sentiment's past helps predict returns"),
        (to_sentiment, "returns' past helps predict sentiment"),
    ):
        if p_value is not None and p_value < ALPHA:
            text += f" Granger: {what} (p = {p_value:.3g}, corrected over lags)."
    return text


def _data_warnings(close: pd.Series, periods: int, max_lag: int) -> list[str]:
    """What the data itself says about trusting the answer: gaps, too few periods, levels."""
    warnings = []
    gaps = int(close.isna().sum())
    if gaps:
        warnings.append(
            f"{gaps} of {len(close)} periods have no price (gaps): returns across them are left out, not "
            "taken as zero; fewer pairs, and the periods kept may not be typical"
        )
    wanted = max(MIN_PERIODS, 10 * max_lag)
    if periods < wanted:
        warnings.append(
            f"only {periods} periods with a return: too few for a correlation to mean much (want at least "
            f"{wanted}); collect longer or use a shorter --freq"
        )
    warnings.append(
        "prices are compared as returns, never as levels: two price-like levels that both trend correlate by accident"
    )
    return warnings


def correlate(
    sentiment: pd.Series, close: pd.Series, *, coin: str = "", freq: str = "1min", max_lag: int = 10
) -> Correlation:
    """Lead/lag of ``sentiment`` (scores, UTC time index) and the returns of ``close`` (UTC time index)."""
    minutes = period_minutes(freq)
    if not 1 <= max_lag <= MAX_LAG_LIMIT:
        raise ConfigError(f"--max-lag {max_lag}: give 1 to {MAX_LAG_LIMIT} periods")
    s, c = _grid(sentiment, close, freq)
    returns = returns_of(c)
    periods = int(returns.notna().sum())
    warnings = _data_warnings(c, periods, max_lag)
    adf = wanders(s)
    differenced = adf is not None and adf > ALPHA
    if differenced:
        s = s.diff()
        warnings.append(
            f"the sentiment level wanders like a random walk (ADF p = {adf:.2g}): its changes per period were "
            "tested instead of its level"
        )
    lags = cross_correlation(s, returns, max_lag)
    tested = [lag for lag in lags if math.isfinite(lag.correlation)]
    if not tested:
        raise ConfigError("no lag has enough pairs to correlate: collect longer or lower --max-lag")
    k = len(lags)
    warnings.append(
        f"{k} lags were tested: the best of them looks stronger than it is by chance alone, so its "
        f"significance is Bonferroni-corrected (x{k})"
    )
    best = max(tested, key=lambda lag: (abs(lag.correlation), -abs(lag.lag)))
    p = min(1.0, lag_p_value(best.correlation, best.pairs) * k)
    band = _norm_isf(ALPHA / (2 * k)) / math.sqrt(best.pairs)
    significant = p < ALPHA
    granger_lags = min(max_lag, GRANGER_LAGS)
    granger = (granger_p(returns, s, granger_lags), granger_p(s, returns, granger_lags))
    if None in granger:
        warnings.append("too few periods for the Granger tests at these lags: they were not run")
    return Correlation(
        coin=coin,
        freq=freq,
        periods=periods,
        max_lag=max_lag,
        lags=lags,
        best_lag=best.lag,
        best_lag_minutes=best.lag * minutes,
        correlation=best.correlation,
        p_value=p,
        bonferroni_band=band,
        significant=significant,
        granger_p_sentiment_to_price=granger[0],
        granger_p_price_to_sentiment=granger[1],
        sentiment_differenced=differenced,
        warnings=warnings,
        verdict=_verdict(best, p, significant, minutes, granger),
    )


def render(result: Correlation) -> str:
    """The report as text: the correlation per lag with both bands, the answer, the warnings."""
    lines = [
        f"{result.coin or 'sentiment'} vs returns, {result.periods} periods of {result.freq}, lags "
        f"-{result.max_lag}..+{result.max_lag} (L > 0: sentiment leads)",
        f"{'lag':>5} {'r':>8} {'pairs':>6}  (|r| beyond {result.bonferroni_band:.3f}: significant after Bonferroni)",
    ]
    for lag in result.lags:
        mark = (
            " *" if abs(lag.correlation) > result.bonferroni_band else (" ." if abs(lag.correlation) > lag.band else "")
        )
        lines.append(f"{lag.lag:>5} {lag.correlation:>+8.3f} {lag.pairs:>6}{mark}")
    lines.append(
        "(. beyond one lag's 95% band 1.96/sqrt(n), expected by chance at about 1 lag in 20; * beyond Bonferroni's)"
    )

    def p_text(p: float | None) -> str:
        return "not run" if p is None else f"{p:.3g}"

    lines += [
        f"best lag {result.best_lag} ({result.best_lag_minutes:g} min), r = {result.correlation:+.3f}, "
        f"p (Bonferroni) = {result.p_value:.3g}",
        f"Granger p, sentiment -> price: {p_text(result.granger_p_sentiment_to_price)}; "
        f"price -> sentiment: {p_text(result.granger_p_price_to_sentiment)}",
        result.verdict,
        *(f"warning: {w}" for w in result.warnings),
    ]
    return "\n".join(lines)
