"""The workbook's charts survive export: each notebook, executed headless as the docs say, then
converted with nbconvert to HTML, draws every chart there, with plotly.js embedded once (no network,
no JupyterLab); every chart also carries a static PNG (kaleido, a local Chromium), which an export
that runs no JavaScript can show instead (nbconvert's Markdown export ships them as files). The PNG part needs
Chromium (``make browser-deps``): without it the test FAILS, it never skips.
notebooks/evaluation.ipynb also runs as shipped, on its bundled labeled file."""

from __future__ import annotations

import ast
import base64
import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.notebook.test_notebooks import execute, outputs_text
from tests.notebook.test_workbook_notebooks import ROWS, plotly_figures
from tests.support.stores import stored_row, write_store
from tweetpulse.dashboard.theme import GROUP_COLOURS
from tweetpulse.workbook.notebook import static_image_browser

PLOTLY_JS = re.compile(r"plotly\.js v\d+\.\d+\.\d+")  # the banner at the top of the embedded library
NEW_PLOT = re.compile(r"Plotly\.newPlot\(\s*\"([0-9a-f-]{36})\"")


def exported(executed: Path) -> str:
    """``jupyter nbconvert --to html`` of an executed notebook: the page people open elsewhere."""
    done = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", str(executed)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return executed.with_suffix(".html").read_text(encoding="utf-8")


def parameter(name: str, notebook: str) -> Any:
    """A default from a notebook's ``parameters`` cell, as shipped."""
    nb = json.loads((ROOT / notebook).read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise KeyError(name)


def assert_static_images(nb: dict[str, Any], executed: Path, figures: int) -> None:
    """Each chart's output also holds a PNG (what a reader that runs no JavaScript can show), and an
    export to Markdown ships one image file per chart."""
    if static_image_browser() is None:
        pytest.fail("no Chromium for the charts' static images: run make browser-deps (apt-get install chromium)")
    images = [
        base64.b64decode(output["data"]["image/png"])
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
        if "application/vnd.plotly.v1+json" in output.get("data", {})
    ]
    assert len(images) == figures and all(i.startswith(b"\x89PNG\r\n\x1a\n") and len(i) > 5000 for i in images)
    done = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "markdown", str(executed)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    files = executed.parent / f"{executed.stem}_files"  # what the Markdown export ships beside the text
    assert len([f for f in files.glob("*.png") if f.read_bytes() in images]) == figures


def assert_charts_in(html: str, figures: list[dict[str, Any]]) -> list[str]:
    """Every figure is drawn in the page (a div and its newPlot call, with its traces), plotly.js once."""
    assert len(PLOTLY_JS.findall(html)) == 1, "plotly.js must be embedded exactly once"
    plotted = NEW_PLOT.findall(html)
    assert len(plotted) == len(figures) > 0
    for div in plotted:
        assert f'id="{div}"' in html
    for figure in figures:
        for trace in figure["data"]:
            if trace.get("name"):
                assert json.dumps(trace["name"]) in html
    return plotted


def test_analysis_charts_survive_export(tmp_path: Path) -> None:
    store = write_store(tmp_path / "s.db", [stored_row(*row) for row in ROWS])
    out = tmp_path / "a.out.ipynb"
    nb = execute("notebooks/analysis.ipynb", out, store=str(store), export_dir=str(tmp_path))
    figures = plotly_figures(nb)
    assert len(figures) == 3  # sentiment and volume per minute, labels per group
    html = exported(out)
    assert_charts_in(html, figures)
    assert_static_images(nb, out, 3)
    # the coins are drawn in the live page's colours (one palette), in the notebook and in the export
    for figure in figures[:2]:
        colours = {t["name"]: t["line"]["color"] for t in figure["data"]}
        assert {c: colours[c] for c in GROUP_COLOURS if c in colours} == {
            c: GROUP_COLOURS[c] for c in ("bitcoin", "ethereum", "dogecoin")
        }
    for colour in ("#f7931a", "#627eea", "#7c4f1f"):
        assert colour in html


def test_evaluation_runs_as_shipped_and_its_charts_survive_export(tmp_path: Path) -> None:
    shipped = parameter("dataset", "notebooks/evaluation.ipynb")
    labeled = ROOT / "notebooks" / shipped
    assert labeled.is_file(), f"the evaluation notebook's default dataset {shipped} is not in the repository"
    with open(labeled, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    usable = [r for r in rows if r[2] != "Irrelevant"]
    results = tmp_path / "results.json"
    model = tmp_path / Path(parameter("model_out", "notebooks/evaluation.ipynb")).name
    out = tmp_path / "e.out.ipynb"
    nb = execute("notebooks/evaluation.ipynb", out, model_out=str(model), results_json=str(results))
    got = json.loads(results.read_text())
    assert got["full"]["textblob"]["n"] == got["full"]["vader"]["n"] == len(usable)
    assert sum(m["n"] for m in (got["held_out"]["model"], got["model_on_training_data"])) == len(usable)
    text = outputs_text(nb)
    assert f"{len(rows)} rows in {labeled.name}" in text and "Traceback" not in text
    figures = plotly_figures(nb)
    assert len(figures) == 4  # two confusion matrices, the model's, the band chart
    assert_charts_in(exported(out), figures)
    assert_static_images(nb, out, 4)
