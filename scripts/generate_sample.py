"""Generate the bundled offline sample: synthetic tweets about Bitcoin, Ethereum and Dogecoin.

    python scripts/generate_sample.py            # rewrites tweetpulse/data/sample_tweets.jsonl.gz

Everything comes from one seeded ``random.Random``, and the gzip header carries no time or name,
so the same seed and count always give the same bytes. The texts are written from the templates
below (no real tweets): positive, negative and neutral phrasings, sarcasm, negations, emoji,
cashtags, hashtags, links and mentions, a few other languages; about 11% retweets
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
import string
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(ROOT))

from tweetpulse.keywords import KeywordMatcher  # noqa: E402

DEFAULT_OUT = ROOT / "tweetpulse" / "data" / "sample_tweets.jsonl.gz"
DEFAULT_COUNT = 5000
DEFAULT_SEED = 20240305
START = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)
SPAN_SECONDS = 3 * 3600
TWEPOCH_MS = 1288834974657  # X's snowflake epoch: ids grow with time like real ones
RETWEET_SHARE = 0.11
COPY_SHARE = 0.07
MAX_LEN = 280

COINS: dict[str, dict[str, Any]] = {
    "bitcoin": {
        "names": ["Bitcoin", "bitcoin", "BTC", "$BTC", "$BTC", "#Bitcoin", "#BTC", "btc"],
        "tags": ["#Bitcoin", "#BTC", "#HODL", "#crypto", "#cryptocurrency", "#Satoshi", "#BitcoinHalving"],
        "price": (58_000.0, 69_000.0),
        "amounts": [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
        "weight": 0.5,
    },
    "ethereum": {
        "names": ["Ethereum", "ETH", "$ETH", "$ETH", "#Ethereum", "#ETH", "ether", "eth"],
        "tags": ["#Ethereum", "#ETH", "#DeFi", "#Web3", "#crypto", "#altcoins"],
        "price": (3_300.0, 3_900.0),
        "amounts": [0.05, 0.1, 0.5, 1, 2, 5, 10, 32],
        "weight": 0.3,
    },
    "dogecoin": {
        "names": ["Dogecoin", "DOGE", "$DOGE", "$DOGE", "#Dogecoin", "#DOGE", "doge"],
        "tags": ["#Dogecoin", "#DOGE", "#DogeArmy", "#memecoin", "#ToTheMoon", "#crypto"],
        "price": (0.12, 0.19),
        "amounts": [50, 100, 420, 1000, 6969, 10000, 100000],
        "weight": 0.2,
    },
}

EMOJI = {
    "pos": ["🚀", "🌕", "💎🙌", "📈", "🔥", "💪", "🤑", "🎉", "🙌", "😎", "🐂", "🚀🚀🚀", "✅"],
    "neg": ["📉", "😭", "💀", "🩸", "😡", "🤦", "😩", "🐻", "😬", "🥲", "⚠️"],
    "sarc": ["🙃", "🤡", "😂", "👏", "🙄", "😅", "🫠"],
    "neutral": ["👀", "🤔", "📊", "🧐", "⏳", ""],
}

TEMPLATES: dict[str, list[str]] = {
    "pos": [
        "{coin} just broke {price}! {pos} This is only the beginning",
        "Bought more {coin} today. Long term this is a no-brainer {pos}",
        "{coin} up {pct}% this week and I'm loving every minute of it {pos}",
        "Massive volume on {coin} right now, the bulls are back {pos}",
        "So happy I held my {coin} through the dip. Patience pays off",
        "Green candles everywhere. {coin} looking really strong above {price}",
        "Great thread on why {coin} is the best performing asset of the decade {url}",
        "The {coin} community is honestly the best. Wonderful people here {pos}",
        "Just got paid in {coin} for the first time. Feels amazing!",
        "{coin} breakout confirmed on the 4h chart. Next target {target} {pos}",
        "Good morning to everyone except the people who sold their {coin} yesterday {pos}",
        "Best decision I ever made was stacking {coin} every week. Thank you past me",
        "{coin} adoption is growing fast. Beautiful to watch {pos}",
        "Incredible run for {coin} today, {pct}% and still climbing {pos}",
        "I love {coin}. Simple as that. {pos}",
        "Finally hit my {coin} goal! Stacked {amount} and not stopping {pos}",
        "The {coin} chart is gorgeous today. Higher lows all week {pos}",
        "New all time high for {coin} feels close. Stay strong everyone {pos}",
        "Excellent news for {coin} holders today {url}",
        "Wow {coin} is flying {pos} who else is watching this?",
        "{coin} and {coin2} both pumping, perfect day in crypto {pos}",
        "Moved my savings into {coin} last year. Happiest I've been with an investment",
    ],
    "neg": [
        "{coin} dumped {pct}% in an hour. This is brutal {neg}",
        "Lost so much on {coin} today. Worst trade of my life",
        "Another exchange hack, another {coin} crash. I'm tired of this {neg}",
        "{coin} fees are ridiculous right now. Paid {fee} to send {amount}",
        "Weak support at {price} for {coin}. Expecting a much deeper drop {neg}",
        "Sold all my {coin}. The hype is fake and the charts are ugly",
        "Scam alert: fake {coin} giveaway accounts everywhere. Don't send anything!",
        "Liquidated on my {coin} long. Painful lesson {neg}",
        "{coin} bleeding again. Down {pct}% and nobody is buying {neg}",
        "I regret buying {coin} at the top. Horrible feeling",
        "{coin} is a disaster today, everything red {neg}",
        "My {coin} bags are getting heavier every day {neg}",
        "Stuck in a {coin} trade that keeps going down. Awful week",
        "{coin} network congested again, transactions stuck for hours {neg}",
        "The {coin} rug pull rumors are scary. Be careful out there {neg}",
        "{coin} just wiped out a month of gains in one candle {neg}",
        "Sad day for {coin} holders. Brutal sell-off {neg}",
        "{coin} and {coin2} both crashing, terrible day in crypto {neg}",
    ],
    "neutral": [
        "{coin} price update: {price} ({move} 24h)",
        "{coin} is trading at {price} as of {clock} UTC",
        "What wallet do you use for {coin}? Looking for recommendations",
        "New report on {coin} network activity released today {url}",
        "{coin} weekly on-chain data {url}",
        "Reminder: the {coin} options expiry is on Friday",
        "Explaining {coin} to my parents at dinner tonight",
        "{coin} vs {coin2}: which one do you hold more of?",
        "Thread: how {coin} transactions actually work 🧵",
        "{coin} dominance is at {dominance}% today",
        "Anyone going to the {coin} meetup this weekend?",
        "Reading the {coin} whitepaper again. Interesting section on fees",
        "{coin} volume in the last hour: {amount}",
        "Watching {coin} at {price}. Waiting for the daily close {neutral}",
        "{coin} {move} in the last 24 hours {neutral}",
        "How much {coin} do you think the average person holds?",
        "Podcast episode about {coin} mining is out now {url}",
        "{coin} open interest chart for today {url}",
        "Is {coin} a good way to send money abroad? Asking for a friend",
        "Learning how to run a {coin} node this weekend",
    ],
    "sarcasm": [
        "Oh great, {coin} down another {pct}%. Just what I needed today {sarc}",
        "Love how {coin} drops the second I buy. Truly amazing timing {sarc}",
        "Yeah sure, {coin} to {moon} by Friday. Totally. {sarc}",
        "Nothing says financial freedom like checking the {coin} chart every 5 minutes {sarc}",
        "Wow, another influencer shilling {coin}. So original. {sarc}",
        "Fantastic, my {coin} is worth less than my lunch now {sarc}",
        "Perfect day to be a {coin} holder. Said no one today {sarc}",
        "Brilliant move selling {coin} right before the pump. Genius. {sarc}",
        "Can't wait for {coin} to 'definitely' hit {moon} this year {sarc}",
        "Sure, {coin} is 'stable'. Very stable. Stable like a rollercoaster {sarc}",
    ],
    "negation": [
        "{coin} is not going to zero, stop panicking",
        "I don't hate {coin}, I just don't trust the people pumping it",
        "Not selling my {coin}. Not now, not ever.",
        "{coin} isn't bad at all this week, honestly",
        "Never been less excited about {coin}. No hype, no volume.",
        "Don't buy {coin} because of a tweet. Do your own research.",
        "{coin} didn't crash, it just took a breather {pos}",
        "No, {coin} is not dead. It's not even close.",
        "I wouldn't call this {coin} move good. Not great either.",
        "Not a bad entry for {coin} at {price} if you ask me",
        "{coin} isn't exciting anymore and that's not a problem",
    ],
    "spam": [
        "🚨 {coin} GIVEAWAY 🚨 Follow + RT to win {amount}! Ends tonight {url}",
        "Turn $100 into $10,000 with {coin} signals! DM me now {pos} {url}",
        "FREE {coin} airdrop is live! Claim yours before it's gone {url}",
        "Join our {coin} pump group, 100x guaranteed {pos} {url}",
    ],
}

FOREIGN: dict[str, list[str]] = {
    "es": [
        "¡{coin} sube un {pct}% hoy! {pos}",
        "{coin} cae otra vez, qué desastre {neg}",
        "¿Compro {coin} a {price} o espero? {neutral}",
    ],
    "de": [
        "{coin} steigt heute um {pct}% {pos}",
        "{coin} fällt schon wieder {neg}",
        "Lohnt sich {coin} bei {price} noch?",
    ],
    "fr": [
        "{coin} chute encore de {pct}%... {neg}",
        "{coin} en forte hausse aujourd'hui {pos}",
        "Qui garde ses {coin} à {price} ? {neutral}",
    ],
    "pt": ["{coin} subindo forte hoje {pos}", "{coin} caiu {pct}% hoje, que tristeza {neg}"],
    "und": ["{coin} {pos}{pos}", "{coin} {neg}{neg}"],
}
OPENERS = [
    "Honestly, ",
    "Ok so ",
    "Hot take: ",
    "gm. ",
    "Update: ",
    "Not gonna lie, ",
    "Quick one: ",
    "Well. ",
    "Day 3 of this: ",
    "PSA: ",
    "lol ",
    "Thoughts? ",
]
CLOSERS = [
    " lol",
    " ngl",
    " tbh",
    " imo",
    "!!",
    "...",
    " 🤷",
    " #NFA",
    " (not financial advice)",
    " fr",
    " smh",
    " let's go",
]
LANG_WEIGHTS = {"en": 0.92, "es": 0.025, "de": 0.015, "fr": 0.015, "pt": 0.015, "und": 0.01}
MOOD_WEIGHTS = {"pos": 0.3, "neg": 0.22, "neutral": 0.28, "sarcasm": 0.07, "negation": 0.1, "spam": 0.03}

NAME_HEADS = [
    "crypto",
    "moon",
    "hodl",
    "satoshi",
    "degen",
    "bull",
    "bear",
    "chart",
    "block",
    "whale",
    "doge",
    "eth",
    "btc",
    "alt",
    "defi",
    "sats",
    "diamond",
    "paper",
    "laser",
    "stack",
    "ape",
    "candle",
    "mint",
]
NAME_TAILS = [
    "king",
    "queen",
    "guy",
    "dad",
    "mom",
    "lord",
    "trader",
    "maxi",
    "bro",
    "wizard",
    "fan",
    "hunter",
    "news",
    "daily",
    "alerts",
    "labs",
    "capital",
    "hands",
    "watcher",
    "nerd",
    "chad",
    "life",
]
FIRST_NAMES = [
    "alex",
    "sam",
    "jordan",
    "maria",
    "chen",
    "priya",
    "lucas",
    "emma",
    "omar",
    "yuki",
    "kofi",
    "ana",
    "noah",
    "sofia",
    "mateo",
    "lena",
    "ravi",
    "zoe",
    "ivan",
    "amara",
    "tom",
    "nina",
    "diego",
    "hana",
]


@dataclass
class Account:
    author_id: str
    username: str
    followers: int


def _username(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.45:
        name = rng.choice(NAME_HEADS) + rng.choice(["_", "", ""]) + rng.choice(NAME_TAILS)
    elif style < 0.8:
        name = rng.choice(FIRST_NAMES) + rng.choice(["_", "", "."]) + rng.choice(NAME_HEADS + NAME_TAILS)
    else:
        name = rng.choice(FIRST_NAMES) + rng.choice(["", "_"]) + rng.choice(string.ascii_lowercase)
    if rng.random() < 0.55:
        name += str(rng.choice([rng.randint(1, 99), rng.randint(1960, 2005), rng.randint(100, 9999)]))
    return name.replace(".", "_")[:15]


def _followers(rng: random.Random) -> int:
    if rng.random() < 0.006:  # a few whales and big news accounts
        return int(10 ** rng.uniform(5.5, 6.9))
    return min(int(rng.lognormvariate(5.0, 1.9)), 3_000_000)


def make_accounts(rng: random.Random, count: int) -> list[Account]:
    accounts: list[Account] = []
    seen: set[str] = set()
    while len(accounts) < count:
        name = _username(rng)
        if name in seen:
            continue
        seen.add(name)
        accounts.append(Account(str(rng.randrange(10**8, 10**19)), name, _followers(rng)))
    return accounts


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


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _price(rng: random.Random, coin: str, scale: float = 1.0) -> str:
    low, high = COINS[coin]["price"]
    value = rng.uniform(low, high) * scale
    return f"${value:,.4f}" if value < 1 else f"${value:,.0f}"


def _fill(rng: random.Random, template: str, coin: str) -> str:
    other = rng.choice([c for c in COINS if c != coin])
    pct = round(min(rng.lognormvariate(1.2, 0.7), 25.0), 1)
    slots = {
        "coin": rng.choice(COINS[coin]["names"]),
        "coin2": rng.choice(COINS[other]["names"]),
        "price": _price(rng, coin),
        "target": _price(rng, coin, 1.15),
        "moon": _price(rng, coin, 10.0),
        "pct": f"{pct:g}",
        "move": f"{rng.choice(['+', '-'])}{pct:g}%",
        "fee": f"${rng.uniform(2, 60):.2f}",
        "amount": f"{rng.choice(COINS[coin]['amounts']):g} {rng.choice(COINS[coin]['names'][:3])}",
        "dominance": f"{rng.uniform(45, 57):.1f}",
        "clock": f"{rng.randint(0, 23):02d}:{rng.choice(['00', '15', '30', '45'])}",
        "url": "https://t.co/" + "".join(rng.choices(string.ascii_letters + string.digits, k=10)),
        "pos": rng.choice(EMOJI["pos"]),
        "neg": rng.choice(EMOJI["neg"]),
        "sarc": rng.choice(EMOJI["sarc"]),
        "neutral": rng.choice(EMOJI["neutral"]),
    }
    return template.format(**slots).strip()


def _decorate(rng: random.Random, text: str, coin: str, accounts: list[Account]) -> str:
    if rng.random() < 0.3:
        text = rng.choice(OPENERS) + text
    if rng.random() < 0.3:
        text += rng.choice(CLOSERS)
    extras = []
    if rng.random() < 0.35:
        extras.extend(rng.sample(COINS[coin]["tags"], k=rng.choice([1, 1, 2, 3])))
    if rng.random() < 0.12 and "https://" not in text:
        extras.append("https://t.co/" + "".join(rng.choices(string.ascii_letters + string.digits, k=10)))
    if extras:
        text = f"{text} {' '.join(extras)}"
    if rng.random() < 0.1:
        text = f"@{rng.choice(accounts).username} {text}"
    if coin == "dogecoin" and rng.random() < 0.3:
        text += " 🐶"
    return text if len(text) <= MAX_LEN else text[: MAX_LEN - 1] + "…"


def _original(
    rng: random.Random, moment: float, bursts: list[tuple[float, str, str]], accounts: list[Account]
) -> tuple[str, str, str]:
    """(text, lang, mood) of a new tweet; during a burst its coin and mood are more likely."""
    coin = _weighted(rng, {name: info["weight"] for name, info in COINS.items()})
    mood = _weighted(rng, MOOD_WEIGHTS)
    for center, burst_coin, burst_mood in bursts:
        if abs(moment - center) < 600 and rng.random() < 0.6:
            coin, mood = burst_coin, burst_mood
    lang = _weighted(rng, LANG_WEIGHTS)
    template = rng.choice(FOREIGN[lang] if lang != "en" else TEMPLATES[mood])
    text = _fill(rng, template, coin)
    if lang in ("en", "und"):
        text = _decorate(rng, text, coin, accounts)
    return text, lang, mood


def _snowflake(moment: datetime, rng: random.Random, used: set[int]) -> str:
    ms = int(moment.timestamp() * 1000)
    while True:
        value = ((ms - TWEPOCH_MS) << 22) | rng.getrandbits(22)
        if value not in used:
            used.add(value)
            return str(value)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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
            text, lang, mood = _original(rng, offset, bursts, accounts)
            originals.append((text, lang, author, mood))
        keywords = matcher.match(text)
        if not keywords:
            raise AssertionError(f"generated a tweet that names no coin: {text!r}")
        records.append(
            {
                "v": 1,
                "id": _snowflake(moment, rng, used),
                "text": text,
                "created_at": _iso(moment),
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
