"""Synthetic tweets composed from :mod:`tweetpulse.sources.phrases` with a seeded ``random.Random``.

Two users: ``scripts/generate_sample.py`` writes the bundled 5,000-tweet file with these functions,
and :class:`ComposedSource` composes an endless stream on the fly (source ``synthetic``, what
``tweetpulse demo`` streams by default): fresh
texts (prices, moves, amounts, emoji, tags and links vary, so a text rarely repeats), a pool of
accounts with heavy-tailed followers and activity, retweets and a few copies of recent posts, news
bursts of one coin and mood, and ids that grow with time like X's. Nothing loops.
"""

from __future__ import annotations

import math
import random
import string
import threading
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate

from tweetpulse.keywords import KeywordMatcher
from tweetpulse.options import Option, count
from tweetpulse.records import Tweet
from tweetpulse.sources.base import SkippedRows, SourceRequest, SourceSpec
from tweetpulse.sources.phrases import (
    CLOSERS,
    COINS,
    EMOJI,
    FIRST_NAMES,
    FOREIGN,
    LANG_WEIGHTS,
    MAX_LEN,
    MOOD_WEIGHTS,
    NAME_HEADS,
    NAME_TAILS,
    OPENERS,
    TEMPLATES,
)

TWEPOCH_MS = 1288834974657  # X's snowflake epoch: ids grow with time like real ones


@dataclass
class Account:
    author_id: str
    username: str
    followers: int


def username(rng: random.Random) -> str:
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


def followers(rng: random.Random) -> int:
    if rng.random() < 0.006:  # a few whales and big news accounts
        return int(10 ** rng.uniform(5.5, 6.9))
    return min(int(rng.lognormvariate(5.0, 1.9)), 3_000_000)


def make_accounts(rng: random.Random, count: int) -> list[Account]:
    accounts: list[Account] = []
    seen: set[str] = set()
    while len(accounts) < count:
        name = username(rng)
        if name in seen:
            continue
        seen.add(name)
        accounts.append(Account(str(rng.randrange(10**8, 10**19)), name, followers(rng)))
    return accounts


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def price(rng: random.Random, coin: str, scale: float = 1.0) -> str:
    low, high = COINS[coin]["price"]
    value = rng.uniform(low, high) * scale
    return f"${value:,.4f}" if value < 1 else f"${value:,.0f}"


