"""The price tick record: one JSON object per tick on the ``prices`` topic, key = product.

Fields: ``product`` (``BTC-USD``), ``coin`` (the keyword group, ``bitcoin``), ``price`` (the exchange's
decimal string, kept exactly), ``time`` (the exchange's trade time, ISO-8601 UTC), ``source``
(``coinbase`` …), ``sequence`` and ``trade_id`` (the exchange's, or null), and optionally ``bid``,
``ask`` and ``volume_24h`` (decimal strings), ``synthetic`` (true for the demo's random walk).

:func:`parse_tick` is the one rule for what a message on the topic must be; anything else is an
:class:`~tweetpulse.errors.InvalidRecord` (bounded: size, lengths, digits, a real time).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from tweetpulse.errors import ConfigError, InvalidRecord
from tweetpulse.prices import COINS, DEFAULT_PRODUCTS

MAX_TICK_BYTES = 4096
_PRODUCT = re.compile(r"^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$")
_DECIMAL = re.compile(r"^[0-9]{1,20}(\.[0-9]{1,20})?$")
_EARLIEST = 1_230_768_000.0  # 2009-01-01: no crypto price before it
_LATEST_AHEAD = 86_400.0  # a tick more than a day in the future is a broken clock


class PriceTick(NamedTuple):
    """One price tick (see the module docs for the fields)."""

    product: str
    coin: str
    price: str
    time: str
    source: str
    sequence: int | None = None
    trade_id: int | None = None
    bid: str | None = None
    ask: str | None = None
    volume_24h: str | None = None
    synthetic: bool = False

    @property
    def id(self) -> str:
        """What tells a tick from a re-sent copy: product + sequence, else product + time + price."""
        if self.sequence is not None:
            return f"{self.product}#{self.sequence}"
        return f"{self.product}@{self.time}={self.price}"

    @property
    def epoch(self) -> float:
        return epoch_of(self.time)

    def to_json(self) -> bytes:
        return orjson.dumps({"v": 1, **self._asdict()})


def coin_of(product: str) -> str:
    """The keyword group of a product: ``BTC-USD`` → ``bitcoin``; other bases as themselves, lower-cased."""
    base = product.partition("-")[0]
    return COINS.get(base, base.lower())


def parse_products(text: str | None) -> tuple[str, ...]:
    """``--products BTC-USD,ETH-USD``: upper-cased, checked, in order, without repeats."""
    if text is None:
        return DEFAULT_PRODUCTS
    products = tuple(dict.fromkeys(p.strip().upper() for p in text.split(",") if p.strip()))
    if not products:
        raise ConfigError("--products is empty: give products such as BTC-USD,ETH-USD,DOGE-USD")
    bad = [p for p in products if not _PRODUCT.match(p)]
    if bad:
        raise ConfigError(f"--products: {bad[0]!r} is not a product like BTC-USD (BASE-QUOTE, letters and digits)")
    if len(products) > 50:
        raise ConfigError("--products: at most 50 products")
    return products


def epoch_of(text: str) -> float:
    """Unix seconds of an ISO-8601 time (``Z`` or an offset; naive is UTC); ValueError if it is none."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def iso_of(epoch: float) -> str:
    """ISO-8601 UTC with microseconds (``2024-01-01T00:00:00.000000Z``) of unix seconds."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decimal_text(value: Any, *, positive: bool = True) -> str | None:
    """A finite price (> 0, or >= 0 with ``positive=False``) as a decimal string: a string as sent, a JSON
    number by its shortest repr (which reads back to the same number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value) or value < 0:
            return None
        value = format(value, "f") if "e" in repr(value) else repr(value)
    if not isinstance(value, str) or not _DECIMAL.match(value) or (positive and float(value) <= 0):
        return None
    return value


def _optional_int(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise InvalidRecord("bad-field", f"{name} must be a non-negative integer or null")
    return value


def _optional_decimal(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    text = decimal_text(value, positive=False)
    if text is None:
        raise InvalidRecord("bad-field", f"{name} must be a decimal string")
    return text


def parse_tick(raw: bytes | None) -> PriceTick:
    """The tick in a message value, checked; :class:`InvalidRecord` (reason, detail) when it is not one."""
    if raw is None or len(raw) > MAX_TICK_BYTES:
        raise InvalidRecord("bad-size", f"a tick is a JSON object of at most {MAX_TICK_BYTES} bytes")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidRecord("not-json", "the message is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidRecord("not-object", "a tick is a JSON object")
    product, source, time = data.get("product"), data.get("source"), data.get("time")
    if not isinstance(product, str) or not _PRODUCT.match(product):
        raise InvalidRecord("bad-field", "product must be like BTC-USD")
    if not isinstance(source, str) or not 0 < len(source) <= 32:
        raise InvalidRecord("bad-field", "source must be a short string")
    price = decimal_text(data.get("price"))
    if price is None:
        raise InvalidRecord("bad-field", "price must be a positive decimal")
    try:
        epoch = epoch_of(time) if isinstance(time, str) and len(time) <= 40 else math.nan
    except ValueError:
        epoch = math.nan
    if not _EARLIEST <= epoch <= datetime.now(UTC).timestamp() + _LATEST_AHEAD:
        raise InvalidRecord("bad-field", "time must be an ISO-8601 time since 2009 and not in the future")
    coin = data.get("coin")
    return PriceTick(
        product=product,
        coin=coin if isinstance(coin, str) and 0 < len(coin) <= 64 else coin_of(product),
        price=price,
        time=str(time),
        source=source,
        sequence=_optional_int(data, "sequence"),
        trade_id=_optional_int(data, "trade_id"),
        bid=_optional_decimal(data, "bid"),
        ask=_optional_decimal(data, "ask"),
        volume_24h=_optional_decimal(data, "volume_24h"),
        synthetic=data.get("synthetic") is True,
    )
