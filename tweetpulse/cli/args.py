"""The CLI's argument types and shared option groups: a bad argument is one line that says what to do."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, NoReturn

from tweetpulse.errors import ConfigError
from tweetpulse.kafka.config import (
    DEFAULT_KAFKA_TIMEOUT,
    DEFAULT_TOPIC,
    KafkaConfig,
    default_bootstrap,
    parse_client_settings,
)
from tweetpulse.live import DEFAULT_REFRESH_MS
from tweetpulse.options import positive_float, positive_int

HOST_HELP = "page address (default: %(default)s, this machine only; another address warns: the page has no login)"


class Parser(argparse.ArgumentParser):
    """argparse, but a bad argument gets one line that says what to do."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def neutral_band(text: str) -> float:
    """``--neutral-band``: polarity lies in [-1, 1], so a band of 1 or more would call everything neutral."""
    expected = "expected a number from 0 up to (not including) 1"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got {text!r}") from None
    if value >= 1:
        raise argparse.ArgumentTypeError(
            f"{expected}, got {text}: polarity lies in [-1, 1], so this band would label every tweet neutral"
        )
    if not value >= 0:  # also NaN
        raise argparse.ArgumentTypeError(f"{expected}, got {text}")
    return value


def add_refresh_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--refresh-ms",
        type=positive_int,
        default=DEFAULT_REFRESH_MS,
        metavar="MS",
        help="how often the page updates (default: %(default)s, which shows a tweet within 1 s)",
    )


def scorer_spec(text: str) -> str:
    from tweetpulse.scorers.scoring import check_spec

    try:
        check_spec(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_message_args(p: argparse.ArgumentParser) -> None:
    """What ``listen``, ``demo`` and ``spark`` do to each message: the scorer's options and ``--max-text``."""
    from tweetpulse.records import DEFAULT_MAX_TEXT

    add_scorer_args(p)
    p.add_argument(
        "--max-text",
        type=positive_int,
        default=DEFAULT_MAX_TEXT,
        metavar="N",
        help="longer texts are dead-lettered (default: %(default)s)",
    )


def add_scorer_args(p: argparse.ArgumentParser) -> None:
    from tweetpulse.scorers.scoring import DEFAULT_SCORER, scorer_names

    p.add_argument(
        "--scorer",
        type=scorer_spec,
        default=DEFAULT_SCORER,
        metavar="NAME",
        help=f"scorer: {scorer_names()} (default: %(default)s; model:PATH loads a file "
        "'tweetpulse train' wrote; pickles are refused)",
    )
    p.add_argument(
        "--neutral-band",
        type=neutral_band,
        metavar="B",
        help="|polarity| <= B is neutral, 0 <= B < 1 (default: the scorer's own: textblob 0, vader 0.05, "
        "model: chosen in training)",
    )


def add_kafka_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Kafka")
    g.add_argument("--topic", default=DEFAULT_TOPIC, help="tweets topic (default: %(default)s)")
    g.add_argument(
        "--bootstrap-servers",
        default=None,
        metavar="HOST:PORT",
        help=f"Kafka cluster (default: KAFKA_BOOTSTRAP_SERVERS, else {default_bootstrap()})",
    )
    g.add_argument(
        "-X",
        dest="kafka_settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a librdkafka setting, e.g. -X security.protocol=SASL_SSL (repeatable)",
    )
    g.add_argument("--kafka-config", metavar="FILE", help="librdkafka settings file (key=value lines)")
    g.add_argument(
        "--kafka-timeout",
        type=positive_float,
        default=DEFAULT_KAFKA_TIMEOUT,
        metavar="S",
        help="seconds to wait for the cluster to answer (default: %(default)g)",
    )


def kafka_config(args: argparse.Namespace) -> KafkaConfig:
    return KafkaConfig(
        bootstrap_servers=args.bootstrap_servers or default_bootstrap(),
        topic=args.topic,
        extra=parse_client_settings(args.kafka_settings, args.kafka_config),
        timeout=args.kafka_timeout,
    )


def add_keyword_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--keywords",
        metavar="SPEC",
        help="keyword groups, e.g. 'bitcoin=bitcoin,btc,$btc;ethereum=eth,ether' "
        "(default: bitcoin, ethereum, dogecoin)",
    )
    p.add_argument("--keywords-file", metavar="FILE", help="keyword groups from a TOML or JSON file")


def keyword_groups(args: argparse.Namespace) -> dict[str, tuple[str, ...]]:
    from tweetpulse.keywords import DEFAULT_GROUPS, load_groups, parse_groups

    if args.keywords and args.keywords_file:
        raise ConfigError("give --keywords or --keywords-file, not both")
    if args.keywords:
        return dict(parse_groups(args.keywords))
    if args.keywords_file:
        return dict(load_groups(args.keywords_file))
    return dict(DEFAULT_GROUPS)


def report(args: argparse.Namespace, summary: Any, code: int = 0) -> int:
    """Print the run's one summary line (and write it as JSON with --summary-json)."""
    print(summary.line())
    write_json(args.summary_json, summary.as_dict())
    return code


def write_json(path: str | None, data: dict[str, Any]) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
