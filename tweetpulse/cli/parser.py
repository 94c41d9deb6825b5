"""The ``tweetpulse`` argument parser: one ``add_*`` function per command, wired in :func:`build_parser`."""

from __future__ import annotations

import argparse

from tweetpulse import __version__
from tweetpulse.cli import commands, prices, spark
from tweetpulse.cli.args import (
    HOST_HELP,
    Parser,
    add_kafka_args,
    add_keyword_args,
    add_message_args,
    add_refresh_arg,
    add_scorer_args,
)
from tweetpulse.cli.prices import add_page_price_args
from tweetpulse.cli.sources import add_source_args, sources_line
from tweetpulse.options import count, port_number, positive_float, positive_int
from tweetpulse.sources import DEMO_SOURCE
from tweetpulse.stores import DEFAULT_STORE

STORE_HELP = "a SQLite file path or sqlite:///path, or postgresql://user:password@host:port/db"


def add_stream_args(p: argparse.ArgumentParser) -> None:
    add_source_args(p)
    pace = p.add_argument_group("pacing")
    pace.add_argument("--rate", type=positive_float, help="tweets per second (default: as fast as possible)")
    pace.add_argument("--speedup", type=positive_float, help="follow created_at, this many times faster")
    pace.add_argument("--limit", type=positive_int, help="stop after this many tweets")
    pace.add_argument("--duration", type=positive_float, help="stop after this many seconds")
    pace.add_argument("--loop", action="store_true", help="start over at the end of the dataset")
    add_keyword_args(p)
    p.add_argument(
        "--undelivered",
        metavar="PATH",
        help="where tweets Kafka never acknowledged are written, for --source replay to re-send "
        "(default: data/undelivered-<time>.jsonl, made only if there are any)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--summary-json", metavar="PATH", help="also write the summary as JSON")


def add_listen_args(p: argparse.ArgumentParser, *, demo: bool = False) -> None:
    p.add_argument("--workers", type=positive_int, help="worker processes (default: CPU count)")
    p.add_argument("--group", default="tweetpulse", help="consumer group id (default: %(default)s)")
    fresh = "a fresh data/demo.db every run, the last run's kept as data/demo.previous.db"
    p.add_argument(
        "--store",
        default=None if demo else DEFAULT_STORE,
        metavar="PATH|URL",
        help=f"the results store: {STORE_HELP} (default: {fresh if demo else '%(default)s'})",
    )
    p.add_argument(
        "--from",
        dest="start_from",
        choices=("earliest", "latest"),
        default="earliest",
        help="where a new group starts reading (default: %(default)s)",
    )
    add_message_args(p)
    if not demo:
        p.add_argument("--max-messages", type=positive_int, help="stop after this many messages")
        p.add_argument(
            "--idle-exit",
            type=positive_float,
            metavar="S",
            help="stop once idle for S seconds (nothing fetched, every partition consumed)",
        )
        p.add_argument("--no-dashboard", action="store_true", help="don't serve the page")
    p.add_argument("--duration", type=positive_float, help="stop after this many seconds")
    add_page_args(p)
    p.add_argument("--summary-json", metavar="PATH", help="also write the summary as JSON")
    add_page_price_args(p, demo=demo)


def add_page_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help=HOST_HELP)
    p.add_argument("--port", type=port_number, default=8050, help="page port (default: %(default)s)")
    add_refresh_arg(p)


def add_demo_args(p: argparse.ArgumentParser) -> None:
    add_listen_args(p, demo=True)
    add_source_args(p, lambda spec: spec.demo, help="what the demo streams", default=DEMO_SOURCE)
    add_keyword_args(p)
    p.add_argument(
        "--rate",
        type=positive_float,
        default=200.0,
        help="tweets per second of a source that is not live (default: %(default)s)",
    )
    p.add_argument("--no-kafka-setup", action="store_true", help="don't start Kafka with kafka-setup.sh")
    p.add_argument(
        "--keep-kafka",
        action="store_true",
        help="leave the Kafka broker the demo started running when it ends (default: stop it)",
    )


