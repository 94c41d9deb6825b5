"""Issue 23 point 6: the listener says when its workers can't share the topic's partitions evenly."""

from __future__ import annotations

import pytest

from tweetpulse.kafka.config import DEFAULT_PARTITIONS
from tweetpulse.pipeline.listener import partition_fit


@pytest.mark.parametrize("workers", [1, 2, 3, 4, 6, 12])
def test_the_default_partition_count_fits_common_worker_counts(workers: int) -> None:
    assert DEFAULT_PARTITIONS == 12
    assert partition_fit(DEFAULT_PARTITIONS, workers) is None


def test_more_workers_than_partitions_is_one_line_that_says_what_to_do() -> None:
    line = partition_fit(3, 5)
    assert line is not None and "\n" not in line
    assert "5 workers but the topic has 3 partitions" in line and "2 worker(s) will stand by idle" in line
    assert "--workers 3" in line


def test_an_uneven_share_names_the_loads() -> None:
    line = partition_fit(3, 2)
    assert line is not None and "\n" not in line
    assert "unevenly (2 and 1 each)" in line and "divides 3" in line
    assert partition_fit(12, 5) is not None and "(3 and 2 each)" in str(partition_fit(12, 5))
    assert partition_fit(6, 6) is None and partition_fit(6, 3) is None
