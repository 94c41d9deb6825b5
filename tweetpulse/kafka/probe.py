"""A quick look at the bootstrap servers before a client waits for them: a refused local port is told at once.

librdkafka retries a refused connection until the client's timeout (15 s by default) and only then
says the cluster is down. When every bootstrap server is on this machine and refuses the connection,
nothing is listening there: that is known after one TCP connect, so :func:`refused_locally` says so
and the caller reports it straight away. A remote host, a name that doesn't resolve or a slow answer
are left to the client's own wait (a remote refusal may be a broker restarting behind a balancer).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import NamedTuple

PROBE_SECONDS = 0.5
LOCAL_NAMES = frozenset(("localhost", "localhost.localdomain", "ip6-localhost"))


class Endpoint(NamedTuple):
    host: str
    port: int


def endpoints(bootstrap: str) -> list[Endpoint]:
    """``host:port`` entries of a bootstrap list (``PLAINTEXT://h:p``, ``[::1]:p``); unreadable ones are left out."""
    found: list[Endpoint] = []
    for entry in bootstrap.split(",")[:64]:
        entry = entry.strip().rpartition("://")[2]
        host, sep, port = entry.rpartition(":")
        if not sep or not port.isdigit() or not 0 < int(port) < 65536:
            continue
        found.append(Endpoint(host.strip("[]"), int(port)))
    return found


def is_loopback(host: str) -> bool:
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refused(endpoint: Endpoint, timeout: float = PROBE_SECONDS) -> bool:
    """True when a TCP connect to ``endpoint`` is refused (anything else, even a timeout, is not a refusal)."""
    try:
        with socket.create_connection(endpoint, timeout=timeout):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def refused_locally(bootstrap: str) -> str | None:
    """``"127.0.0.1:9092"`` (the list, as given) when every bootstrap server is local and refuses; else None."""
    found = endpoints(bootstrap)
    if not found or not all(is_loopback(e.host) for e in found):
        return None
    if all(refused(e) for e in found):
        return ", ".join(f"{e.host}:{e.port}" for e in found)
    return None