def add_score_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", nargs="+", help="the text to score")
    p.add_argument("--followers", type=count, help="follower count (0 or more), for the weight and score")
    add_scorer_args(p)
    p.add_argument("--json", action="store_true", help="print JSON")


def add_evaluate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dataset",
        required=True,
        metavar="PATH",
        help="labeled CSV, Kaggle entity-sentiment format (id, entity, sentiment, text; no header)",
    )
    add_scorer_args(p)
    p.add_argument("--worst", type=int, default=5, metavar="N", help="show the N worst disagreements (default: 5)")
    p.add_argument("--json", action="store_true", help="print JSON (accuracy as a fraction)")


def add_train_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", required=True, metavar="PATH", help="labeled CSV, Kaggle entity-sentiment format")
    p.add_argument("--out", required=True, metavar="PATH", help="model file to write (e.g. model.skops)")
    p.add_argument(
        "--folds",
        type=int,
        default=5,
        metavar="K",
        help="stratified cross-validation folds that choose the settings and score them (default: %(default)s); "
        "the model is then fitted on every row",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the folds (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print JSON")


def add_dashboard_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        default=DEFAULT_STORE,
        metavar="PATH|URL",
        help=f"the store to read: {STORE_HELP} (default: %(default)s)",
    )
    add_page_args(p)
    p.add_argument(
        "--window",
        type=positive_int,
        default=3600,
        metavar="S",
        help="seconds of history the charts keep (default: %(default)s)",
    )
    p.add_argument("--group", help="consumer group whose lag to show (with the Kafka settings below)")
    p.add_argument("--duration", type=positive_float, help="stop after this many seconds")
    p.add_argument("--no-prices", action="store_true", help="don't draw the store's prices beside the sentiment")
    add_scorer_args(p)  # for the classify box: the scorer the listener used


# command → (help, its arguments, what runs it, whether it talks to Kafka)
COMMANDS = {
    "stream": ("send tweets into Kafka from {sources}", add_stream_args, commands.cmd_stream),
    "listen": ("score tweets from Kafka, store them and serve the live page", add_listen_args, commands.cmd_listen),
    "demo": (
        "Kafka + a streamer (synthetic tweets, or live posts) + the listener and its page, in one go",
        add_demo_args,
        commands.cmd_demo,
    ),
    "score": ("score a text exactly as the listener does", add_score_args, commands.cmd_score),
    "evaluate": (
        "a scorer's labels against human labels (accuracy, macro-F1, confusion)",
        add_evaluate_args,
        commands.cmd_evaluate,
    ),
    "train": ("train a scorer (TF-IDF + logistic regression) on a labeled CSV", add_train_args, commands.cmd_train),
    "dashboard": (
        "serve the live page from a store (survives listener restarts)",
        add_dashboard_args,
        commands.cmd_dashboard,
    ),
    # the prices topic, its own Kafka options (another default topic): not in KAFKA_COMMANDS
    "prices": (
        "stream crypto price ticks (Coinbase, Kraken, an OHLC CSV) into Kafka",
        prices.add_prices_args,
        prices.cmd_prices,
    ),
    "correlate": (
        "does sentiment lead or follow the price? cross-correlation and Granger tests",
        prices.add_correlate_args,
        prices.cmd_correlate,
    ),
    "spark": (spark.HELP, spark.add_spark_args, spark.cmd_spark),
}
KAFKA_COMMANDS = ("stream", "listen", "demo", "dashboard", "spark")


def build_parser() -> Parser:
    parser = Parser(prog="tweetpulse", description="Live crypto-tweet sentiment through Kafka onto a Dash page.")
    parser.add_argument("--version", action="version", version=f"tweetpulse {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress as well as warnings")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name, (help, add_args, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help.format(sources=sources_line()))
        add_args(p)
        if name in KAFKA_COMMANDS:
            add_kafka_args(p)
        p.set_defaults(func=run)
    return parser
