"""Whole runs, shared by the CLI and the notebooks: the listener with its page, and the demo."""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dash import Dash

from tweetpulse.dashboard import DashboardServer, build_app, check_port, listener_health
from tweetpulse.errors import KafkaUnavailable
from tweetpulse.kafka.admin import wait_ready
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.live import DEFAULT_REFRESH_MS
from tweetpulse.live.aggregates import Aggregator
from tweetpulse.pipeline.listener import Listener, ListenerSettings, Summary
from tweetpulse.pipeline.price_side import PriceSide
from tweetpulse.sources.base import SourceRequest, TweetSource
from tweetpulse.stores import masked

if TYPE_CHECKING:
    from tweetpulse.pipeline.pacing import Pacer

log = logging.getLogger(__name__)


def page_subtitle(settings: ListenerSettings, source: str = "") -> str:
    k = settings.kafka
    head = f"source: {source} · " if source else ""
    store = masked(settings.store_path)
    return f"{head}topic {k.topic} on {k.bootstrap_servers} · group {settings.group} · store {store}"


def page_aggregator(groups: Mapping[str, Sequence[str]] | None = None) -> Aggregator:
    """The page's aggregator, with a series of its own for every group it draws (see GroupCap)."""
    from tweetpulse.keywords import DEFAULT_GROUPS

    return Aggregator(groups=groups or DEFAULT_GROUPS)


def listener_app(
    listener: Listener,
    source: str = "",
    groups: Mapping[str, Sequence[str]] | None = None,
    interval_ms: int = DEFAULT_REFRESH_MS,
    prices: PriceSide | None = None,
) -> Dash:
    """The live page for a running listener: its aggregates, its health, its scorer."""
    from tweetpulse.keywords import DEFAULT_GROUPS

    settings = listener.settings
    return build_app(
        listener.aggregator,
        dict(groups or DEFAULT_GROUPS),
        subtitle=page_subtitle(settings, source),
        interval_ms=interval_ms,
        health=listener_health(listener),
        classify=settings.make_scorer(),
        prices=prices.board if prices is not None else None,
    )


def run_listener(
    settings: ListenerSettings,
    workers: int | None = None,
    max_messages: int | None = None,
    duration: float | None = None,
    idle_exit: float | None = None,
    dashboard: bool = True,
    host: str = "127.0.0.1",
    port: int = 8050,
    source: str = "",
    groups: Mapping[str, Sequence[str]] | None = None,
    interval_ms: int = DEFAULT_REFRESH_MS,
    prices: PriceSide | None = None,
) -> Summary:
    """Run the listener (and its page) until a limit is reached or Ctrl-C; return the summary.
    ``prices``: the prices topic followed beside it (into the store and onto the page)."""
    if dashboard:
        check_port(host, port)  # before the broker and the workers: a taken port costs nothing
    server: DashboardServer | None = None
    listener = Listener(settings, workers=workers, max_messages=max_messages, aggregator=page_aggregator(groups))
    try:
        listener.start()
        PriceSide.start_beside(prices)
        if dashboard:
            server = DashboardServer(listener_app(listener, source, groups, interval_ms, prices), host, port).start()
            print(f"tweetpulse: live page at {server.url}", flush=True)
        listener.wait(duration=duration, idle_exit=idle_exit)
    except KeyboardInterrupt:
        log.info("stopping: workers finish their batch, persist and commit")
    finally:
        PriceSide.stop_beside(prices)
        summary = listener.stop()
        if server is not None:
            server.stop()
    return summary


def find_kafka_setup() -> Path | None:
    """``kafka-setup.sh`` of the checkout this package runs from, or of the current directory."""
    for base in (Path(__file__).resolve().parents[1], Path.cwd()):
        script = base / "kafka-setup.sh"
        if script.is_file():
            return script
    return None


def ensure_kafka(kafka: KafkaConfig, start: bool = True) -> Path | None:
    """Make sure the cluster answers; start the local one with ``kafka-setup.sh`` if allowed.

    Returns the script that started it, or ``None`` when the cluster was already answering.
    """
    try:
        wait_ready(kafka, timeout=3)
        return None
    except KafkaUnavailable:
        if not start:
            raise
    script = find_kafka_setup()
    if script is None:
        raise KafkaUnavailable(
            f"Kafka at {kafka.bootstrap_servers} does not answer and kafka-setup.sh was not found; "
            "start your broker or set KAFKA_BOOTSTRAP_SERVERS"
        )
    print(f"tweetpulse: starting Kafka with {script} start", flush=True)
    subprocess.run(["bash", str(script), "start"], check=True)
    wait_ready(kafka, timeout=30)
    return script


