"""``tweetpulse stream|listen|demo|dashboard|score|evaluate|train``: the pipeline from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from tweetpulse import __version__
from tweetpulse.cli_args import (
    HOST_HELP,
    Parser,
    add_kafka_args,
    add_keyword_args,
    add_refresh_arg,
    add_scorer_args,
    count,
    kafka_config,
    keyword_groups,
    port_number,
    positive_float,
    positive_int,
    report,
)
from tweetpulse.config import DEFAULT_STORE, KafkaConfig
from tweetpulse.errors import ConfigError, TweetpulseError
from tweetpulse.sources.secrets import redacting_handler

# -- the free live sources (Bluesky, Mastodon) --------------------------------------------------
LIVE_SOURCES = ("bluesky", "mastodon")


def add_live_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("Bluesky and Mastodon (--source bluesky | mastodon)")
    g.add_argument(
        "--lang",
        default="en",
        metavar="CODE",
        help="keep posts in this language only (default: %(default)s; 'any' keeps all)",
    )
    g.add_argument("--bluesky-url", metavar="URL", help="a Jetstream /subscribe endpoint (default: a public one)")
    g.add_argument(
        "--bluesky-appview",
        metavar="URL",
        help="where follower counts come from (default: https://public.api.bsky.app)",
    )
    g.add_argument("--mastodon-instance", metavar="URL", help="the Mastodon server (default: https://mastodon.social)")
    g.add_argument(
        "--mastodon-transport",
        choices=("websocket", "sse", "poll"),
        help="default: websocket with MASTODON_ACCESS_TOKEN set, else poll the public tag timelines",
    )
    g.add_argument(
        "--give-up-after",
        type=positive_int,
        metavar="N",
        help="stop after N failed connects in a row when nothing was ever received (default: keep retrying)",
    )


def live_options(
    args: argparse.Namespace, groups: dict[str, tuple[str, ...]], duration: float | None = None
) -> dict[str, Any]:
    """The opener's options for ``--source bluesky`` / ``mastodon``."""
    from tweetpulse.config import DEFAULT_POLL_INTERVAL

    lang = None if args.lang.strip().lower() in ("any", "all", "") else args.lang.strip()
    common: dict[str, Any] = {
        "lang": lang,
        "record_path": getattr(args, "record", None),
        "duration": duration,
        "give_up_after": args.give_up_after,
    }
    if args.source == "bluesky":
        return {**common, "url": args.bluesky_url, "appview": args.bluesky_appview}
    return {
        **common,
        "instance": args.mastodon_instance,
        "groups": groups,
        "transport": args.mastodon_transport,
        "poll_interval": getattr(args, "poll_interval", DEFAULT_POLL_INTERVAL),
    }


# -- stream -------------------------------------------------------------------------------------
def add_stream_args(p: argparse.ArgumentParser) -> None:
    from tweetpulse.config import DEFAULT_POLL_INTERVAL
    from tweetpulse.sources import SOURCE_NAMES
    from tweetpulse.sources.formats import FORMATS

    p.add_argument(
        "--source",
        choices=SOURCE_NAMES,
        default="sample",
        help="where tweets come from (default: the bundled sample; bluesky and mastodon are live and free)",
    )
    p.add_argument("--dataset", metavar="PATH", help="file to replay with --source replay")
    p.add_argument("--format", choices=FORMATS, help="dataset format (default: detected)")
    pace = p.add_argument_group("pacing")
    pace.add_argument("--rate", type=positive_float, help="tweets per second (default: as fast as possible)")
    pace.add_argument("--speedup", type=positive_float, help="follow created_at, this many times faster")
    pace.add_argument("--limit", type=positive_int, help="stop after this many tweets")
    pace.add_argument("--duration", type=positive_float, help="stop after this many seconds")
    pace.add_argument("--loop", action="store_true", help="start over at the end of the dataset")
    add_keyword_args(p)
    x = p.add_argument_group("X API v2 (--source x)")
    x.add_argument(
        "--x-mode",
        choices=("stream", "poll"),
        default="stream",
        help="filtered stream, or recent search polling for accounts without stream access",
    )
    x.add_argument("--x-api-base", metavar="URL", help="another API host (a proxy, a test server)")
    x.add_argument("--include-retweets", action="store_true", help="keep retweets in the stream rules")
    x.add_argument(
        "--poll-interval",
        type=positive_float,
        default=DEFAULT_POLL_INTERVAL,
        metavar="S",
        help="seconds between searches of X (--x-mode poll) or of Mastodon's tag timelines (no token) "
        "(poll mode; default: %(default)s)",
    )
    x.add_argument(
        "--record",
        metavar="PATH",
        help="write every raw API line / produced post's raw event to this JSONL file (x, bluesky, mastodon)",
    )
    add_live_args(p)
    p.add_argument(
        "--undelivered",
        metavar="PATH",
        help="where tweets Kafka never acknowledged are written, for --source replay to re-send "
        "(default: data/undelivered-<time>.jsonl, made only if there are any)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--summary-json", metavar="PATH", help="also write the summary as JSON")


