"""Micro benchmark: tweetpulse.scorers.scoring.TextBlobScorer against plain ``TextBlob(text).sentiment``.

Texts: the seeded generated corpus (about 20% repeats / retweets) plus every tweet of the shared
validation CSV when it is present.  Each measurement runs ``repeats`` times over all texts and
reports the median throughput:

* ``textblob_tweets_per_s`` -- ``TextBlob(text).sentiment`` per text;
* ``scorer_tweets_per_s`` -- ``TextBlobScorer(cache_size=0)``, i.e. no result cache at all, on the path
  the listener takes by default: ``scorer_engine`` says which (``native``: the compiled core;
  ``python``: the pure-Python fallback, e.g. with ``TWEETPULSE_PURE_PYTHON=1``);
* ``scorer_python_tweets_per_s`` -- ``TextBlobScorer(cache_size=0, engine="python")``, the fallback, so that
  both paths are measured in every run;
* ``scorer_cached_tweets_per_s`` -- a fresh ``TextBlobScorer()`` (default cache) per repeat, so only
  repeats within the stream hit the cache, as with retweets in live traffic;
* ``scorer_full_cache_tweets_per_s`` -- a ``TextBlobScorer()`` that scored twice its cache's size of
  other texts (131,072) before the clock starts, so every new text evicts the oldest: a listener after its first
  minutes. (Evicting by a dict's ``next(iter())`` cost 29 µs a tweet here; this figure keeps it seen.)

``scorer_mismatches`` counts texts whose (polarity, subjectivity) differ from TextBlob's in any
bit, for the uncached and the cached scorer and the pure-Python fallback (it must be 0).

Run: ``.venv/bin/python benchmarks/bench_scorer.py [n_texts] [repeats]``
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.corpus import generate_tweets  # noqa: E402
from tweetpulse.scorers.scoring import TextBlobScorer, textblob_sentiment  # noqa: E402

VALIDATION_CSV = ROOT.parent / "shared" / "data" / "twitter_validation_sample.csv"


def load_texts(n_texts: int) -> list[str]:
    """The generated corpus plus the validation tweets (if the shared CSV exists)."""
    texts = generate_tweets(n_texts)
    if VALIDATION_CSV.is_file():
        with VALIDATION_CSV.open(encoding="utf-8", newline="") as fh:
            texts.extend(row[3] for row in csv.reader(fh) if len(row) >= 4)
    return texts


def _medians(
    texts: list[str], contenders: dict[str, Callable[[], Callable[[str], object]]], repeats: int
) -> dict[str, float]:
    """Median texts/s per contender over ``repeats`` rounds.

    Rounds interleave the contenders so that load changes on the machine hit them alike; each
    contender's factory builds a fresh scorer (hence an empty cache) for every pass.
    """
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, make in contenders.items():
            score = make()
            start = time.perf_counter()
            for text in texts:
                score(text)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in rates.items()}


def full_cache_scorer() -> Callable[[str], object]:
    """A default ``TextBlobScorer()`` with its cache already full of other texts (twice its size went
    through it, so it has evicted for a while, as in a long run)."""
    scorer = TextBlobScorer()
    for i in range(2 * scorer.cache_size):
        scorer.sentiment(f"filler {i}")
    return scorer.sentiment


def _bits(pair: tuple[float, float]) -> tuple[str, str]:
    return (pair[0].hex(), pair[1].hex())


def run(n_texts: int = 20000, repeats: int = 5) -> dict[str, float | int | str]:
    """Benchmark and cross-check; returns throughputs, their ratio, the mismatch count and the engine."""
    texts = load_texts(n_texts)
    engine = TextBlobScorer(cache_size=0).engine
    TextBlobScorer(cache_size=0).sentiment("warm up the lexicon")
    textblob_sentiment("warm up textblob")

    reference = [textblob_sentiment(t) for t in texts]
    scorers = (TextBlobScorer(cache_size=0), TextBlobScorer(), TextBlobScorer(cache_size=0, engine="python"))
    mismatches = sum(
        1
        for text, ref in zip(texts, reference, strict=True)
        if any(_bits(scorer.sentiment(text)) != _bits(ref) for scorer in scorers)
    )

    rates = _medians(
        texts,
        {
            "textblob": lambda: textblob_sentiment,
            "scorer": lambda: TextBlobScorer(cache_size=0).sentiment,
            "python": lambda: TextBlobScorer(cache_size=0, engine="python").sentiment,
            "cached": lambda: TextBlobScorer().sentiment,
            "full": full_cache_scorer,
        },
        repeats,
    )
    textblob_rate, scorer_rate, cached_rate = rates["textblob"], rates["scorer"], rates["cached"]
    return {
        "n_texts": len(texts),
        "repeats": repeats,
        "scorer_engine": engine,
        "scorer_tweets_per_s": round(scorer_rate, 1),
        "scorer_python_tweets_per_s": round(rates["python"], 1),
        "scorer_python_vs_textblob": round(rates["python"] / textblob_rate, 2),
        "textblob_tweets_per_s": round(textblob_rate, 1),
        "scorer_vs_textblob": round(scorer_rate / textblob_rate, 2),
        "scorer_mismatches": mismatches,
        "scorer_cached_tweets_per_s": round(cached_rate, 1),
        "scorer_cached_vs_textblob": round(cached_rate / textblob_rate, 2),
        "scorer_full_cache_tweets_per_s": round(rates["full"], 1),
        "scorer_full_cache_vs_textblob": round(rates["full"] / textblob_rate, 2),
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(run(*args), indent=2))
