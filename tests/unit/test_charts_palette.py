"""One palette: the notebooks' charts draw each coin in the live page's colour."""

from __future__ import annotations

import pandas as pd

from tweetpulse.dashboard.figures import trend_figure
from tweetpulse.dashboard.theme import GROUP_COLOURS, MUTED, display_name
from tweetpulse.workbook import charts
from tweetpulse.workbook.analysis import UNGROUPED


def test_notebook_lines_use_the_page_colours() -> None:
    groups = ["bitcoin", "ethereum", "dogecoin", "solana", UNGROUPED]
    table = pd.DataFrame({g: [1.0, 2.0] for g in groups}, index=pd.date_range("2026-01-01", periods=2, freq="min"))
    drawn = {t.name: t.line.color for t in charts.lines(table, "t", "y").data}
    page = {t["name"]: t["line"]["color"] for t in trend_figure(groups[:4])["data"]}
    for coin in ("bitcoin", "ethereum", "dogecoin"):
        assert drawn[coin] == GROUP_COLOURS[coin] == page[display_name(coin)]
    # notebooks used plotly's defaults: blue, red (which reads as "negative"), green
    assert not {"#636efa", "#EF553B", "#00cc96"} & set(drawn.values())
    assert drawn["solana"] == page["Solana"]  # a group of one's own: the same fallback colour
    assert drawn[UNGROUPED] == MUTED
    assert len(set(drawn.values())) == len(groups)
