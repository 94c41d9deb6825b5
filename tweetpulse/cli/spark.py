"""``tweetpulse spark``: its options and the command (the job itself is :mod:`tweetpulse.spark`)."""

from __future__ import annotations

import argparse
import os
import sys

from tweetpulse.cli.args import add_message_args, kafka_config, report
from tweetpulse.errors import ConfigError
from tweetpulse.options import positive_float, positive_int
from tweetpulse.stores import DEFAULT_STORE

HELP = "the listener's job (score, dead-letter, store) as a Spark Structured Streaming query (make spark first)"


def spark_setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(
            f"expected a Spark setting as key=value, e.g. spark.executor.memory=2g; got {text!r}"
        )
    return key.strip(), value.strip()


def add_spark_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        default=DEFAULT_STORE,
        metavar="PATH|URL",
        help="the results store, as for listen: a SQLite file (local masters only) or "
        "postgresql://user@host:port/db (default: %(default)s)",
    )
    p.add_argument(
        "--checkpoint",
        metavar="DIR",
        help="the query's checkpoint (offsets and commits; on a cluster a shared path such as hdfs:// or s3a://) "
        "(default: data/spark/<topic>-<hash of the store>)",
    )
    p.add_argument(
        "--from",
        dest="start_from",
        choices=("earliest", "latest"),
        default="earliest",
        help="where a new checkpoint starts reading (default: %(default)s)",
    )
    p.add_argument(
        "--master",
        default=f"local[{os.cpu_count() or 1}]",
        help="Spark master: local[N], spark://host:7077, yarn, k8s://... (default: %(default)s)",
    )
    p.add_argument(
        "--trigger", type=positive_float, metavar="S", help="seconds between micro-batches (default: back to back)"
    )
    p.add_argument(
        "--max-offsets-per-trigger", type=positive_int, metavar="N", help="at most N messages per micro-batch"
    )
    add_message_args(p)
    p.add_argument(
        "--idle-exit", type=positive_float, metavar="S", help="stop after S seconds with nothing new, caught up"
    )
    p.add_argument("--duration", type=positive_float, help="stop after this many seconds")
    p.add_argument(
        "--conf",
        dest="spark_conf",
        type=spark_setting,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting, e.g. --conf spark.executor.memory=2g (repeatable; wins over tweetpulse's)",
    )
    p.add_argument("--summary-json", metavar="PATH", help="also write the summary as JSON")


def cmd_spark(args: argparse.Namespace) -> int:
    from tweetpulse.pipeline.settings import ListenerSettings
    from tweetpulse.spark.job import SparkJob, default_checkpoint, run_spark

    kafka = kafka_config(args)
    settings = ListenerSettings(
        kafka=kafka,
        store_path=args.store,
        start_from=args.start_from,
        max_text=args.max_text,
        scorer=args.scorer,
        neutral_band=args.neutral_band,
    )
    if not args.master.strip():
        raise ConfigError("--master is empty: give local[N], spark://host:port, yarn or k8s://...")
    job = SparkJob(
        settings=settings,
        checkpoint=args.checkpoint or default_checkpoint(kafka.topic, args.store),
        master=args.master.strip(),
        trigger=args.trigger,
        max_offsets_per_trigger=args.max_offsets_per_trigger,
        conf=dict(args.spark_conf),
    )
    # built here once too: a scorer that can't load (a missing model file) fails now, in one line, not in a task
    scorer = settings.make_scorer()
    engine = getattr(scorer, "engine", None)  # textblob: "native" (the compiled core) or "python"
    print(
        f"tweetpulse spark: {job.master}, scorer {scorer.name}{f' ({engine} engine)' if engine else ''}, "
        f"checkpoint {job.checkpoint}",
        file=sys.stderr,
    )
    summary = run_spark(job, idle_exit=args.idle_exit, duration=args.duration)
    return report(args, summary)
