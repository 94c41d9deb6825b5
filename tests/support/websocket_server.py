"""A websocket stand-in's serving: a ``websockets`` sync server on 127.0.0.1 (a free port) in a daemon
thread, shared by the Jetstream and exchange stand-ins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from websockets.sync.server import ServerConnection, serve


class ServedSocket:
    """``handler`` served on 127.0.0.1 from a daemon thread until :meth:`stop`."""

    def __init__(self, handler: Callable[[ServerConnection], None], **options: Any) -> None:
        self.server = serve(handler, "127.0.0.1", 0, ping_interval=None, **options)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.socket.getsockname()[1])

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
