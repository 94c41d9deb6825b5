"""Whole runs, shared by the CLI and the notebooks: the listener with its page, and the demo."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from dash import Dash

from tweetpulse.config import KafkaConfig
from tweetpulse.dashboard import DashboardServer, build_app, listener_health
from tweetpulse.errors import KafkaUnavailable
from tweetpulse.kafka.admin import wait_ready
from tweetpulse.listener import Listener, ListenerSettings, Summary
from tweetpulse.models import Tweet
from tweetpulse.stores import masked

log = logging.getLogger(__name__)


def page_subtitle(settings: ListenerSettings, source: str = "") -> str:
    k = settings.kafka
    head = f"source: {source} · " if source else ""
    store = masked(settings.store_path)
    return f"{head}topic {k.topic} on {k.bootstrap_servers} · group {settings.group} · store {store}"


def listener_app(listener: Listener, source: str = "",
                 groups: Mapping[str, Sequence[str]] | None = None, interval_ms: int = 1000) -> Dash:
    """The live page for a running listener: its aggregates, its health, its analyzer."""
    from tweetpulse.keywords import DEFAULT_GROUPS

    settings = listener.settings
    return build_app(
        listener.aggregator, dict(groups or DEFAULT_GROUPS), subtitle=page_subtitle(settings, source),
        interval_ms=interval_ms, health=listener_health(listener),
        classify=settings.analyzer(),
    )


def run_listener(settings: ListenerSettings, workers: int | None = None, max_messages: int | None = None,
                 duration: float | None = None, idle_exit: float | None = None, dashboard: bool = True,
                 host: str = "127.0.0.1", port: int = 8050, source: str = "",
                 groups: Mapping[str, Sequence[str]] | None = None, interval_ms: int = 1000) -> Summary:
    """Run the listener (and its page) until a limit is reached or Ctrl-C; return the summary."""
    server: DashboardServer | None = None
    listener = Listener(settings, workers=workers, max_messages=max_messages)
    try:
        listener.start()
        if dashboard:
            server = DashboardServer(listener_app(listener, source, groups, interval_ms), host, port).start()
            print(f"tweetpulse: live page at {server.url}", flush=True)
        listener.wait(duration=duration, idle_exit=idle_exit)
    except KeyboardInterrupt:
        log.info("stopping: workers finish their batch, persist and commit")
    finally:
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


def ensure_kafka(kafka: KafkaConfig, start: bool = True) -> None:
    """Make sure the cluster answers; start the local one with ``kafka-setup.sh`` if allowed."""
    try:
        wait_ready(kafka, timeout=3)
        return
    except KafkaUnavailable:
        if not start:
            raise
    script = find_kafka_setup()
    if script is None:
        raise KafkaUnavailable(f"Kafka at {kafka.bootstrap_servers} does not answer and kafka-setup.sh was not found; "
                               "start your broker or set KAFKA_BOOTSTRAP_SERVERS")
    print(f"tweetpulse: starting Kafka with {script} start", flush=True)
    subprocess.run(["bash", str(script), "start"], check=True)
    wait_ready(kafka, timeout=30)


def demo_tweets(stop: threading.Event, tweets: Iterable[Tweet], run: str) -> Iterator[Tweet]:
    """The sample's tweets until ``stop``, their ids made unique to this demo run: the store keeps
    each id once, so without it a second demo would only find duplicates and the page would stand still."""
    for tweet in tweets:
        if stop.is_set():
            return
        tweet.id = f"{tweet.id}-{run}"
        yield tweet


def run_demo(settings: ListenerSettings, rate: float = 200.0, workers: int | None = None,
             duration: float | None = None, host: str = "127.0.0.1", port: int = 8050,
             start_kafka: bool = True, interval_ms: int = 1000) -> Summary:
    """Kafka (started if needed) + the bundled sample streamed in a loop + the listener and page."""
    from tweetpulse.pacing import Pacer
    from tweetpulse.sources.sample import SampleSource
    from tweetpulse.streamer import stream

    ensure_kafka(settings.kafka, start=start_kafka)
    stop = threading.Event()

    def produce() -> None:
        source = SampleSource(loop=True)
        run = time.strftime("%Y%m%d%H%M%S")
        stream(demo_tweets(stop, source, run), settings.kafka, Pacer(rate=rate), progress=False)

    streamer = threading.Thread(target=produce, name="tweetpulse-demo-streamer", daemon=True)
    listener = Listener(settings, workers=workers)
    server: DashboardServer | None = None
    try:
        listener.start()
        app = listener_app(listener, f"bundled sample at {rate:g} tweets/s", interval_ms=interval_ms)
        server = DashboardServer(app, host, port).start()
        streamer.start()
        print(f"tweetpulse demo: live page at {server.url} (Ctrl-C to stop)", flush=True)
        listener.wait(duration=duration)
    except KeyboardInterrupt:
        print("tweetpulse demo: stopping", flush=True)
    finally:
        stop.set()
        if streamer.is_alive():
            streamer.join(30)
        summary = listener.stop()
        if server is not None:
            server.stop()
    return summary
