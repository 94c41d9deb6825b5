"""The source-status records (``<topic>.status``): written from a live source's state, read back
with every field checked (they come from the network), and told on the page as one line."""

from __future__ import annotations

import orjson
import pytest

from tweetpulse.errors import SourceError
from tweetpulse.kafka.status import MAX_RECORD_BYTES, MAX_TEXT, parse_status, status_line, status_record
from tweetpulse.sources.live import LiveState, LiveStatus, short

pytestmark = pytest.mark.unit


def test_a_record_round_trips_and_reads_as_one_line() -> None:
    status = LiveStatus("bluesky", "retrying", 0, 3, "cannot reach Jetstream (Connection refused)", 3, 8.0)
    record = status_record(status, at=1000.0)
    assert parse_status(orjson.dumps(record)) == record
    assert status_line(record, now=1005.2) == (
        "bluesky: reconnecting (attempt 3, next try in 3 s): cannot reach Jetstream (Connection refused)"
    )
    assert status_line({**record, "state": "connected", "produced": 1234}, now=0) == "bluesky: connected"
    assert status_line({**record, "state": "failing"}, now=0).startswith("bluesky: failing: cannot reach")


@pytest.mark.parametrize(
    "value",
    [
        None,
        b"not json",
        b"[]",
        b'{"source": "x"}',
        orjson.dumps({"source": "", "state": "connected", "attempt": 0, "produced": 0, "at": 1}),
        orjson.dumps({"source": "x", "state": "hacked", "attempt": 0, "produced": 0, "at": 1}),
        orjson.dumps({"source": "x", "state": "retrying", "attempt": -1, "produced": 0, "at": 1}),
        orjson.dumps({"source": "x", "state": "retrying", "attempt": True, "produced": 0, "at": 1}),
        orjson.dumps({"source": "x", "state": "retrying", "attempt": 1, "produced": 0, "at": 1, "retry_in": "9"}),
        orjson.dumps({"source": "x", "state": "retrying", "attempt": 1, "produced": 0, "at": 1e300}),
        orjson.dumps({"source": "x", "state": "retrying", "attempt": 1, "produced": 0, "at": 1, "error": 5}),
        b'{"source": "' + b"x" * MAX_RECORD_BYTES + b'"}',
    ],
)
def test_what_is_not_a_status_record_is_ignored(value: bytes | None) -> None:
    assert parse_status(value) is None


def test_long_texts_are_capped() -> None:
    value = orjson.dumps(
        {"source": "s" * 1000, "state": "retrying", "attempt": 1, "produced": 0, "at": 1, "error": "e" * 3000}
    )
    record = parse_status(value)
    assert record is not None and len(record["source"]) == MAX_TEXT and len(record["error"] or "") == MAX_TEXT


def test_give_up_after_counts_failed_connects_in_a_row_with_nothing_received() -> None:
    seen: list[LiveStatus] = []
    live = LiveState("mastodon", seen.append, give_up_after=3, where="https://nowhere.invalid")
    live.retrying("cannot reach it", 1)
    live.set("polling")  # a success in between starts the count again
    assert live.attempt == 0
    live.retrying("cannot reach it", 1)
    live.retrying("cannot reach it", 2)
    with pytest.raises(SourceError, match=r"^mastodon: could not reach https://nowhere.invalid: 3 connects failed"):
        live.retrying("cannot reach it ([Errno -2] Name or service not known)", 4)
    assert [(s.state, s.attempt) for s in seen][-2:] == [("retrying", 2), ("failing", 3)]
    produced = LiveState("bluesky", give_up_after=1)
    produced.produced = 5  # something was received once: keep retrying
    produced.retrying("lost it", 1)
    assert produced.state == "retrying"


def test_a_cut_error_keeps_its_cause() -> None:
    """Mastodon's warning stopped after the URL: requests puts the cause at the end of a long line."""
    text = (
        "HTTPSConnectionPool(host='mastodon.invalid', port=443): Max retries exceeded with url: "
        "/api/v1/timelines/tag/bitcoin?limit=40&any[]=btc&any[]=ethereum&any[]=eth&any[]=dogecoin "
        '(Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to '
        "resolve 'mastodon.invalid' ([Errno -2] Name or service not known)\"))"
    )
    said = short(ConnectionError(text))
    assert len(said) <= 160 and said.endswith("(Name or service not known)")
    assert short(OSError("[Errno 111] Connection refused")) == "[Errno 111] Connection refused"