def cmd_stream(args: argparse.Namespace) -> int:
    from tweetpulse.keywords import KeywordMatcher
    from tweetpulse.pacing import Pacer
    from tweetpulse.sources import open_source
    from tweetpulse.streamer import stream

    kafka = kafka_config(args)
    groups = keyword_groups(args)
    x_options: dict[str, Any] = {}
    if args.source == "x":
        x_options = {
            "mode": args.x_mode,
            "api_base": args.x_api_base,
            "record_path": args.record,
            "include_retweets": args.include_retweets,
            "poll_interval": args.poll_interval,
            "groups": groups,
            "duration": args.duration,
        }
    elif args.source in LIVE_SOURCES:
        x_options = live_options(args, groups, duration=args.duration)
    elif args.record:
        raise ConfigError("--record records a live source's raw events: use it with --source x, bluesky or mastodon")
    if args.give_up_after and args.source not in LIVE_SOURCES:
        raise ConfigError("--give-up-after is for the live sources: use it with --source bluesky or mastodon")
    source = open_source(
        args.source, dataset=args.dataset, fmt=args.format, matcher=KeywordMatcher(groups), loop=args.loop, **x_options
    )
    pacer = Pacer(rate=args.rate, speedup=args.speedup, limit=args.limit, duration=args.duration)
    undelivered = args.undelivered or time.strftime("data/undelivered-%Y%m%d-%H%M%S.jsonl")
    summary = stream(source, kafka, pacer, progress=not args.no_progress, undelivered=undelivered)
    code = report(args, summary, code=1 if summary.failed else 0)
    if summary.undelivered_ids:
        print(summary.undelivered_report(), file=sys.stderr)
    if summary.skipped:
        print(summary.skipped_report)
    return code


# -- listen -------------------------------------------------------------------------------------
def add_listen_args(p: argparse.ArgumentParser, *, demo: bool = False) -> None:
    from tweetpulse.models import DEFAULT_MAX_TEXT

    p.add_argument("--workers", type=positive_int, help="worker processes (default: CPU count)")
    p.add_argument("--group", default="tweetpulse", help="consumer group id (default: %(default)s)")
    p.add_argument(
        "--store",
        default=None if demo else DEFAULT_STORE,
        metavar="PATH|URL",
        help="the results store: a SQLite file path or sqlite:///path, or "
        "postgresql://user:password@host:port/db (default: "
        + ("a fresh data/demo.db every run, the last run's kept as data/demo.previous.db)" if demo else "%(default)s)"),
    )
    p.add_argument(
        "--from",
        dest="start_from",
        choices=("earliest", "latest"),
        default="earliest",
        help="where a new group starts reading (default: %(default)s)",
    )
    add_scorer_args(p)
    p.add_argument(
        "--max-text",
        type=positive_int,
        default=DEFAULT_MAX_TEXT,
        metavar="N",
        help="longer texts are dead-lettered (default: %(default)s)",
    )
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
    p.add_argument("--host", default="127.0.0.1", help=HOST_HELP)
    p.add_argument("--port", type=port_number, default=8050, help="page port (default: %(default)s)")
    add_refresh_arg(p)
    p.add_argument("--summary-json", metavar="PATH", help="also write the summary as JSON")


def listener_settings(args: argparse.Namespace, kafka: KafkaConfig) -> Any:
    from tweetpulse.listener import ListenerSettings

    return ListenerSettings(
        kafka=kafka,
        group=args.group,
        store_path=args.store,
        start_from=args.start_from,
        max_text=args.max_text,
        scorer=args.scorer,
        neutral_band=args.neutral_band,
    )


