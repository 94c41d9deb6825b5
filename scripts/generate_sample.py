"""Generate the bundled offline sample: synthetic tweets about Bitcoin, Ethereum and Dogecoin.

    python scripts/generate_sample.py            # rewrites tweetpulse/data/sample_tweets.jsonl.gz

Everything comes from one seeded ``random.Random``, and the gzip header carries no time or name,
so the same seed and count always give the same bytes. The texts are written from the templates
in ``tweetpulse/sources/phrases.py`` by ``tweetpulse/sources/composer.py`` (no real tweets; the
demo composes its endless stream with the same functions): positive, negative and neutral
phrasings, sarcasm, negations, emoji, cashtags, hashtags, links and mentions, a few other languages; about 11% retweets
(``RT @user: `` + an earlier text) and 7% exact copies of earlier texts by other accounts.
Follower counts are heavy-tailed (lognormal, plus a few accounts with millions) and the
timestamps span three hours with a couple of news bursts.
"""

from __future__ import annotations

import argparse
import gzip
import io
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(ROOT))

from tweetpulse.keywords import KeywordMatcher  # noqa: E402
from tweetpulse.sources.composer import Account, iso, make_accounts, original, snowflake  # noqa: E402
from tweetpulse.sources.phrases import MAX_LEN  # noqa: E402

DEFAULT_OUT = ROOT / "tweetpulse" / "data" / "sample_tweets.jsonl.gz"
DEFAULT_COUNT = 5000
DEFAULT_SEED = 20240305
START = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)
SPAN_SECONDS = 3 * 3600
RETWEET_SHARE = 0.11
COPY_SHARE = 0.07


def make_times(rng: random.Random, count: int) -> tuple[list[datetime], list[tuple[float, str, str]]]:
    """Sorted tweet times: a steady flow plus two news bursts (each with a coin and a mood)."""
    bursts = [
        (rng.uniform(0.2, 0.45) * SPAN_SECONDS, "bitcoin", "neg"),
        (rng.uniform(0.6, 0.85) * SPAN_SECONDS, "dogecoin", "pos"),
    ]
    offsets = []
    for _ in range(count):
        if rng.random() < 0.25:
            center = rng.choice(bursts)[0]
            offset = min(max(rng.gauss(center, 240.0), 0.0), SPAN_SECONDS - 1.0)
        else:
            offset = rng.uniform(0.0, SPAN_SECONDS)
        offsets.append(round(offset, 3))
    offsets.sort()
    return [START + timedelta(seconds=s) for s in offsets], bursts


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """The sample records (tweet-record dicts, ``source="sample"``), oldest first."""
    rng = random.Random(seed)
    matcher = KeywordMatcher()
    accounts = make_accounts(rng, max(50, count // 4))
    # activity is heavy-tailed too: a few accounts tweet a lot
    activity = [1.0 / (rank + 1) ** 0.8 for rank in range(len(accounts))]
    times, bursts = make_times(rng, count)
    used: set[int] = set()
    originals: list[tuple[str, str, Account, str]] = []  # text, lang, author, mood
    records: list[dict[str, Any]] = []
    for moment in times:
        author = rng.choices(accounts, weights=activity)[0]
        roll = rng.random()
        if originals and roll < RETWEET_SHARE:
            popular = [math.sqrt(orig[2].followers + 1) for orig in originals]
            text, lang, source_author, _ = rng.choices(originals, weights=popular)[0]
            text = f"RT @{source_author.username}: {text}"
            text = text if len(text) <= MAX_LEN else text[: MAX_LEN - 1] + "…"
        elif originals and roll < RETWEET_SHARE + COPY_SHARE:
            spam = [orig for orig in originals if orig[3] == "spam"]
            pool = spam if spam and rng.random() < 0.5 else originals
            text, lang, _, _ = rng.choice(pool)
        else:
            offset = (moment - START).total_seconds()
            text, lang, mood = original(rng, offset, bursts, accounts)
            originals.append((text, lang, author, mood))
        keywords = matcher.match(text)
        if not keywords:
            raise AssertionError(f"generated a tweet that names no coin: {text!r}")
        records.append(
            {
                "v": 1,
                "id": snowflake(moment, rng, used),
                "text": text,
                "created_at": iso(moment),
                "author": author.username,
                "author_id": author.author_id,
                "followers": author.followers,
                "lang": lang,
                "keywords": keywords,
                "source": "sample",
            }
        )
    return records


def build_bytes(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> bytes:
    """The gzip file's exact bytes (no name or time in the header, so it is reproducible)."""
    body = b"".join(orjson.dumps(record) + b"\n" for record in generate(count, seed))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(body)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write (default: the bundled file)")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="number of tweets (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    args = parser.parse_args(argv)
    data = build_bytes(args.count, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.count} tweets to {args.out} ({len(data) / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
