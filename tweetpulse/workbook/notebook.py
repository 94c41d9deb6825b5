"""What the notebooks call: live counters, the sources' table, and a listener session that lives across cells.

The notebooks stay thin: a ``parameters`` cell, then calls into this module.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping, Sequence
from typing import Any

from dash import Dash

from tweetpulse.dashboard import DashboardServer, check_port, stop_app
from tweetpulse.kafka.config import DEFAULT_KAFKA_TIMEOUT, KafkaConfig, default_bootstrap, parse_client_settings
from tweetpulse.pipeline.demo import listener_app, page_aggregator
from tweetpulse.pipeline.listener import Listener, ListenerSettings, Summary
from tweetpulse.pipeline.price_side import PriceSide
from tweetpulse.sources import DEFAULT_SOURCE, source_specs


def in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


# Plotly's default in a Jupyter kernel is "plotly_mimetype" alone: JupyterLab draws it, but nbconvert's
# HTML, GitHub's viewer and any other reader of the saved file show nothing. "+notebook" adds, beside
# it, an HTML div and script per figure, with plotly.js embedded once (the first figure's output), so
# the exported page draws every chart offline; JupyterLab keeps using the mimetype. "+png" adds a
# static image (kaleido, through a local Chromium) for readers that run no JavaScript at all.
EXPORTABLE_RENDERER = "plotly_mimetype+notebook"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def static_image_browser() -> str | None:
    """The Chromium kaleido would draw static images with (``BROWSER_PATH``, else one on PATH), or
    ``None`` when there is none or kaleido is not installed. Nothing is ever downloaded."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return None
    candidates = [os.environ.get("BROWSER_PATH") or "", *BROWSERS]
    return next((path for name in candidates if name and (path := shutil.which(name))), None)


def use_exportable_charts() -> str | None:
    """In a Jupyter kernel, show plotly figures in a form that survives export; the renderer it set.

    Called by :mod:`tweetpulse.workbook.charts` on import, so every notebook that draws through it gets it;
    outside Jupyter (scripts, tests) plotly's renderer is left as it is, and ``PLOTLY_RENDERER`` set
    in the environment wins, as it does for plotly itself. Static images need a Chromium
    (``make browser-deps``); without one a line says so and the charts are interactive only.
    """
    if not in_notebook() or os.environ.get("PLOTLY_RENDERER"):
        return None
    import plotly.io as pio

    renderer = EXPORTABLE_RENDERER
    if static_image_browser():
        renderer += "+png"
    else:
        print(
            "charts: no Chromium for static images (make browser-deps installs one), so a viewer that "
            "runs no JavaScript shows no chart; nbconvert's HTML and JupyterLab draw them all"
        )
    if pio.renderers.default != renderer:
        pio.renderers.default = renderer
    return renderer


def kafka_config(
    topic: str = "tweets",
    bootstrap_servers: str | None = None,
    settings: dict[str, str] | None = None,
    config_file: str | None = None,
    timeout: float = DEFAULT_KAFKA_TIMEOUT,
) -> KafkaConfig:
    """A KafkaConfig from notebook parameters (same defaults as the CLI)."""
    extra = parse_client_settings([f"{k}={v}" for k, v in (settings or {}).items()], config_file)
    return KafkaConfig(
        bootstrap_servers=bootstrap_servers or default_bootstrap(), topic=topic, extra=extra, timeout=timeout
    )


def plain(text: str) -> dict[str, str]:
    """A display bundle that Jupyter shows as the text itself (a ``str`` shows as its repr, in quotes)."""
    return {"text/plain": text}