def cmd_listen(args: argparse.Namespace) -> int:
    from tweetpulse.pipeline import run_listener

    kafka = kafka_config(args)
    summary = run_listener(
        listener_settings(args, kafka),
        workers=args.workers,
        max_messages=args.max_messages,
        duration=args.duration,
        idle_exit=args.idle_exit,
        dashboard=not args.no_dashboard,
        host=args.host,
        port=args.port,
        interval_ms=args.refresh_ms,
    )
    for line in summary.stopped:  # a partition a worker stopped: the run did not get everything
        print(f"tweetpulse listen: error: {line}", file=sys.stderr)
    return report(args, summary, code=1 if summary.stopped else 0)


# -- demo ---------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from tweetpulse.pipeline import fresh_demo_store, run_demo

    kafka = kafka_config(args)
    if args.store is None:
        args.store = fresh_demo_store()
    else:
        from tweetpulse.stores import masked

        print(f"tweetpulse demo: adding to the store {masked(args.store)} (kept across runs)", flush=True)
    live = None
    if args.source in LIVE_SOURCES:
        from tweetpulse.keywords import KeywordMatcher

        groups = keyword_groups(args)
        live = (args.source, {"matcher": KeywordMatcher(groups), **live_options(args, groups)})
    summary = run_demo(
        listener_settings(args, kafka),
        live=live,
        rate=args.rate,
        workers=args.workers,
        duration=args.duration,
        host=args.host,
        port=args.port,
        start_kafka=not args.no_kafka_setup,
        interval_ms=args.refresh_ms,
        keep_kafka=args.keep_kafka,
        seed=args.seed,
    )
    return report(args, summary)


# -- score --------------------------------------------------------------------------------------
def cmd_score(args: argparse.Namespace) -> int:
    from tweetpulse.scoring import make_analyzer, score_tweet

    analyzer = make_analyzer(args.scorer, args.neutral_band, cache_size=0)
    text = " ".join(args.text)
    s = score_tweet(analyzer, text, args.followers)
    engine = getattr(analyzer, "engine", None)  # textblob: "native" (compiled core) or "python"
    if args.json:
        print(
            json.dumps(
                {"text": text, **s._asdict(), "followers": args.followers, "scorer": analyzer.name, "engine": engine}
            )
        )
    else:
        print(
            f"polarity {s.polarity:+.4f}  subjectivity {s.subjectivity:.4f}  label {s.label}"
            + (f"  weight {s.weight:.4f}  score {s.score:+.4f}" if args.followers is not None else "")
            + f"  (scorer {analyzer.name}"
            + (f", {engine} engine)" if engine else ")")
        )
    return 0


# -- evaluate / train ---------------------------------------------------------------------------
def cmd_evaluate(args: argparse.Namespace) -> int:
    from tweetpulse.evaluation import evaluate, render
    from tweetpulse.labeled import read_labeled
    from tweetpulse.scoring import make_analyzer

    analyzer = make_analyzer(args.scorer, neutral_band=args.neutral_band)
    dataset = read_labeled(args.dataset)
    evaluation = evaluate(analyzer, dataset)
    trained_here = getattr(analyzer, "meta", {}).get("dataset_sha256") == dataset.digest()
    if trained_here:
        print(
            f"tweetpulse evaluate: warning: {args.scorer} was trained on this file, so these scores prove "
            "nothing; evaluate it on labeled tweets it has not seen",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps({**evaluation.as_dict(), "trained_on_this_dataset": trained_here}))
    else:
        print(render(evaluation, worst=args.worst))
        if evaluation.dataset.skipped.count:
            print(evaluation.dataset.skipped.report(Path(args.dataset).name))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from tweetpulse.labeled import read_labeled
    from tweetpulse.training import train_to_file

    dataset = read_labeled(args.dataset)
    result = train_to_file(dataset, args.out, folds=args.folds, seed=args.seed)
    if args.json:
        print(json.dumps({**result.as_dict(), "model": args.out}))
    else:
        print(dataset.describe())
        print("\n".join(result.lines()))
        print(f"wrote {args.out}; use it with --scorer model:{args.out}")
    return 0


