"""notebooks/price.ipynb: a planted lead in files is found at its lag, the stored bars load into pandas,
and the notebook is committed without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.conftest import ROOT
from tests.notebook.test_notebooks import execute, outputs_text
from tests.unit.test_correlate import planted
from tweetpulse.prices.bars import fold_bars
from tweetpulse.prices.records import PriceTick
from tweetpulse.stores.prices import open_price_store


def test_price_notebook_finds_a_planted_lead_and_loads_the_bars(tmp_path: Path) -> None:
    sentiment, close = planted(5, 4, n=500)
    sentiment_file, prices_file = tmp_path / "sentiment.csv", tmp_path / "prices.csv"
    pd.DataFrame({"time": [int(t.timestamp()) for t in sentiment.index], "score": sentiment.to_numpy()}).to_csv(
        sentiment_file, index=False
    )
    seconds = [int(t.timestamp()) for t in close.index]
    pd.DataFrame({"Timestamp": seconds, "Open": close, "High": close, "Low": close, "Close": close}).to_csv(
        prices_file, index=False
    )
    store = tmp_path / "tweets.db"
    ticks = [
        PriceTick("BTC-USD", "bitcoin", f"{c:.2f}", t.isoformat().replace("+00:00", "Z"), "replay", i)
        for i, (t, c) in enumerate(close.head(5).items())
    ]
    with open_price_store(store) as prices:
        prices.upsert(fold_bars(ticks))
    nb = execute(
        "notebooks/price.ipynb",
        tmp_path / "p.out.ipynb",
        store=str(store),
        sentiment_file=str(sentiment_file),
        prices_file=str(prices_file),
        max_lag=8,
    )
    text = outputs_text(nb)
    assert "best lag 4 (4 min)" in text and "move together at lag 4" in text
    assert "17 lags were tested" in text
    assert "BTC-USD" in text and "replay" in text  # the stored bars, as a frame


def test_price_notebook_is_committed_without_outputs() -> None:
    nb = json.loads((ROOT / "notebooks" / "price.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert code[0]["metadata"].get("tags") == ["parameters"]