class LiveLine:
    """One output line that updates in place (a display handle in Jupyter, a print elsewhere)."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self._last = 0.0
        self._handle: Any = None
        if in_notebook():
            from IPython.display import display

            self._handle = display(plain("…"), raw=True, display_id=True)

    def show(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        if self._handle is not None:
            self._handle.update(plain(text), raw=True)
        else:
            print(text, flush=True)


class StatusLine:
    """``on_status`` for a source: its connection state on one line that updates in place, made at the
    first report (a source that reports none shows nothing)."""

    def __init__(self) -> None:
        self._line: LiveLine | None = None

    def __call__(self, status: object) -> None:
        if self._line is None:
            self._line = LiveLine(every=0)
        self._line.show(str(status))


def sources_table() -> str:
    """The registered sources, one per line: name, what it is, and its options by key (``--flag``)."""
    lines = []
    for spec in source_specs():
        options = ", ".join(f"{option.key} ({option.flag})" for option in spec.options) or "no options"
        default = " [default]" if spec.name == DEFAULT_SOURCE else ""
        lines.append(f"{spec.name}{default}: {spec.label}{', live' if spec.live else ''}; options: {options}")
    return "\n".join(lines)


class ListenerSession:
    """The listener and its page, started in one cell, watched in another, stopped in a third.

    ``jupyter_mode`` is Dash's: ``"inline"`` shows the page in the output cell, ``"tab"`` opens a
    browser tab, ``"external"`` prints the URL. Outside Jupyter the page is served the same way
    the CLI serves it. ``prices_topic`` (as ``tweetpulse listen`` does by default): the prices topic
    that ``tweetpulse prices`` feeds is followed beside, into the store and onto the page, each
    coin's price beside its sentiment; None follows no prices.
    """

    def __init__(
        self,
        settings: ListenerSettings,
        workers: int | None = None,
        dashboard: bool = True,
        jupyter_mode: str = "inline",
        host: str = "127.0.0.1",
        port: int = 8050,
        max_messages: int | None = None,
        height: int = 900,
        groups: Mapping[str, Sequence[str]] | None = None,
        prices_topic: str | None = None,
    ) -> None:
        self.settings = settings
        self.prices = (
            PriceSide(settings.kafka, prices_topic, settings.group, settings.store_path) if prices_topic else None
        )
        self.listener = Listener(
            settings, workers=workers, max_messages=max_messages, aggregator=page_aggregator(groups)
        )
        self.aggregator = self.listener.aggregator
        self.dashboard = dashboard
        self.jupyter_mode = jupyter_mode
        self.host = host
        self.port = port
        self.height = height
        self.groups = groups
        self._app: Dash | None = None
        self._server: DashboardServer | None = None
        self._jupyter_server = False
        self.summary: Summary | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> ListenerSession:
        if self.dashboard:
            check_port(self.host, self.port)  # before the workers start
        self.listener.start()
        PriceSide.start_beside(self.prices)
        if self.dashboard:
            app = self._app = listener_app(self.listener, groups=self.groups, prices=self.prices)
            if in_notebook():
                app.run(
                    jupyter_mode=self.jupyter_mode,  # type: ignore[arg-type]
                    host=self.host,
                    port=self.port,
                    jupyter_height=self.height,
                )
                self._jupyter_server = True
            else:
                self._server = DashboardServer(app, self.host, self.port).start()
            print(f"live page: {self.url}")
        return self

    def watch(self, duration: float | None = None, idle_exit: float | None = None) -> Summary:
        """Show live counters until ``duration`` / ``idle_exit`` / max messages; interrupting the
        kernel stops the listener cleanly (workers finish their batch, persist and commit)."""
        line = LiveLine()
        try:
            summary = self.listener.wait(
                duration=duration,
                idle_exit=idle_exit,
                on_tick=lambda s: line.show(f"{s.line()} · workers alive {self.listener.alive()}"),
            )
        except KeyboardInterrupt:
            return self.stop()
        line.show(summary.line(), force=True)
        return summary

    def stop(self) -> Summary:
        self.summary = self.listener.stop()
        PriceSide.stop_beside(self.prices)
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._app is not None:
            stop_app(self._app)
            self._app = None
        if self._jupyter_server:
            from dash import jupyter_dash

            server = jupyter_dash._servers.pop((self.host, self.port), None)
            if server is not None:
                server.shutdown()
            self._jupyter_server = False
        print(self.summary.line())
        return self.summary
