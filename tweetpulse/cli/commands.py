"""What each ``tweetpulse`` command does once its arguments are parsed (:mod:`tweetpulse.cli.parser`)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from tweetpulse.cli.args import kafka_config, keyword_groups, report
from tweetpulse.cli.prices import price_side
from tweetpulse.cli.sources import source_request
from tweetpulse.kafka.config import KafkaConfig


def cmd_stream(args: argparse.Namespace) -> int:
    from tweetpulse.keywords import KeywordMatcher
    from tweetpulse.pipeline.pacing import Pacer
    from tweetpulse.pipeline.streamer import stream

    kafka = kafka_config(args)
    matcher = KeywordMatcher(keyword_groups(args))
    spec, request = source_request(args, matcher, loop=args.loop, duration=args.duration)
    source = spec.open(request)
    pacer = Pacer(rate=args.rate, speedup=args.speedup, limit=args.limit, duration=args.duration)
    undelivered = args.undelivered or time.strftime("data/undelivered-%Y%m%d-%H%M%S.jsonl")
    summary = stream(source, kafka, pacer, progress=not args.no_progress, undelivered=undelivered)
    code = report(args, summary, code=1 if summary.failed else 0)
    if summary.undelivered_ids:
        print(summary.undelivered_report(), file=sys.stderr)
    if summary.skipped:
        print(summary.skipped_report)
    return code


def listener_settings(args: argparse.Namespace, kafka: KafkaConfig) -> Any:
    from tweetpulse.pipeline.listener import ListenerSettings

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
    from tweetpulse.pipeline.demo import run_listener

    kafka = kafka_config(args)
    summary = run_listener(
        listener_settings(args, kafka),
        prices=price_side(args, kafka, args.group, args.store),
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


def cmd_demo(args: argparse.Namespace) -> int:
    from tweetpulse.keywords import KeywordMatcher
    from tweetpulse.pipeline.demo import fresh_demo_store, run_demo
    from tweetpulse.stores import masked

    kafka = kafka_config(args)
    _, request = source_request(args, KeywordMatcher(keyword_groups(args)), loop=True)
    if args.store is None:
        args.store = fresh_demo_store()
    else:
        print(f"tweetpulse demo: adding to the store {masked(args.store)} (kept across runs)", flush=True)
    summary = run_demo(
        listener_settings(args, kafka),
        request,
        prices=price_side(args, kafka, args.group, args.store),
        rate=args.rate,
        workers=args.workers,
        duration=args.duration,
        host=args.host,
        port=args.port,
        start_kafka=not args.no_kafka_setup,
        interval_ms=args.refresh_ms,
        keep_kafka=args.keep_kafka,
    )
    return report(args, summary)


def cmd_score(args: argparse.Namespace) -> int:
    from tweetpulse.scorers.scoring import make_scorer, score_tweet

    scorer = make_scorer(args.scorer, args.neutral_band, cache_size=0)
    text = " ".join(args.text)
    s = score_tweet(scorer, text, args.followers)
    engine = getattr(scorer, "engine", None)  # textblob: "native" (compiled core) or "python"
    if args.json:
        print(
            json.dumps(
                {"text": text, **s._asdict(), "followers": args.followers, "scorer": scorer.name, "engine": engine}
            )
        )
    else:
        print(
            f"polarity {s.polarity:+.4f}  subjectivity {s.subjectivity:.4f}  label {s.label}"
            + (f"  weight {s.weight:.4f}  score {s.score:+.4f}" if args.followers is not None else "")
            + f"  (scorer {scorer.name}"
            + (f", {engine} engine)" if engine else ")")
        )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from tweetpulse.scorers.scoring import make_scorer
    from tweetpulse.workbook.evaluation import evaluate, render
    from tweetpulse.workbook.labeled import read_labeled

    scorer = make_scorer(args.scorer, neutral_band=args.neutral_band)
    dataset = read_labeled(args.dataset)
    evaluation = evaluate(scorer, dataset)
    trained_here = getattr(scorer, "meta", {}).get("dataset_sha256") == dataset.digest()
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
    from tweetpulse.workbook.labeled import read_labeled
    from tweetpulse.workbook.training import train_to_file

    dataset = read_labeled(args.dataset)
    result = train_to_file(dataset, args.out, folds=args.folds, seed=args.seed)
    if args.json:
        print(json.dumps({**result.as_dict(), "model": args.out}))
    else:
        print(dataset.describe())
        print("\n".join(result.lines()))
        print(f"wrote {args.out}; use it with --scorer model:{args.out}")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from tweetpulse.dashboard.standalone import run_dashboard
    from tweetpulse.scorers.scoring import make_scorer

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
        classify=make_scorer(args.scorer, args.neutral_band),
        prices=not args.no_prices,
    )
    return 0
