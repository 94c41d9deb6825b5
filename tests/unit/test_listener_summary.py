"""The listener's summary counts each stopped partition once, in plain words."""

from __future__ import annotations

import pytest

from tweetpulse.pipeline.listener import Listener, Summary
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.worker import PartitionStopped

pytestmark = pytest.mark.unit


def test_a_partition_stopped_by_two_workers_is_one_partition() -> None:
    """A stopped partition commits nothing, so the worker it is rebalanced to stops it again: the
    summary said "2 partition(s) stopped" for one."""
    listener = Listener(ListenerSettings(store_path=":memory:"), workers=2)
    listener.stopped += [
        PartitionStopped(1, "tweets", 0, 52, "too large"),
        PartitionStopped(0, "tweets", 0, 50, "too large"),
        PartitionStopped(0, "tweets", 0, 50, "too large"),
    ]
    summary = listener.summary()
    assert len(summary.stopped) == 1 and "stopped at offset 50" in summary.stopped[0]
    assert summary.line().endswith("; 1 partition stopped (see below)")


def test_two_partitions_are_plural() -> None:
    assert Summary(stopped=["a", "b"]).line().endswith("; 2 partitions stopped (see below)")
    assert "stopped" not in Summary().line()
