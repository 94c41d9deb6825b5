"""The command line of a store's benchmark module (``python -m benchmarks.bench_pgstore`` …): the
end-to-end run on a private broker and the store's server, or ``--inserts-only`` without a broker."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from benchmarks import bench_e2e
from tests.support.broker import Broker, private_broker

Figures = dict[str, Any]


def store_bench_main(
    doc: str,
    server: Callable[[], AbstractContextManager[str]],
    run: Callable[[Broker, int, int, int, int], Figures],
    run_inserts: Callable[[str, int, int], Figures],
    inserts: int,
    argv: list[str] | None = None,
) -> None:
    """Parse ``argv`` and print the figures as JSON: ``server()`` yields the store's URL."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("-n", type=int, default=bench_e2e.N_QUICK, help="end-to-end tweets")
    parser.add_argument("--inserts", type=int, default=inserts, help="tweets for the insert rates")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--inserts-only", action="store_true", help="no broker: the insert rates alone")
    args = parser.parse_args(argv)
    if args.inserts_only:
        with server() as url:
            print(json.dumps(run_inserts(url, args.inserts, args.runs), indent=2))
        return
    with private_broker() as broker:
        print(json.dumps(run(broker, args.n, args.runs, args.inserts, args.runs), indent=2))
