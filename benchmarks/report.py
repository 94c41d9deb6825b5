"""Tables of benchmark results against the targets: plain text for the terminal, Markdown for docs.

``markdown_table(results)`` takes the dict written to ``benchmarks/results.json`` (or read back from
it) and returns a Markdown table: figure | value | unit | target | met?.
"""

from __future__ import annotations

import json
import math
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[float], bool]


def _at_least(bound: float, text: str) -> Target:
    return Target(text, lambda v: operator.ge(v, bound))


def _at_most(bound: float, text: str) -> Target:
    return Target(text, lambda v: operator.le(v, bound))


def _below(bound: float, text: str) -> Target:
    return Target(text, lambda v: operator.lt(v, bound))


TARGETS: dict[str, Target] = {
    "producer_tweets_per_s": _at_least(100_000, ">= 100,000"),
    "scorer_tweets_per_s": _at_least(150_000, ">= 150,000 (compiled core, per process)"),
    "scorer_vs_textblob": _at_least(4, ">= 4x (per process)"),
    "scorer_mismatches": _at_most(0, "0"),
    "e2e_steady_tweets_per_s": _at_least(50_000, ">= 50,000"),
    "e2e_start_s": _at_most(1.0, "<= 1 s"),
    "e2e_vs_baseline": _at_least(10, ">= 10x"),
    "e2e_vs_textblob": _at_least(20, ">= 20x one core of TextBlob"),
    "e2e_model_vs_textblob": _at_least(5, ">= 5x one core of TextBlob"),
    "e2e_vader_vs_textblob": _at_least(2, ">= 2x one core of TextBlob"),
    "visible_p99_s": _at_most(0.5, "<= 0.5 s"),
    "tick_p95_ms_1m": _at_most(20, "<= 20 ms"),
    "tick_bytes_1m": _at_most(20_000, "<= 20 KB (20,000 B)"),
    "rss_growth_pct": _below(10, "< 10%"),
    "rss_tweets_processed": _at_least(5_000_000, ">= 5,000,000 (flat over 5M tweets)"),
}

# the order of the table's rows (figures missing from the results are shown as missing)
ORDER = (
    "producer_tweets_per_s",
    "scorer_engine",
    "scorer_tweets_per_s",
    "textblob_tweets_per_s",
    "scorer_vs_textblob",
    "scorer_python_tweets_per_s",
    "scorer_cached_tweets_per_s",
    "scorer_full_cache_tweets_per_s",
    "scorer_mismatches",
    "e2e_steady_tweets_per_s",
    "e2e_start_s",
    "e2e_tweets_per_s",
    "baseline_tweets_per_s",
    "e2e_vs_baseline",
    "e2e_vs_textblob",
    "e2e_model_steady_tweets_per_s",
    "e2e_model_start_s",
    "e2e_model_vs_textblob",
    "e2e_vader_steady_tweets_per_s",
    "e2e_vader_start_s",
    "e2e_vader_vs_textblob",
    "e2e_pg_steady_tweets_per_s",
    "e2e_pg_start_s",
    "e2e_pg_tweets_per_s",
    "spark_steady_tweets_per_s",
    "spark_start_s",
    "spark_tweets_per_s",
    "spark_vs_e2e",
    "store_insert_sqlite_tweets_per_s",
    "store_insert_pg_copy_tweets_per_s",
    "store_insert_pg_executemany_tweets_per_s",
    "e2e_mongo_steady_tweets_per_s",
    "e2e_mongo_start_s",
    "e2e_mongo_tweets_per_s",
    "store_insert_mongodb_tweets_per_s",
    "latency_p50_s",
    "latency_p99_s",
    "fold_p50_s",
    "fold_p99_s",
    "visible_p50_s",
    "visible_p99_s",
    "visible_p99_s_refresh_1000ms",
    "tick_p95_ms_10k",
    "tick_p95_ms_100k",
    "tick_p95_ms_1m",
    "tick_bytes_10k",
    "tick_bytes_100k",
    "tick_bytes_1m",
    "rss_growth_pct",
    "rss_tweets_processed",
    "profile_worker_us_per_tweet",
    "profile_cpu_us_per_tweet",
)


def fmt(value: object) -> str:
    """A number for a table: thousands separators for large ones, 3 significant digits for small ones."""
    if value is None:
        return "missing"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(figure, value, unit, target, met?) for the headline figures, in table order (a figure with a
    target is listed even when missing; results.json holds more detail)."""
    figures: dict[str, dict[str, Any]] = results.get("figures", {})
    names = [n for n in ORDER if n in figures or n in TARGETS or n in results]
    out = []
    for name in names:
        figure = figures.get(name, {})
        value = figure.get("value", results.get(name))
        target = TARGETS.get(name)
        if target is None:
            met = ""
        elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            met = "yes" if target.check(value) else "NO"
        else:
            met = "?"
        out.append((name, fmt(value), str(figure.get("unit", "")), target.text if target else "", met))
    return out


HEADER = ("figure", "value", "unit", "target", "met?")


def text_table(results: dict[str, Any]) -> str:
    table = [HEADER, *rows(results)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    lines = []
    for i, row in enumerate(table):
        cells = [c.rjust(w) if j == 1 else c.ljust(w) for j, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(results: dict[str, Any]) -> str:
    """The results as a Markdown table: figure | value | unit | target | met?."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|--:|---|---|---|"]
    for name, value, unit, target, met in rows(results):
        lines.append(f"| `{name}` | {value} | {unit} | {target} | {met} |")
    machine = results.get("machine", {})
    if machine:
        lines.append("")
        lines.append(
            f"{'Quick run' if results.get('quick') else 'Full run'} of {results.get('generated_at', '?')} "
            f"on {machine.get('cores', '?')} cores ({machine.get('cpu_model', '?')}), "
            f"Python {machine.get('python', '?')}."
        )
    errors = results.get("errors") or {}
    for name, error in errors.items():
        lines.append(f"- `{name}` failed: {error}")
    return "\n".join(lines)


if __name__ == "__main__":
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    loaded = json.loads((Path(paths[0]) if paths else RESULTS).read_text(encoding="utf-8"))
    print(markdown_table(loaded) if "--text" not in sys.argv else text_table(loaded))
