"""The workbook's notebooks, executed headless with small parameters.

streamer.ipynb and listener.ipynb run against the real broker; notebooks/analysis.ipynb reads stores
the test writes, notebooks/evaluation.ipynb the shared 500-tweet labeled sample, and its numbers are
checked against ones counted here without tweetpulse.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import papermill as pm

from tests.conftest import ROOT, free_port
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.kafka.producer import TweetProducer
from tweetpulse.prices.records import PriceTick
from tweetpulse.stores import read_frame
from tweetpulse.stores.prices import read_prices

NOTEBOOKS = ("streamer.ipynb", "listener.ipynb", "notebooks/analysis.ipynb", "notebooks/evaluation.ipynb")


def execute(name: str, out: Path, **parameters: object) -> dict[str, object]:
    """Run a notebook the way JupyterLab does: in its own folder."""
    pm.execute_notebook(
        str(ROOT / name),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        cwd=str((ROOT / name).parent),
        progress_bar=False,
        execution_timeout=300,
    )
    return json.loads(out.read_text())


def outputs_text(nb: dict[str, object]) -> str:
    texts = []
    for cell in nb["cells"]:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            data = output.get("data", {})
            texts.append("".join(data.get("text/plain", "")))
            texts.append("".join(data.get("text/html", "")))
    return "\n".join(texts)


def live_lines(nb: dict[str, object], start: str) -> list[str]:
    """The text/plain of the display outputs that begin like ``start`` (ignoring quotes)."""
    lines = []
    for cell in nb["cells"]:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            if text.lstrip("'\"").startswith(start):
                lines.append(text)
    return lines


def test_streamer_then_listener_notebooks(kafka: KafkaConfig, tmp_path: Path) -> None:
    streamed = execute(
        "streamer.ipynb",
        tmp_path / "streamer.out.ipynb",
        source="sample",
        rate=None,
        duration=None,
        limit=400,
        loop=False,
        topic=kafka.topic,
        bootstrap_servers=kafka.bootstrap_servers,
    )
    text = outputs_text(streamed)
    assert "delivered 400" in text and "failed 0" in text
    progress = live_lines(streamed, "read ")
    assert progress and all(line.startswith("read ") for line in progress)  # plain text, no quotes

    # a price feed's ticks in the prices topic: the listener follows them beside the tweets
    prices = replace(kafka, topic=f"{kafka.topic}.prices")
    with TweetProducer(prices) as producer:
        for i, price in enumerate(("101.5", "102.25", "99.75")):
            stamp = f"2026-12-06T05:0{i}:10.000000Z"
            producer.produce("BTC-USD", PriceTick("BTC-USD", "bitcoin", price, stamp, "coinbase", i).to_json())

    store = tmp_path / "nb.db"
    port = free_port()
    listened = execute(
        "listener.ipynb",
        tmp_path / "listener.out.ipynb",
        workers=2,
        group="nb-test",
        store=str(store),
        duration=None,
        idle_exit=5.0,
        jupyter_mode="inline",
        port=port,
        topic=kafka.topic,
        prices_topic=prices.topic,
        bootstrap_servers=kafka.bootstrap_servers,
    )
    text = outputs_text(listened)
    assert f"http://127.0.0.1:{port}/" in text  # the page was served and shown inline
    assert "<iframe" in text
    assert "stored 400" in text
    watched = live_lines(listened, "consumed ")
    assert watched and all(line.startswith("consumed ") for line in watched)
    assert "400 tweets in" in text  # the pandas cell loaded the store
    frame = read_frame(store)
    assert len(frame) == 400 and frame["id"].is_unique
    # the prices followed beside: three one-minute bars, shown by the last cell
    assert "3 price bars in" in text
    bars = read_prices(store)
    assert list(bars["close"]) == [101.5, 102.25, 99.75] and set(bars["product"]) == {"BTC-USD"}


def test_notebooks_are_committed_clean() -> None:
    for name in NOTEBOOKS:
        nb = json.loads((ROOT / name).read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), name
        assert any("parameters" in c["metadata"].get("tags", []) for c in code), name


def test_streamer_notebook_streams_bluesky_live(kafka: KafkaConfig, tmp_path: Path) -> None:
    from tests.integration.test_live_sources import EXPECTED_BLUESKY, A, jetstream_events
    from tests.integration.test_streamer import by_id, read_topic
    from tests.support.jetstream_server import FakeAppView, FakeJetstream

    with FakeJetstream(events=jetstream_events()) as js, FakeAppView(profiles={A: ("alice.test", 1500)}) as appview:
        streamed = execute(
            "streamer.ipynb",
            tmp_path / "streamer.out.ipynb",
            source="bluesky",
            rate=None,
            duration=60.0,
            limit=3,
            options={"url": js.url, "appview": appview.url},
            topic=kafka.topic,
            bootstrap_servers=kafka.bootstrap_servers,
        )
    text = outputs_text(streamed)
    assert "delivered 3" in text and "failed 0" in text
    assert "bluesky: disconnected, 3 posts, 0 retries" in text  # the connection state line, updated in place
    assert by_id(read_topic(kafka, expected=3)) == EXPECTED_BLUESKY
