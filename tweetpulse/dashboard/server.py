"""Serve a Dash app from a background thread, with a clean stop (for the CLI and notebooks).

The page binds ``127.0.0.1`` unless told otherwise (``--host``); any other address is logged as a
warning, since the page has no login."""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import threading

from dash import Dash
from werkzeug.serving import BaseWSGIServer, make_server

from tweetpulse.errors import ConfigError

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> None:
    """Bind (and release) ``host:port`` the way the page's server will: raises OSError if it can't."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug does
        sock.bind(address)


def _free_port_near(host: str, port: int, tries: int = 20) -> int | None:
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        try:
            _bind(host, candidate)
        except OSError:
            continue
        return candidate
    return None


def check_port(host: str, port: int) -> None:
    """Make sure the page can be served on ``host:port``, else a one-line :class:`ConfigError`.

    Called before the broker and the workers start, so a taken port costs nothing; werkzeug would
    print its own message and exit the process instead.
    """
    try:
        _bind(host, port)
    except socket.gaierror as exc:
        raise ConfigError(
            f"can't serve the page on {host}:{port} ({exc.strerror}); give an address of this machine with --host"
        ) from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            near = _free_port_near(host, port)
            hint = f"try --port N, e.g. --port {near}" if near else "try --port N"
            raise ConfigError(f"port {port} on {host} is in use by another program ({hint})") from None
        raise ConfigError(f"can't serve the page on {host}:{port} ({exc.strerror}); try --port N (or --host)") from None


class DashboardServer:
    """``with DashboardServer(app, host, port) as server: print(server.url)``."""

    def __init__(self, app: Dash, host: str = "127.0.0.1", port: int = 8050) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> DashboardServer:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        if not is_loopback(self.host):
            log.warning(
                "the page is served on %s, beyond this machine: it has no login, so anyone who can reach "
                "it sees the tweets and can use it; serve it on 127.0.0.1 (the default) unless you mean to",
                self.host,
            )
        check_port(self.host, self.port)
        self._server = make_server(self.host, self.port, self.app.server, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="tweetpulse-dashboard", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        from tweetpulse.dashboard.app import stop_app

        stop_app(self.app)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
