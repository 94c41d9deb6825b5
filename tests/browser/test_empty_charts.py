"""An empty page in real headless Chromium: its charts show the window around now, not the year 2000.

With no points, Plotly draws a date axis from 2000-01-01 to 2001-01-01 ("Jan 2000 … Nov 2000"); a
page waiting for its first tweets must instead show the last hour ending now.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from tweetpulse.dashboard import DashboardServer, build_app
from tweetpulse.live.aggregates import Aggregator

from .test_dashboard_page import wait_for

X_RANGE = (
    "const g = document.querySelector('#%s .js-plotly-plot'); "
    "return g && g._fullLayout && g._fullLayout.xaxis ? g._fullLayout.xaxis.range : null;"
)


def seconds(stamp: str) -> float:
    """Plotly's ``2026-12-06 02:30:00.123`` (UTC, as the page's timestamps are) as unix seconds."""
    return datetime.fromisoformat(stamp + "+00:00").timestamp()


def test_empty_charts_show_the_window_around_now(browser: Any) -> None:
    app = build_app(Aggregator(), max_points=3600)
    with DashboardServer(app, "127.0.0.1", 0) as server:
        browser.get(server.url)
        for graph in ("trend", "rate"):

            def x_range(graph: str = graph) -> list[str] | None:
                found: list[str] | None = browser.execute_script(X_RANGE % graph)
                return found

            ends = wait_for(
                f"the {graph} chart's window around now",
                x_range,
                lambda r: r is not None and abs(seconds(r[1]) - time.time()) < 120,
                timeout=15,
            )
            assert ends is not None
            assert 3500 < seconds(ends[1]) - seconds(ends[0]) < 3700, ends
