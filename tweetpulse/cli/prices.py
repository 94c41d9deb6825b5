"""``tweetpulse prices`` (a price feed into Kafka) and ``tweetpulse correlate`` (sentiment against
returns): their arguments and commands (entries of :data:`tweetpulse.cli.parser.COMMANDS`), and the
prices options of ``listen``, ``demo`` and ``dashboard``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tweetpulse.cli.args import add_kafka_args, kafka_config, report
from tweetpulse.errors import ConfigError
from tweetpulse.options import positive_float, positive_int
from tweetpulse.prices import DEFAULT_PRICES_TOPIC, DEFAULT_PRODUCTS
from tweetpulse.sources.prices import FEEDS
from tweetpulse.stores import DEFAULT_STORE


def add_price_topic(p: argparse.ArgumentParser) -> None:
    """``add_kafka_args``' ``--topic`` for the prices topic (another default, another help)."""
    for action in p._actions:
        if action.dest == "topic":
            action.default = DEFAULT_PRICES_TOPIC
            action.help = "the prices topic (default: %(default)s)"


def add_prices_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--source",
        choices=tuple(FEEDS),
        default="coinbase",
        help="coinbase (Coinbase Exchange websocket, the default), kraken (Kraken websocket v2), replay (an "
        "OHLC CSV, --file) or synthetic (a random walk, labelled synthetic)",
    )
    p.add_argument(
        "--products",
        metavar="LIST",
        help=f"products, comma-separated (default: {','.join(DEFAULT_PRODUCTS)}; replay: the file's, the first)",
    )
    p.add_argument("--limit", type=positive_int, help="stop after this many ticks produced")
    p.add_argument("--duration", type=positive_float, help="stop after this many seconds")
    p.add_argument("--rate", type=positive_float, help="replay: ticks per second (default: as fast as possible)")
    p.add_argument("--file", metavar="PATH", help="replay: an OHLC CSV (Timestamp, Open, High, Low, Close, Volume)")
    p.add_argument("--coinbase-url", metavar="URL", help="another Coinbase-protocol websocket (a stand-in)")
    p.add_argument("--kraken-url", metavar="URL", help="another Kraken-v2-protocol websocket (a stand-in)")
    p.add_argument(
        "--give-up-after",
        type=positive_int,
        metavar="N",
        help="coinbase, kraken: stop after N failed connects in a row when nothing was ever received "
        "(default: keep retrying)",
    )
    p.add_argument("--summary-json", metavar="PATH", help="also write the summary as JSON")
    add_kafka_args(p)
    add_price_topic(p)


def feed_request(args: argparse.Namespace, options: dict[str, Any] | None = None) -> Any:
    from tweetpulse.prices.records import parse_products
    from tweetpulse.sources.prices.base import FeedRequest

    urls = {"coinbase": args.coinbase_url, "kraken": args.kraken_url}
    if args.file and args.source != "replay":
        raise ConfigError("--file is the OHLC CSV of --source replay: add --source replay, or drop --file")
    options = dict(options or {})
    if args.give_up_after:
        if args.source not in urls:
            raise ConfigError("--give-up-after is for the live feeds: use it with --source coinbase or kraken")
        options["give_up_after"] = args.give_up_after
    return FeedRequest(parse_products(args.products), urls.get(args.source), args.duration, args.file, options)


def cmd_prices(args: argparse.Namespace) -> int:
    from tweetpulse.pipeline.price_feed import stream_prices
    from tweetpulse.sources.prices.base import open_feed

    feed = open_feed(args.source, feed_request(args))
    summary = stream_prices(feed, kafka_config(args), rate=args.rate, limit=args.limit, duration=args.duration)
    code = report(args, summary, code=1 if summary.failed else 0)
    if summary.skipped:
        print(summary.skipped_report)
    return code


def add_correlate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store", default=DEFAULT_STORE, metavar="PATH|URL", help="where both series come from (default: %(default)s)"
    )
    p.add_argument("--sentiment", metavar="FILE", help="sentiment from a CSV (time, score) instead of the store")
    p.add_argument("--prices", metavar="FILE", help="prices from an OHLC CSV (Timestamp, Close) instead of the store")
    p.add_argument("--coin", default="bitcoin", help="the keyword group (default: %(default)s)")
    p.add_argument("--freq", default="1min", help="the period: 1min, 5min, 1h ... (default: %(default)s)")
    p.add_argument(
        "--max-lag",
        type=positive_int,
        default=10,
        metavar="N",
        help="lags to test each way, in periods (default: %(default)s)",
    )
    p.add_argument(
        "--json", action="store_true", help="print JSON (best_lag_minutes, correlation, granger p-values, ...)"
    )


def cmd_correlate(args: argparse.Namespace) -> int:
    from tweetpulse.workbook.correlate import correlate, render
    from tweetpulse.workbook.price_series import prices_csv, prices_store, sentiment_csv, sentiment_store

    sentiment = sentiment_csv(args.sentiment) if args.sentiment else sentiment_store(args.store, args.coin)
    prices = prices_csv(args.prices) if args.prices else prices_store(args.store, args.coin)
    result = correlate(sentiment.series, prices.series, coin=args.coin, freq=args.freq, max_lag=args.max_lag)
    for loaded in (sentiment, prices):
        if loaded.skipped:
            result.warnings.append(
                f"{loaded.skipped} row(s) of the {loaded.what} could not be read (NaN, missing) and were left out"
            )
    if args.json:
        print(json.dumps(result.as_dict()))
    else:
        print(render(result))
    return 0


def add_page_price_args(p: argparse.ArgumentParser, *, demo: bool = False) -> None:
    """The prices options of ``listen`` and ``demo`` (follow the prices topic; the demo also runs a feed)."""
    g = p.add_argument_group("prices beside the sentiment")
    g.add_argument(
        "--prices-topic",
        default=DEFAULT_PRICES_TOPIC,
        metavar="TOPIC",
        help="the price ticks topic to follow into the store and onto the page (default: %(default)s)",
    )
    if not demo:
        g.add_argument("--no-prices", action="store_true", help="don't follow the prices topic")
        return
    g.add_argument(
        "--prices",
        choices=(*FEEDS, "none"),
        default="synthetic",
        help="the price feed run beside the tweets: synthetic (default, offline: a random walk, labelled so), "
        "coinbase, kraken, replay (--prices-file) or none",
    )
    g.add_argument("--products", metavar="LIST", help=f"default: {','.join(DEFAULT_PRODUCTS)}")
    g.add_argument("--prices-file", metavar="PATH", help="the OHLC CSV of --prices replay")
    g.add_argument("--coinbase-url", metavar="URL", help="another Coinbase-protocol websocket (a stand-in)")
    g.add_argument("--kraken-url", metavar="URL", help="another Kraken-v2-protocol websocket (a stand-in)")


def price_side(args: argparse.Namespace, kafka: Any, group: str, store: str) -> Any:
    """The prices beside a ``listen`` / ``demo`` run (None with ``--no-prices`` / ``--prices none``)."""
    from tweetpulse.pipeline.price_side import PriceSide
    from tweetpulse.prices.records import parse_products
    from tweetpulse.sources.prices.base import FeedRequest, open_feed

    source = getattr(args, "prices", None)
    if getattr(args, "no_prices", False) or source == "none":
        return None
    feed = None
    if source is not None:
        urls = {"coinbase": args.coinbase_url, "kraken": args.kraken_url}
        request = FeedRequest(parse_products(args.products), urls.get(source), None, args.prices_file)
        feed = open_feed(source, request)
    return PriceSide(kafka, args.prices_topic, group, store, feed)
