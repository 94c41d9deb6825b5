"""The live page's tick: server time and payload after 10k, 100k and 1M processed tweets.

    python -m benchmarks.bench_dashboard [SIZE ...]

For each size, synthetic worker deltas for that many tweets (1,000 per second, the way the
listener's workers send them) are folded into an Aggregator; then 60 steady ticks run, one
simulated second apart, 1,000 new tweets arriving between ticks. Each tick goes through Dash's
real dispatch (``POST /_dash-update-component`` on the Flask test client, the browser's cursor
carried from response to request), so the time covers request handling, the callback and the JSON
encoding with plotly's encoder, and the payload is the response body.

Targets: ``tick_p95_ms_<size>`` <= 20 and ``tick_bytes_<size>`` (the largest tick) <= 20,000,
the same whatever the size. ``load_ms_<size>`` / ``load_bytes_<size>`` are a page (re)load,
which sends the charts' bounded window once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(ROOT))

from benchmarks.tick import bench_app  # noqa: E402

TICK_MS_TARGET = 20.0
TICK_BYTES_TARGET = 20_000


def size_label(n: int) -> str:
    """10000 -> 10k, 1000000 -> 1m."""
    for factor, suffix in ((1_000_000, "m"), (1_000, "k")):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{suffix}"
    return str(n)


def run(sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000), ticks: int = 60) -> dict[str, float]:
    results: dict[str, float] = {}
    for n in sizes:
        label = size_label(n)
        measured = bench_app(n, ticks=ticks)
        results[f"tick_p50_ms_{label}"] = round(measured["tick_p50_ms"], 2)
        results[f"tick_p95_ms_{label}"] = round(measured["tick_p95_ms"], 2)
        results[f"tick_bytes_{label}"] = measured["tick_max_bytes"]
        results[f"load_ms_{label}"] = round(measured["load_ms"], 2)
        results[f"load_bytes_{label}"] = measured["load_bytes"]
    results["tick_p95_ms_max"] = max(v for k, v in results.items() if k.startswith("tick_p95_ms_"))
    results["tick_bytes_max"] = max(v for k, v in results.items() if k.startswith("tick_bytes_"))
    results["tick_within_targets"] = float(
        results["tick_p95_ms_max"] <= TICK_MS_TARGET and results["tick_bytes_max"] <= TICK_BYTES_TARGET
    )
    return results


if __name__ == "__main__":
    chosen = tuple(int(a) for a in sys.argv[1:]) or (10_000, 100_000, 1_000_000)
    print(orjson.dumps(run(chosen), option=orjson.OPT_INDENT_2).decode())
