"""``docs/performance.md`` from a benchmark session's results: the targets as ratios to one core of
TextBlob, the machine's TextBlob rate, and the profile's per-tweet breakdown of every process.

``python -m benchmarks`` rewrites it after a full run (``make bench``), so the page always shows the
last full session; ``python -m benchmarks.perfdoc [results.json]`` renders it again from a file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks import report

DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
RATIOS = ("e2e_vs_textblob", "e2e_model_vs_textblob", "e2e_vader_vs_textblob")
KEY_FIGURES = (
    "textblob_tweets_per_s",
    "scorer_tweets_per_s",
    "e2e_steady_tweets_per_s",
    "e2e_model_steady_tweets_per_s",
    "e2e_vader_steady_tweets_per_s",
    *RATIOS,
    "e2e_start_s",
    "visible_p99_s",
    "rss_growth_pct",
    "rss_tweets_processed",
    "profile_cpu_us_per_tweet",
)

INTRO = """# Performance

Speed here is a ratio: the machines this runs on differ from day to day (plain
`TextBlob(text).sentiment` ran at 8.8k, 5.6k and 3.6k tweets/s per core on three days), so every
throughput target is the listener's steady end-to-end rate over **one core of plain TextBlob on the
same kind of texts, measured in the same session** (`make bench`: `python -m benchmarks`, figures in
`benchmarks/results.json`). This page is written by that run; `benchmarks/README.md` says how each
figure is taken.

## How a poll batch is handled

A worker takes up to 2,000 messages per poll and handles them as one batch
(`tweetpulse/rows.py`): one call decodes and validates every message value
(`models.records_fields`: the compiled core's `decode_records`, serde_json, returns the records it
is sure about and hands every other value to the Python rule, so results and dead-letter reasons
are the same bit for bit), one call scores every text (the scorer's batch method: one
`predict_proba` for `model:PATH`, each distinct text once for VADER, the compiled TextBlob walk
for the default), then the rows are built, inserted in one transaction, folded for the page and
only then committed.
"""


def _value(results: dict[str, Any], name: str) -> Any:
    figure = results.get("figures", {}).get(name)
    return figure.get("value") if figure else None


def targets_table(results: dict[str, Any]) -> list[str]:
    lines = ["| figure | value | unit | target | met? |", "|---|--:|---|---|---|"]
    chosen = set(KEY_FIGURES)
    for name, value, unit, target, met in report.rows(results):
        if name in chosen:
            lines.append(f"| `{name}` | {value} | {unit} | {target} | {met} |")
    return lines


def profile_lines(results: dict[str, Any]) -> list[str]:
    figure = results.get("figures", {}).get("profile_worker_us_per_tweet")
    if not figure:
        return ["No profile in these results (the `profile` part did not run)."]
    settings = figure["settings"]
    lines = [
        f"`{settings['command']}` on {settings['tweets']:,} preloaded tweets ({settings['partitions']} partitions), "
        f"{settings['listener_rate_tweets_per_s']:,} tweets/s under the profiler; {settings['profiler']}.",
        "µs of CPU per tweet stored, by process and stage:",
        "",
        "| process | CPU s | µs/tweet | stages (µs/tweet) |",
        "|---|--:|--:|---|",
    ]
    steady = results.get("figures", {}).get("profile_cpu_us_per_tweet")
    if steady and steady.get("value"):
        capacity = steady["settings"].get("capacity_tweets_per_s")
        textblob = _value(results, "textblob_tweets_per_s")
        vs = f" = {capacity / textblob:.1f}× one core of TextBlob" if capacity and textblob else ""
        lines[1:1] = [
            f"Every process together, start-up left out: **{steady['value']:g} µs of CPU per tweet**, so the "
            f"machine's cores free of other work would store about {report.fmt(capacity)} tweets/s{vs} "
            "(an estimate from the profile; the measured rates are above).",
        ]
    for name, proc in settings["processes"].items():
        stages = ", ".join(f"{k} {v:g}" for k, v in (proc.get("stages_us_per_tweet") or {}).items())
        lines.append(
            f"| {name} | {report.fmt(proc.get('cpu_s'))} | {report.fmt(proc.get('us_per_tweet'))} | {stages} |"
        )
    return lines


def render(results: dict[str, Any]) -> str:
    machine = results.get("machine", {})
    kind = "quick" if results.get("quick") else "full"
    textblob = _value(results, "textblob_tweets_per_s")
    parts = [
        INTRO,
        "## The targets",
        "",
        f"The {kind} session of {results.get('generated_at', '?')} on {machine.get('cores', '?')} cores "
        f"({machine.get('cpu_model', '?')}), Python {machine.get('python', '?')}: one core of plain TextBlob did "
        f"**{report.fmt(textblob)} tweets/s**.",
        "",
        *targets_table(results),
        "",
        "## Where the CPU goes: a profile of every process",
        "",
        *profile_lines(results),
        "",
    ]
    errors = results.get("errors") or {}
    if errors:
        parts += ["Parts that failed in that session:", ""]
        parts += [f"- `{name}`: {error}" for name, error in errors.items()]
        parts.append("")
    return "\n".join(parts)


def write(results: dict[str, Any], path: Path = DOC) -> Path:
    path.write_text(render(results), encoding="utf-8")
    return path


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else report.RESULTS
    print(write(json.loads(source.read_text(encoding="utf-8"))))
