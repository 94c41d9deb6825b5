"""The live page: a Dash app built by :func:`build_app`, fed by an Aggregator."""

from tweetpulse.dashboard.app import build_app
from tweetpulse.dashboard.server import DashboardServer

__all__ = ["DashboardServer", "build_app"]
