"""``tweetpulse demo`` runs a price feed beside the tweets: offline, the bundled synthetic walk by
default; the listener follows it into the store's prices table (labelled synthetic)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import ROOT, Broker, free_port
from tests.integration.test_demo_kafka import demo
from tweetpulse.stores import read_frame
from tweetpulse.stores.prices import read_prices


def test_the_demo_shows_synthetic_prices_beside_the_sample(kafka_broker: Broker, tmp_path: Path) -> None:
    topic, prices = f"demo-{free_port()}", f"prices-{free_port()}"
    argv = demo(tmp_path, kafka_broker.bootstrap, "--duration", "8", "--topic", topic, "--prices-topic", prices)
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    bars = read_prices(tmp_path / "demo.db")
    assert set(bars["product"]) == {"BTC-USD", "ETH-USD", "DOGE-USD"}
    assert bars["synthetic"].all() and set(bars["source"]) == {"synthetic"}
    assert bars["ticks"].sum() >= 3 * 4  # a tick per product a second, for most of 8 s
    assert len(read_frame(tmp_path / "demo.db")) > 0  # and the tweets beside them


def test_the_demo_without_prices(kafka_broker: Broker, tmp_path: Path) -> None:
    argv = demo(
        tmp_path, kafka_broker.bootstrap, "--duration", "3", "--topic", f"demo-{free_port()}", "--prices", "none"
    )
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert read_prices(tmp_path / "demo.db").empty