def leave_kafka(script: Path | None, kafka: KafkaConfig, keep: bool) -> None:
    """On the demo's way out: stop the broker it started (``script``), or with ``keep`` say that it
    still runs and how to stop it. A cluster that was already running is none of the demo's business."""
    if script is None:
        return
    if keep:
        print(
            f"tweetpulse demo: Kafka is still running on {kafka.bootstrap_servers}; "
            f"stop it with {script} stop (or make kafka-stop)",
            flush=True,
        )
        return
    print(
        f"tweetpulse demo: stopping the Kafka broker it started ({script} stop; --keep-kafka leaves it running)",
        flush=True,
    )
    subprocess.run(["bash", str(script), "stop"], check=False)


DEMO_STORE = Path("data") / "demo.db"


def fresh_demo_store(path: Path = DEMO_STORE) -> str:
    """A fresh SQLite store for a demo run at ``path``: the previous run's file (and its -wal/-shm)
    is moved to ``<name>.previous.db`` (the one before that is dropped), and the line says so."""
    previous = path.with_name(f"{path.stem}.previous{path.suffix}")
    if path.exists():
        for suffix in ("", "-wal", "-shm"):
            old, kept = Path(f"{path}{suffix}"), Path(f"{previous}{suffix}")
            kept.unlink(missing_ok=True)
            if old.exists():
                old.rename(kept)
        print(
            f"tweetpulse demo: a fresh store {path} (the last run's is now {previous}; "
            "--store PATH keeps one across runs)",
            flush=True,
        )
    else:
        print(f"tweetpulse demo: a fresh store {path} (--store PATH keeps one across runs)", flush=True)
    return str(path)


def demo_source(request: SourceRequest | None, rate: float) -> tuple[TweetSource, Pacer, str]:
    """The demo's source (``request``, or the default demo source), its pacing and the page's label
    for it: a live source streams as it comes, any other at ``rate`` tweets/s."""
    from tweetpulse.pipeline.pacing import Pacer
    from tweetpulse.sources import DEMO_SOURCE, source_spec

    spec = source_spec(request.name if request is not None else DEMO_SOURCE)
    source = spec.open(request if request is not None else spec.request())
    if spec.live:
        return source, Pacer(), f"{spec.label}, live"
    return source, Pacer(rate=rate), f"{spec.label} at {rate:g} tweets/s"


def run_demo(
    settings: ListenerSettings,
    request: SourceRequest | None = None,
    rate: float = 200.0,
    workers: int | None = None,
    duration: float | None = None,
    host: str = "127.0.0.1",
    port: int = 8050,
    start_kafka: bool = True,
    interval_ms: int = DEFAULT_REFRESH_MS,
    keep_kafka: bool = False,
    prices: PriceSide | None = None,
) -> Summary:
    """Kafka (started if needed) + a source (``request``; default: :data:`~tweetpulse.sources.DEMO_SOURCE`,
    synthetic tweets composed on the fly) streamed into it + the listener and page. A live source
    streams as it comes, any other at ``rate`` tweets/s.

    A broker the demo started is stopped when it ends (Ctrl-C, ``duration``), unless ``keep_kafka``.
    ``prices``: a price feed streamed into the prices topic and followed onto the page and into the store.
    """
    from tweetpulse.pipeline.streamer import stream

    check_port(host, port)  # before Kafka and the workers: a taken port costs nothing
    kafka_script = ensure_kafka(settings.kafka, start=start_kafka)
    failed: list[BaseException] = []
    source, pacer, label = demo_source(request, rate)

    def produce() -> None:
        try:
            stream(source, settings.kafka, pacer, progress=False)
        except Exception as exc:  # shown by the main thread, which ends the demo
            failed.append(exc)

    def check(_summary: Summary) -> None:
        if failed:
            raise failed[0]

    streamer = threading.Thread(target=produce, name="tweetpulse-demo-streamer", daemon=True)
    listener = Listener(settings, workers=workers, aggregator=page_aggregator())
    server: DashboardServer | None = None
    try:
        listener.start()
        label += PriceSide.start_beside(prices)
        app = listener_app(listener, label, interval_ms=interval_ms, prices=prices)
        server = DashboardServer(app, host, port).start()
        streamer.start()
        print(f"tweetpulse demo: live page at {server.url} (Ctrl-C to stop)", flush=True)
        listener.wait(duration=duration, on_tick=check)
    except KeyboardInterrupt:
        print("tweetpulse demo: stopping", flush=True)
    finally:
        source.close()
        if streamer.is_alive():
            streamer.join(30)
        PriceSide.stop_beside(prices)
        summary = listener.stop()
        if server is not None:
            server.stop()
        leave_kafka(kafka_script, settings.kafka, keep_kafka)
    return summary