# -- dashboard ----------------------------------------------------------------------------------
def cmd_dashboard(args: argparse.Namespace) -> int:
    from tweetpulse.dashboard.standalone import run_dashboard
    from tweetpulse.scoring import make_analyzer

    kafka = kafka_config(args) if args.group else None
    run_dashboard(
        args.store,
        host=args.host,
        port=args.port,
        window=args.window,
        kafka=kafka,
        group=args.group,
        duration=args.duration,
        interval_ms=args.refresh_ms,
        classify=make_analyzer(args.scorer, args.neutral_band),
    )
    return 0


def build_parser() -> Parser:
    parser = Parser(prog="tweetpulse", description="Live crypto-tweet sentiment through Kafka onto a Dash page.")
    parser.add_argument("--version", action="version", version=f"tweetpulse {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress as well as warnings")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    p = sub.add_parser(
        "stream", help="send tweets (the sample, a dataset, or live from X, Bluesky or Mastodon) into Kafka"
    )
    add_stream_args(p)
    add_kafka_args(p)
    p.set_defaults(func=cmd_stream)

    p = sub.add_parser("listen", help="score tweets from Kafka, store them and serve the live page")
    add_listen_args(p)
    add_kafka_args(p)
    p.set_defaults(func=cmd_listen)

    p = sub.add_parser(
        "demo",
        help="Kafka + a streamer (the sample, or Bluesky / Mastodon live) + the listener and its page, in one go",
    )
    add_listen_args(p, demo=True)
    p.add_argument(
        "--source",
        choices=("sample", *LIVE_SOURCES),
        default="sample",
        help="synthetic tweets composed on the fly (default), or live posts from Bluesky or Mastodon",
    )
    add_keyword_args(p)
    add_live_args(p)
    p.add_argument(
        "--rate", type=positive_float, default=200.0, help="synthetic tweets per second (default: %(default)s)"
    )
    p.add_argument(
        "--seed",
        type=count,
        metavar="N",
        help="seed of the synthetic stream, to repeat one (default: a new one each run)",
    )
    p.add_argument("--no-kafka-setup", action="store_true", help="don't start Kafka with kafka-setup.sh")
    p.add_argument(
        "--keep-kafka",
        action="store_true",
        help="leave the Kafka broker the demo started running when it ends (default: stop it)",
    )
    add_kafka_args(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("score", help="score a text exactly as the listener does")
    p.add_argument("text", nargs="+", help="the text to score")
    p.add_argument("--followers", type=count, help="follower count (0 or more), for the weight and score")
    add_scorer_args(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("evaluate", help="a scorer's labels against human labels (accuracy, macro-F1, confusion)")
    p.add_argument(
        "--dataset",
        required=True,
        metavar="PATH",
        help="labeled CSV, Kaggle entity-sentiment format (id, entity, sentiment, text; no header)",
    )
    add_scorer_args(p)
    p.add_argument("--worst", type=int, default=5, metavar="N", help="show the N worst disagreements (default: 5)")
    p.add_argument("--json", action="store_true", help="print JSON (accuracy as a fraction)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("train", help="train a scorer (TF-IDF + logistic regression) on a labeled CSV")
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
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("dashboard", help="serve the live page from a store (survives listener restarts)")
    p.add_argument(
        "--store",
        default=DEFAULT_STORE,
        metavar="PATH|URL",
        help="the store to read: a SQLite file path or sqlite:///path, or "
        "postgresql://user:password@host:port/db (default: %(default)s)",
    )
    p.add_argument("--host", default="127.0.0.1", help=HOST_HELP)
    p.add_argument("--port", type=port_number, default=8050, help="page port (default: %(default)s)")
    add_refresh_arg(p)
    p.add_argument(
        "--window",
        type=positive_int,
        default=3600,
        metavar="S",
        help="seconds of history the charts keep (default: %(default)s)",
    )
    p.add_argument("--group", help="consumer group whose lag to show (with the Kafka settings below)")
    p.add_argument("--duration", type=positive_float, help="stop after this many seconds")
    add_scorer_args(p)  # for the classify box: the scorer the listener used
    add_kafka_args(p)
    p.set_defaults(func=cmd_dashboard)
    return parser


def _terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # warnings (X reconnecting, Kafka trouble) by default; -v adds progress (connected, rules, ...)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        handlers=[redacting_handler()],  # no log line shows a configured secret, whichever logger wrote it
    )
    signal.signal(signal.SIGTERM, _terminate)  # SIGTERM stops as cleanly as Ctrl-C
    try:
        return int(args.func(args))
    except TweetpulseError as exc:
        print(f"tweetpulse {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tweetpulse {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
