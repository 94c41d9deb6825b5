"""Hostile input through the worker's batch logic (fake messages, no broker): arbitrary bytes and
arbitrary JSON never raise out of a batch, each message is stored or dead-lettered, and the counts
add up: consumed = stored + duplicates + dead-lettered."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fault.scale import FULL
from tests.support.bad_messages import GOOD
from tests.unit.test_worker import Policy, make_worker, message
from tweetpulse.live.aggregates import Aggregator, Delta
from tweetpulse.stores.sqlite import SqliteStore

EXAMPLES = 2000 if FULL else 200
STORE = SqliteStore(Path(tempfile.mkdtemp(prefix="tweetpulse-hostile-")) / "s.db")  # ids repeat across examples

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
# records that are almost right: the good one with some fields replaced by anything
near_records = st.dictionaries(st.sampled_from([*GOOD, "extra"]), json_values, max_size=4).map(
    lambda changes: orjson.dumps({**GOOD, **changes})
)
# good records, often with ids seen before (duplicates across and within batches)
good_records = st.builds(
    lambda n, text: orjson.dumps({**GOOD, "id": f"id-{n}", "text": text}),
    st.integers(0, 30),
    st.text(min_size=1, max_size=60).filter(lambda t: not t.isspace()),
)
values = st.none() | st.binary(max_size=200) | json_values.map(orjson.dumps) | near_records | good_records


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(values, min_size=1, max_size=25))
def test_any_batch_is_stored_or_dead_lettered_and_the_counts_add_up(batch_values: list[bytes | None]) -> None:
    policy = Policy()
    emitted: list[Delta] = []
    worker = make_worker(policy, emitted=emitted)
    messages = [message(offset, value, partition=offset % 3) for offset, value in enumerate(batch_values)]
    with STORE as store:
        before = store.count()
        batch = worker.process(messages, store)
        after = store.count()
    worker._flush_delta()
    assert batch.consumed == len(messages)
    assert len(batch.tweets) + batch.dead == len(messages)  # each message: scored for the store, or set aside
    assert len(policy.letters) == batch.dead and all(reason for _, reason in policy.letters)
    assert "internal-error" not in {reason for _, reason in policy.letters}  # validation named every problem
    agg = Aggregator()
    for delta in emitted:
        agg.fold(delta)
    counters = agg.counters
    assert counters["consumed"] == counters["stored"] + counters["duplicates"] + counters["dead"] == len(messages)
    assert counters["stored"] == after - before  # what the page counts as stored is what the store gained
