"""The demo's tweet feed: ids unique to each run, and it stops when told."""

from __future__ import annotations

import threading
from itertools import islice

from tweetpulse.pipeline.demo import demo_tweets
from tweetpulse.sources.sample import SampleSource


def test_each_demo_run_has_its_own_ids_and_stops_when_told() -> None:
    stop = threading.Event()
    first = [t.id for t in islice(demo_tweets(stop, SampleSource(), "run1"), 50)]
    second = [t.id for t in islice(demo_tweets(stop, SampleSource(), "run2"), 50)]
    assert len(set(first)) == 50 and not set(first) & set(second)  # a second demo isn't all duplicates
    stop.set()
    assert list(demo_tweets(stop, SampleSource(), "run3")) == []
