"""The live page: a Dash app built by :func:`build_app`, fed by an Aggregator.

``build_app`` serves the listener's aggregator (``tweetpulse listen``, the notebook) or one that a
:class:`~tweetpulse.dashboard.standalone.StoreFollower` fills from the store
(``tweetpulse dashboard --store PATH``); :class:`DashboardServer` serves it from a thread.
"""

from tweetpulse.dashboard.app import build_app, stop_app
from tweetpulse.dashboard.health import HealthSampler, lag_probe, listener_health
from tweetpulse.dashboard.server import DashboardServer, check_port

__all__ = [
    "DashboardServer",
    "HealthSampler",
    "build_app",
    "check_port",
    "lag_probe",
    "listener_health",
    "stop_app",
]
