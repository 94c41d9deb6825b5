"""``python -m benchmarks [--quick] [--only a,b] [--out benchmarks/results.json]`` (``make bench``).

Runs the benchmarks, writes ``results.json`` and prints a table of the figures against the targets.
The Kafka benchmarks share one private broker started for the session on free ports (or the one
``TWEETPULSE_BENCH_BOOTSTRAP`` names), stopped at the end whatever happens. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from tests.support.broker import Broker, private_broker  # noqa: E402

PARTS = (
    "scorer", "dashboard", "producer", "e2e", "scorers", "postgres", "spark", "mongodb", "baseline", "latency",
    "memory", "profile",
)  # fmt: skip
KAFKA_PARTS = frozenset(
    ("producer", "e2e", "scorers", "postgres", "spark", "mongodb", "baseline", "latency", "memory", "profile")
)
# the plain numbers results.json also carries at its top level
REQUIRED = (
    "producer_tweets_per_s",
    "scorer_engine",
    "scorer_tweets_per_s",
    "textblob_tweets_per_s",
    "scorer_mismatches",
    "e2e_steady_tweets_per_s",
    "e2e_start_s",
    "e2e_tweets_per_s",
    "baseline_tweets_per_s",
    "e2e_vs_baseline",
    "e2e_vs_textblob",
    "e2e_model_vs_textblob",
    "e2e_vader_vs_textblob",
    "latency_p50_s",
    "latency_p99_s",
    "tick_p95_ms_1m",
    "tick_bytes_1m",
    "rss_growth_pct",
)
# which part produces which figures (by name prefix), to drop them when the part fails
PART_PREFIXES = {
    "scorer": ("scorer_", "textblob_"),
    "dashboard": ("tick_", "load_"),
    "producer": ("producer_",),
    "e2e": ("e2e_tweets_", "e2e_steady_", "e2e_start_"),
    "scorers": ("e2e_model_", "e2e_vader_"),
    "profile": ("profile_",),
    "postgres": ("e2e_pg_", "store_insert_sqlite", "store_insert_pg_"),
    "spark": ("spark_",),
    "mongodb": ("e2e_mongo_", "store_insert_mongodb"),
    "baseline": ("baseline_",),
    "latency": ("latency_", "fold_", "visible_"),
    "memory": ("rss_",),
}
Figure = dict[str, Any]


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------- parts
def part_scorer(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_scorer

    n_texts, repeats = (5_000, runs or 2) if quick else (20_000, runs or 3)
    flat = bench_scorer.run(n_texts, repeats)
    settings = {
        "texts": flat["n_texts"],
        "runs": flat["repeats"],
        "corpus": "generate_tweets (about 20% repeats) + the shared validation CSV",
        "per_process": True,
    }
    units = {
        "scorer_engine": "path",
        "scorer_tweets_per_s": "tweets/s",
        "textblob_tweets_per_s": "tweets/s",
        "scorer_vs_textblob": "x",
        "scorer_python_tweets_per_s": "tweets/s",
        "scorer_python_vs_textblob": "x",
        "scorer_mismatches": "texts",
        "scorer_cached_tweets_per_s": "tweets/s",
        "scorer_cached_vs_textblob": "x",
        "scorer_full_cache_tweets_per_s": "tweets/s",
        "scorer_full_cache_vs_textblob": "x",
    }
    engine: dict[str, object] = {"engine": flat["scorer_engine"]}
    meaning = (
        "native: the compiled core (native/) ran; python: the pure-Python fallback (core not built, "
        "or TWEETPULSE_PURE_PYTHON=1)"
    )
    extra: dict[str, dict[str, object]] = {
        "scorer_engine": {"meaning": meaning},
        "scorer_tweets_per_s": {"scorer": "TextBlobScorer(cache_size=0)", **engine},
        "scorer_python_tweets_per_s": {"scorer": "TextBlobScorer(cache_size=0, engine='python')"},
        "scorer_cached_tweets_per_s": {"scorer": "TextBlobScorer() (default cache), fresh per run", **engine},
        "scorer_full_cache_tweets_per_s": {
            "scorer": "TextBlobScorer() with its cache full of other texts first: every new text evicts one",
            **engine,
        },
        "scorer_mismatches": {
            "compared": "polarity and subjectivity bit for bit: cached and uncached on the "
            "default path, and the pure-Python fallback"
        },
    }
    return {
        name: {"value": flat[name], "unit": unit, "settings": {**settings, **extra.get(name, {})}}
        for name, unit in units.items()
        if name in flat
    }


def part_dashboard(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    try:
        from benchmarks import bench_dashboard  # written alongside; imported only when asked for
    except ImportError as exc:
        raise RuntimeError(
            f"benchmarks/bench_dashboard.py is not available ({exc}); the tick figures are missing"
        ) from None
    sizes = (10_000, 100_000, 1_000_000)
    flat = bench_dashboard.run(sizes=sizes)
    settings = {
        "sizes": list(sizes),
        "method": "benchmarks/bench_dashboard.py: Dash's real dispatch on the Flask "
        "test client, 60 steady ticks per size (see its docstring)",
    }
    figures: dict[str, Figure] = {}
    for name, value in flat.items():
        if name.startswith(("tick_p95_ms_", "tick_p50_ms_", "load_ms_")):
            unit = "ms"
        elif name.startswith(("tick_bytes_", "load_bytes_")):
            unit = "bytes"
        else:
            continue
        figures[name] = {"value": value, "unit": unit, "settings": settings}
    return figures


def part_producer(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_producer

    assert broker is not None
    n = bench_producer.N_QUICK if quick else bench_producer.N_FULL
    return bench_producer.run(broker, n, runs or (2 if quick else 3))


def part_e2e(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_e2e
    from tweetpulse.scorers.scoring import TextBlobScorer

    assert broker is not None
    n = bench_e2e.N_QUICK if quick else bench_e2e.N_FULL
    figures = bench_e2e.run(broker, n, runs or (2 if quick else 5))
    engine = TextBlobScorer(cache_size=0).engine  # the workers inherit the environment, hence the same choice
    for figure in figures.values():
        figure.setdefault("settings", {})["scoring_engine"] = engine
    return figures


def part_scorers(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_e2e_scorers

    assert broker is not None
    n = bench_e2e_scorers.N_QUICK if quick else bench_e2e_scorers.N_FULL
    return bench_e2e_scorers.run(broker, n, runs or (1 if quick else 2))


def part_profile(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_profile

    assert broker is not None
    return bench_profile.run(broker, bench_profile.N_QUICK if quick else bench_profile.N_FULL)


def part_postgres(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_e2e, bench_pgstore

    assert broker is not None
    if quick:
        return bench_pgstore.run(broker, bench_e2e.N_QUICK, runs or 2, bench_pgstore.INSERTS_QUICK, runs or 2)
    return bench_pgstore.run(broker, bench_e2e.N_FULL, runs or 3, bench_pgstore.INSERTS_FULL, runs or 3)


def part_spark(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_spark

    assert broker is not None
    n = bench_spark.N_QUICK if quick else bench_spark.N_FULL
    return bench_spark.run(broker, n, runs or (1 if quick else 3))


def part_mongodb(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_e2e, bench_mongostore, bench_pgstore

    assert broker is not None
    if quick:
        return bench_mongostore.run(broker, bench_e2e.N_QUICK, runs or 1, bench_pgstore.INSERTS_QUICK, runs or 1)
    return bench_mongostore.run(broker, bench_e2e.N_FULL, runs or 2, bench_pgstore.INSERTS_FULL // 4, runs or 2)


def part_baseline(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import baseline

    assert broker is not None
    n = baseline.N_QUICK if quick else baseline.N_FULL
    return baseline.run(broker, n, runs or (2 if quick else 3))


def part_latency(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_latency

    assert broker is not None
    duration = bench_latency.DURATION_QUICK if quick else bench_latency.DURATION_FULL
    return bench_latency.run(broker, duration, runs or (1 if quick else 3))


def part_memory(quick: bool, runs: int | None, broker: Broker | None) -> dict[str, Figure]:
    from benchmarks import bench_memory

    assert broker is not None
    if quick:
        return bench_memory.run(broker, bench_memory.DURATION_QUICK, file_tweets=50_000, tweets=None)
    return bench_memory.run(broker, bench_memory.DURATION_FULL)


RUNNERS: dict[str, Callable[[bool, int | None, Broker | None], dict[str, Figure]]] = {
    "scorer": part_scorer,
    "dashboard": part_dashboard,
    "producer": part_producer,
    "e2e": part_e2e,
    "scorers": part_scorers,
    "postgres": part_postgres,
    "spark": part_spark,
    "mongodb": part_mongodb,
    "baseline": part_baseline,
    "latency": part_latency,
    "memory": part_memory,
    "profile": part_profile,
}


# ------------------------------------------------------------------------------------------ session
def ratio(figures: dict[str, Figure]) -> Figure | None:
    """``e2e_vs_baseline``: the listener's steady rate over the baseline's rate, both without start-up."""
    e2e, base = figures.get("e2e_steady_tweets_per_s"), figures.get("baseline_tweets_per_s")
    if not e2e or not base or not base.get("value"):
        return None
    from_start = figures.get("e2e_tweets_per_s")
    return {
        "value": round(e2e["value"] / base["value"], 2),
        "unit": "x",
        "settings": {
            "e2e_steady_tweets_per_s": e2e["value"],
            "baseline_tweets_per_s": base["value"],
            "from_start_ratio": round(from_start["value"] / base["value"], 2) if from_start else None,
            "note": "measured in the same session on the same broker and data; neither figure counts "
            "start-up (the steady rate runs from 10% to 90% of the tweets stored, the "
            "baseline's from its first message to its last); from_start_ratio uses "
            "e2e_tweets_per_s, start-up included",
        },
    }


def spark_ratio(figures: dict[str, Figure]) -> Figure | None:
    """``spark_vs_e2e``: tweetpulse spark's steady rate over the listener's, same session, data and store."""
    spark, e2e = figures.get("spark_steady_tweets_per_s"), figures.get("e2e_steady_tweets_per_s")
    if not spark or not e2e or not e2e.get("value"):
        return None
    return {
        "value": round(spark["value"] / e2e["value"], 2),
        "unit": "x",
        "settings": {
            "spark_steady_tweets_per_s": spark["value"],
            "e2e_steady_tweets_per_s": e2e["value"],
            "note": "the same records, 6-partition topic and SQLite store on the same cores: Spark's JVM and "
            "its Python workers share them with the broker",
        },
    }


# the listener's steady rates over one core of plain TextBlob (the scorer part's textblob_tweets_per_s)
TEXTBLOB_RATIOS = {
    "e2e_vs_textblob": ("e2e_steady_tweets_per_s", "e2e", "the default scorer"),
    "e2e_model_vs_textblob": ("e2e_model_steady_tweets_per_s", "scorers", "--scorer model:PATH"),
    "e2e_vader_vs_textblob": ("e2e_vader_steady_tweets_per_s", "scorers", "--scorer vader"),
}


def textblob_ratios(figures: dict[str, Figure], parts: list[str]) -> dict[str, Figure]:
    """Each steady rate over one core of TextBlob, for the rates measured in this session.

    The reference is the one timed beside each run (``<prefix>_paired_vs_textblob``, see
    :mod:`benchmarks.bench_e2e`: the median of the runs' ratios); the ``scorer`` part's TextBlob rate,
    timed minutes apart, is shown beside it (and is the reference of results that have no paired one).
    """
    textblob = figures.get("textblob_tweets_per_s")
    session = textblob["value"] if "scorer" in parts and textblob and textblob.get("value") else None
    out: dict[str, Figure] = {}
    for name, (rate, part, scorer) in TEXTBLOB_RATIOS.items():
        figure = figures.get(rate)
        if part not in parts or not figure:
            continue
        paired = figures.get(rate.replace("_steady_tweets_per_s", "_paired_vs_textblob"))
        settings: dict[str, Any] = {rate: figure["value"], "workers": figure.get("settings", {}).get("workers")}
        settings["scorer"] = scorer
        if session:
            settings["textblob_tweets_per_s"] = session
            settings["vs_the_scorer_parts_textblob"] = round(figure["value"] / session, 2)
        if paired and paired.get("value"):
            value = paired["value"]
            settings["per_run_x"] = paired["settings"]["per_run_x"]
            settings["per_run_textblob_tweets_per_s"] = paired["settings"]["per_run_textblob_tweets_per_s"]
            settings["note"] = (
                "the listener's steady end-to-end rate (all workers, SQLite) over one core of plain "
                "TextBlob(text).sentiment timed on the run's own texts just before and after each run: "
                "the median of the runs' ratios"
            )
        elif session:
            value = round(figure["value"] / session, 2)
            settings["note"] = (
                "the listener's steady end-to-end rate (all workers, SQLite) over one core of plain "
                "TextBlob(text).sentiment on the same kind of texts, both measured in this session"
            )
        else:
            continue
        out[name] = {"value": value, "unit": "x", "settings": settings}
    return out


def load_previous(path: Path, quick: bool) -> dict[str, Any] | None:
    try:
        previous: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return previous if previous.get("quick") == quick else None


def run_session(parts: list[str], quick: bool, runs: int | None, out: Path, merge: bool) -> dict[str, Any]:
    figures: dict[str, Figure] = {}
    errors: dict[str, str] = {}
    durations: dict[str, float] = {}
    broker_info: dict[str, Any] | None = None
    started = time.monotonic()
    with ExitStack() as stack:
        broker: Broker | None = None
        for part in parts:
            if part in KAFKA_PARTS and broker is None:
                say("starting a private Kafka broker (kafka-setup.sh start, free ports, temporary state)")
                broker = stack.enter_context(private_broker())
                broker_info = broker.describe()
                say(f"broker up on {broker.bootstrap} in {broker.started_in_s:.1f}s (+{broker.warm_up_s:.1f}s warm-up)")
            say(f"{part}: running")
            t0 = time.monotonic()
            try:
                got = RUNNERS[part](quick, runs, broker)
            except Exception as exc:
                errors[part] = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
                say(f"{part}: FAILED ({errors[part]})")
            else:
                figures.update(got)
                shown = ", ".join(
                    f"{k}={report.fmt(v['value'])}" for k, v in got.items() if k in report.TARGETS or k in REQUIRED
                )
                say(f"{part}: {shown or 'done'}")
            durations[part] = round(time.monotonic() - t0, 1)
        if broker is not None:
            say("stopping the broker")
    total = time.monotonic() - started

    results: dict[str, Any] = {
        "machine": machine(),
        "quick": quick,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    previous = load_previous(out, quick) if merge else None
    if previous is not None:
        kept = {k: v for k, v in previous.get("figures", {}).items() if k not in figures}
        figures = {**kept, **figures}
        old_errors = {k: v for k, v in (previous.get("errors") or {}).items() if k not in parts}
        errors = {**old_errors, **errors}
        durations = {**previous.get("durations_s", {}), **durations}
        results["merged_parts"] = parts
        # the session the kept figures come from (its own first session when merged more than once)
        results["merged_into"] = previous.get("merged_into") or previous.get("generated_at")
    for part in errors:  # a failed part's figures are missing (null), not left over from an earlier run
        for name in [n for n in figures if n.startswith(PART_PREFIXES.get(part, ()))]:
            del figures[name]
    figures.pop("e2e_vs_baseline", None)
    for name in TEXTBLOB_RATIOS:
        figures.pop(name, None)
    figures.update(textblob_ratios(figures, parts))
    both = ratio(figures)
    if both is not None:
        figures["e2e_vs_baseline"] = both
    figures.pop("spark_vs_e2e", None)
    spark = spark_ratio(figures)
    if spark is not None:
        figures["spark_vs_e2e"] = spark
    results["figures"] = figures
    for name in REQUIRED:
        results[name] = figures[name]["value"] if name in figures else None
    results["errors"] = errors
    results["durations_s"] = {**durations, "total": round(total, 1)}
    results["broker"] = broker_info or (previous or {}).get("broker")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="tweetpulse benchmarks")
    parser.add_argument("--quick", action="store_true", help="small inputs, fewer runs (under 2 minutes)")
    parser.add_argument(
        "--only",
        help=f"comma-separated parts to run: {','.join(PARTS)} (default: all); the other figures of --out are kept",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the results (default benchmarks/results.json; with --quick "
        "benchmarks/results-quick.json, so a quick run never replaces the full figures)",
    )
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, or fewer with --quick)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = Path(__file__).with_name("results-quick.json" if args.quick else "results.json")
    parts = list(PARTS)
    if args.only:
        wanted = [p.strip() for p in args.only.split(",") if p.strip()]
        unknown = [p for p in wanted if p not in PARTS]
        if unknown:
            parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
        parts = [p for p in PARTS if p in wanted]
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    try:
        results = run_session(parts, args.quick, args.runs, args.out, merge=bool(args.only))
    except KeyboardInterrupt:
        say("interrupted: the broker was stopped, nothing written")
        return 130
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(report.text_table(results))
    print(f"\n{'quick' if args.quick else 'full'} run in {results['durations_s']['total']:.0f}s; wrote {args.out}")
    if not args.quick and args.out == report.RESULTS:  # docs/performance.md shows the last full session
        from benchmarks import perfdoc

        print(f"wrote {perfdoc.write(json.loads(args.out.read_text(encoding='utf-8')))}")
    if results["errors"]:
        print("errors: " + "; ".join(f"{k}: {v}" for k, v in results["errors"].items()))
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
