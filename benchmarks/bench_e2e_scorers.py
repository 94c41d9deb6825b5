"""End-to-end listener throughput with the other scorers: ``--scorer model:PATH`` and ``--scorer vader``.

The same runs as :mod:`benchmarks.bench_e2e` (a preloaded topic, ``os.cpu_count()`` workers, a fresh
SQLite store, the steady rate from 10% to 90% of the tweets stored), with the workers scoring by
the trained model (trained here by ``tweetpulse train`` on the shared labeled CSV) and by VADER.
Both score a whole poll batch with their batch method. Figures: ``e2e_model_*`` and ``e2e_vader_*``;
``python -m benchmarks`` divides the steady rates by one core of plain TextBlob measured in the same
session (``e2e_model_vs_textblob``, ``e2e_vader_vs_textblob``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import bench_e2e
from benchmarks.data import SHARED_CSV
from tests.support.broker import Broker

Figure = dict[str, Any]
# the same 200k tweets as the default scorer's figure: with 100k a slower scorer's 10%-90% window (3-4 s)
# still held the workers' ramp-up (the model's load, the first fetches), which the default's does not
N_FULL, N_QUICK = bench_e2e.N_FULL, 20_000
KEEP = ("steady_tweets_per_s", "start_s", "tweets_per_s")


def train_model(folder: Path) -> Path:
    """A model file trained by ``tweetpulse train`` on the shared labeled tweets."""
    if not SHARED_CSV.is_file():
        raise RuntimeError(f"{SHARED_CSV} is missing: the model benchmark trains on it")
    out = folder / "bench-model.skops"
    tweetpulse = Path(sys.executable).with_name("tweetpulse")
    done = subprocess.run(
        [str(tweetpulse), "train", "--dataset", str(SHARED_CSV), "--out", str(out), "--folds", "3"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"tweetpulse train failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return out


def run(broker: Broker, n: int = N_FULL, runs: int = 2) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scorers-") as tmp:
        model = train_model(Path(tmp))
        for name, spec in (("model", f"model:{model}"), ("vader", "vader")):
            got = bench_e2e.run(broker, n, runs, prefix=f"e2e_{name}", scorer=spec)
            for key, figure in got.items():
                figure["settings"]["scorer"] = (
                    "model:PATH (tweetpulse train on the shared CSV)" if name == "model" else spec
                )
                figures[key] = figure
    return figures
