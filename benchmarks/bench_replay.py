"""Replay parse speed: tweets/s read from a dataset file (no Kafka), keyword matching included.

    python -m benchmarks.bench_replay [N]

Writes ``N`` generated tweets as ``jsonl`` and as ``kaggle-entity`` CSV to a temporary folder and
times a full :class:`~tweetpulse.sources.replay.ReplaySource` pass over each (median of 3).
``replay_parse_tweets_per_s`` is the slower of the two formats.
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(ROOT))

from tweetpulse.records import Tweet  # noqa: E402
from tweetpulse.sources.replay import ReplaySource  # noqa: E402

REPEATS = 3
_WORDS = (
    "just",
    "bought",
    "more",
    "the",
    "dip",
    "is",
    "a",
    "gift",
    "chart",
    "looks",
    "ugly",
    "today",
    "honestly",
    "not",
    "selling",
    "fees",
    "are",
    "wild",
    "moon",
    "soon",
    "bears",
    "bulls",
    "volume",
    "support",
    "at",
)
_COINS = ("$BTC", "#Bitcoin", "ETH", "Ethereum", "$DOGE", "dogecoin", "btc's", "crypto", "markets", "stocks")


def _texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        words = rng.choices(_WORDS, k=rng.randint(8, 30))
        words.insert(rng.randrange(len(words)), rng.choice(_COINS))
        if rng.random() < 0.3:
            words.append("https://t.co/" + "".join(rng.choices("abcdefghijKLMNOP0123456789", k=10)))
        texts.append(" ".join(words) + rng.choice(("", " 🚀", "!", " 📉")))
    return texts


def write_files(folder: Path, n: int) -> dict[str, Path]:
    texts = _texts(n)
    jsonl = folder / "tweets.jsonl"
    with jsonl.open("wb") as out:
        for i, text in enumerate(texts):
            tweet = Tweet(
                id=str(1_700_000_000_000_000_000 + i),
                text=text,
                created_at="2024-03-05T14:00:00.000Z",
                author=f"user{i % 997}",
                author_id=str(i % 997),
                followers=i % 5000,
                lang="en",
            )
            out.write(tweet.to_json() + b"\n")
    entity = folder / "entity.csv"
    with entity.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for i, text in enumerate(texts):
            writer.writerow([2401 + i // 6, "Bitcoin", ("Positive", "Negative", "Neutral")[i % 3], text])
    return {"jsonl": jsonl, "kaggle-entity": entity}


def _time_pass(path: Path, fmt: str) -> tuple[float, int]:
    source = ReplaySource(path, fmt=fmt)
    started = time.perf_counter()
    count = sum(1 for _ in source)
    return time.perf_counter() - started, count


def run(n: int = 200_000) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        for fmt, path in write_files(Path(tmp), n).items():
            rates = []
            for _ in range(REPEATS):
                seconds, count = _time_pass(path, fmt)
                if count != n:
                    raise RuntimeError(f"{fmt}: read {count} tweets, expected {n}")
                rates.append(count / seconds)
            results[f"replay_parse_{fmt.replace('-', '_')}_tweets_per_s"] = round(statistics.median(rates))
    results["replay_parse_tweets_per_s"] = min(results.values())
    return results


if __name__ == "__main__":
    print(orjson.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000), option=orjson.OPT_INDENT_2).decode())