def fill(rng: random.Random, template: str, coin: str) -> str:
    other = rng.choice([c for c in COINS if c != coin])
    pct = round(min(rng.lognormvariate(1.2, 0.7), 25.0), 1)
    slots = {
        "coin": rng.choice(COINS[coin]["names"]),
        "coin2": rng.choice(COINS[other]["names"]),
        "price": price(rng, coin),
        "target": price(rng, coin, 1.15),
        "moon": price(rng, coin, 10.0),
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


def decorate(rng: random.Random, text: str, coin: str, accounts: list[Account]) -> str:
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


def original(
    rng: random.Random, moment: float, bursts: list[tuple[float, str, str]], accounts: list[Account]
) -> tuple[str, str, str]:
    """(text, lang, mood) of a new tweet; during a burst its coin and mood are more likely."""
    coin = weighted(rng, {name: info["weight"] for name, info in COINS.items()})
    mood = weighted(rng, MOOD_WEIGHTS)
    for center, burst_coin, burst_mood in bursts:
        if abs(moment - center) < 600 and rng.random() < 0.6:
            coin, mood = burst_coin, burst_mood
    lang = weighted(rng, LANG_WEIGHTS)
    template = rng.choice(FOREIGN[lang] if lang != "en" else TEMPLATES[mood])
    text = fill(rng, template, coin)
    if lang in ("en", "und"):
        text = decorate(rng, text, coin, accounts)
    return text, lang, mood


def snowflake(moment: datetime, rng: random.Random, used: set[int]) -> str:
    ms = int(moment.timestamp() * 1000)
    while True:
        value = ((ms - TWEPOCH_MS) << 22) | rng.getrandbits(22)
        if value not in used:
            used.add(value)
            return str(value)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def snowflake_at(ms: int, sequence: int) -> str:
    """An X-style id: milliseconds since X's epoch, then a 22-bit sequence (unique within a millisecond)."""
    return str(((ms - TWEPOCH_MS) << 22) | (sequence & 0x3FFFFF))


@dataclass(slots=True)
class Burst:
    """A news burst: for a while, most new posts are about one coin, in one mood."""

    coin: str
    mood: str
    left: int


class ComposedSource:
    """An endless stream of tweets composed on the fly (a :class:`~tweetpulse.sources.base.TweetSource`).

    ``seed`` makes the stream reproducible (``None``: a different one every run); ``clock`` gives the
    time each tweet is stamped with (and its id is made from). Ids are unique within a run and grow
    with time, so no two runs share one either.
    """

    name = "composed"
    RETWEET_SHARE = 0.1
    COPY_SHARE = 0.01  # a copy (spam, a bot) of a recent post, by another account
    BURST_CHANCE = 0.0005  # per tweet: about one burst every 2,000 tweets
    RECENT = 400  # the recent originals that retweets and copies pick from

    def __init__(
        self,
        matcher: KeywordMatcher | None = None,
        seed: int | None = None,
        accounts: int = 3000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.skipped = SkippedRows()
        self.matcher = matcher or KeywordMatcher()
        self.rng = random.Random(seed)
        self.accounts = make_accounts(self.rng, accounts)
        # activity is heavy-tailed: a few accounts post a lot
        self._activity = list(accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(accounts)))
        self._clock = clock or (lambda: datetime.now(UTC).timestamp())
        self._recent: deque[tuple[str, str, Account]] = deque(maxlen=self.RECENT)
        self._burst: Burst | None = None
        self._sequence = 0
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()

    def __iter__(self) -> Iterator[Tweet]:
        while not self._closed.is_set():
            yield self.compose()

    def _author(self) -> Account:
        return self.accounts[bisect(self._activity, self.rng.random() * self._activity[-1])]

    def _text(self, poster: Account) -> tuple[str, str]:
        """(text, lang) of ``poster``'s next post: a retweet or copy of a recent post now and then, else a new one."""
        rng = self.rng
        roll = rng.random()
        if self._recent and roll < self.RETWEET_SHARE:
            popular = [math.sqrt(author.followers + 1) for _, _, author in self._recent]
            text, lang, author = rng.choices(self._recent, weights=popular)[0]
            text = f"RT @{author.username}: {text}"
            return (text if len(text) <= MAX_LEN else text[: MAX_LEN - 1] + "…"), lang
        if self._recent and roll < self.RETWEET_SHARE + self.COPY_SHARE:
            text, lang, _ = rng.choice(self._recent)
            return text, lang
        if self._burst is None and rng.random() < self.BURST_CHANCE:
            coin = rng.choice(list(COINS))
            self._burst = Burst(coin, rng.choice(["pos", "neg"]), rng.randint(150, 600))
        bursts = []
        if self._burst is not None:
            bursts = [(0.0, self._burst.coin, self._burst.mood)]
            self._burst.left -= 1
            if self._burst.left <= 0:
                self._burst = None
        text, lang, _mood = original(rng, 0.0, bursts, self.accounts)
        self._recent.append((text, lang, poster))
        return text, lang

    def compose(self) -> Tweet:
        """The next tweet, stamped now."""
        author = self._author()
        text, lang = self._text(author)
        now = self._clock()
        self._sequence += 1
        return Tweet(
            id=snowflake_at(int(now * 1000), self._sequence),
            text=text,
            created_at=iso(datetime.fromtimestamp(now, UTC)),
            author=author.username,
            author_id=author.author_id,
            followers=author.followers,
            lang=lang,
            keywords=self.matcher.match(text),
            source="sample",
        )


def open_composed(request: SourceRequest) -> ComposedSource:
    """An endless composed stream, reproducible with ``seed``."""
    return ComposedSource(request.matcher, seed=request.options.get("seed"))


SOURCE = SourceSpec(
    "synthetic",
    "synthetic tweets composed on the fly",
    open_composed,
    options=(
        Option(
            "--seed",
            "seed",
            "seed of the synthetic stream, to repeat one (default: a new one each run)",
            count,
            metavar="N",
        ),
    ),
    demo=True,
)
