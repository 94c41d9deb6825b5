"""The batch path is exact (issue 23 point 2): a poll batch decoded, validated and scored at once gives
the rows and the dead letters the per-tweet rule gives, field for field and bit for bit, with the
compiled record decoder and without it, for the shared labeled tweets, the benchmark corpus and
hostile records."""

from __future__ import annotations

import csv
import json
import math
import random
import struct
from collections.abc import Callable, Sequence

import orjson
import pytest
from confluent_kafka import TIMESTAMP_CREATE_TIME, TIMESTAMP_NOT_AVAILABLE, Message
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import data
from tests.conftest import SHARED_DATA
from tests.support.bad_messages import BAD_MESSAGES, GOOD
from tests.support.native import require_native
from tweetpulse import records
from tweetpulse.errors import InvalidRecord
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.worker import Budget, Worker
from tweetpulse.records import MAX_FOLLOWERS, RecordFields, ScoredTweet, native_decoder, record_fields, records_fields
from tweetpulse.scorers.scoring import Scorer, TextBlobScorer, make_scorer, weight

NOW = 1_700_000_000.25


def as_bits(value: object) -> object:
    """A value compared bit for bit: a float by its IEEE bytes, a list item by item."""
    if isinstance(value, float):
        return ("float", struct.pack("<d", value))
    if isinstance(value, list | tuple):
        return (type(value).__name__, [as_bits(v) for v in value])
    return (type(value).__name__, value)


def per_tweet(messages: Sequence[Message], analyzer: Scorer, max_text: int) -> tuple[list, list]:
    """The rule one tweet at a time: record_fields, the analyzer's sentiment, weight, label."""
    rows, dead = [], []
    for msg in messages:
        try:
            fields = record_fields(msg.value(), max_text)
        except InvalidRecord as err:
            dead.append((msg.offset(), err.reason, str(err)))
            continue
        polarity, subjectivity = analyzer.sentiment(fields.text)
        w = weight(fields.followers)
        ts_type, ts_ms = msg.timestamp()
        produced = ts_ms / 1000.0 if ts_type else None
        # fmt: off
        rows.append(ScoredTweet(
            *fields, polarity, subjectivity, w, w * polarity, analyzer.label(polarity),
            msg.partition(), msg.offset(), produced, NOW, analyzer.name,
        ))
        # fmt: on
    return rows, dead


class Letters:
    """A dead-letter policy that keeps each letter's offset, reason and message."""

    def __init__(self) -> None:
        self.letters: list[tuple[int | None, str, str]] = []

    def __call__(self, msg: Message, err: InvalidRecord) -> None:
        self.letters.append((msg.offset(), err.reason, str(err)))

    def flush(self) -> list:
        return []

    def close(self) -> None: ...


PATHS = ("compiled", "decoder", "python")
"""A batch's paths: the compiled engine from message to row (``TextBlobScorer.score_messages``), the
compiled decoder with scoring in Python's loop, and everything in Python."""


def batch(
    messages: Sequence[Message], scorer: str, max_text: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[list, list]:
    """The worker's batch path: one ``prepare`` over every message, by ``path`` (one of :data:`PATHS`)."""
    if path != "compiled":
        monkeypatch.setattr(TextBlobScorer, "score_messages", lambda *_: None)
    if path == "python":
        monkeypatch.setattr(records, "native_decoder", lambda: None)
    letters = Letters()
    settings = ListenerSettings(scorer=scorer, max_text=max_text)
    worker = Worker(0, settings, lambda _: None, Budget(None), lambda: False, dead_letters=letters, clock=lambda: NOW)
    prepared = worker.prepare(messages)
    monkeypatch.undo()
    return prepared.tweets, letters.letters


def messages_of(values: Sequence[bytes | None]) -> list[Message]:
    return [
        Message(
            topic="tweets",
            partition=i % 5,
            offset=i,
            value=v,
            timestamp=(TIMESTAMP_NOT_AVAILABLE, 0) if i % 11 == 0 else (TIMESTAMP_CREATE_TIME, 1_700_000_000_000 + i),
        )
        for i, v in enumerate(values)
    ]


def shared_values() -> list[bytes]:
    path = SHARED_DATA / "twitter_validation_sample.csv"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the tests need ../shared/data beside the project", pytrace=False)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [row for row in csv.reader(fh) if len(row) >= 4]
    return [
        orjson.dumps({**GOOD, "id": f"s{i}", "text": row[3], "followers": None if i % 9 == 0 else i * 37})
        for i, row in enumerate(rows)
    ]


def hostile_values() -> list[bytes | None]:
    """What the fast decoder must hand back to Python, or get exactly right."""
    v: list[bytes | None] = [value for _, value, _ in BAD_MESSAGES]
    v += [
        orjson.dumps({**GOOD, "text": "   \u2003 "}),  # only white space, some of it not ASCII
        orjson.dumps({**GOOD, "text": "\u2003caf\u00e9\u2003"}),  # no ASCII letter: Python's tables decide
        orjson.dumps({**GOOD, "text": "\u00a0"}),
        orjson.dumps({**GOOD, "text": "\x1c\x1d"}),
        orjson.dumps({**GOOD, "id": "caf\u00e9"}),  # a non-ASCII id: printable in Python
        orjson.dumps({**GOOD, "id": "a\u2028b"}),  # not printable
        orjson.dumps({**GOOD, "id": " "}),
        orjson.dumps({**GOOD, "id": "x" * 256}),
        orjson.dumps({**GOOD, "id": "x" * 257}),
        orjson.dumps({**GOOD, "text": "y" * 10_000}),
        orjson.dumps({**GOOD, "text": "y" * 10_001}),
        orjson.dumps({**GOOD, "text": "\U0001f600" * 10_000}),  # astral characters count one each
        orjson.dumps({**GOOD, "followers": MAX_FOLLOWERS}),
        orjson.dumps({**GOOD, "followers": MAX_FOLLOWERS + 1}),
        orjson.dumps({**GOOD, "followers": 0}),
        orjson.dumps({**GOOD, "followers": -1}),
        orjson.dumps({**GOOD, "followers": True}),
        orjson.dumps({**GOOD, "followers": 3.0}),
        b'{"id": "1", "text": "a", "followers": 18446744073709551616}',
        b'{"id": "1", "text": "a", "followers": 1e400}',
        b'{"id": "1", "text": "a", "other": 123456789012345678901234567890}',
        b'{"id": "1", "text": "a", "other": 1e400}',
        b'{"id": "1", "text": "a", "id": "2"}',  # a field twice: orjson keeps the last
        b'{"id": "1", "text": "a", "x": 1, "x": 2}',
        b'{"\\u0069d": "esc", "text": "keys with escapes"}',
        b'{"id": "1", "text": "pair \\ud83d\\ude00 ok"}',
        b'{"id": "1", "text": "nul \\u0000 inside"}',
        b'{"id": "1", "text": "a", "deep": ' + b"[" * 200 + b"]" * 200 + b"}",
        b'{"id": "1", "text": "a", "deep": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        b'{"v": 1, "id": "1", "text": "a"}',
        b'{"v": null, "id": "1", "text": "a"}',
        b'{"v": 1.0, "id": "1", "text": "a"}',
        b'{"v": true, "id": "1", "text": "a"}',
        b'{"v": 2, "id": "1", "text": "a"}',
        b'{"id": "1", "text": "a", "keywords": null, "source": null, "lang": null}',
        b'{"id": "1", "text": "a", "keywords": ["x", 1]}',
        b'{"id": "1", "text": "a", "keywords": "x"}',
        b'{"id": "1", "text": "a", "source": 5}',
        b'{"id": "1", "text": "a", "author": ["x"]}',
        b'{"id": 1, "text": "a"}',
        b'{"id": null, "text": "a"}',
        b'{"text": "a"}',
        b'{"id": "1"}',
        b'{"id": "1", "text": null}',
        b'["id", "text"]',
        b'"a string"',
        b' \n{"id": "1", "text": "white space around"}\r\n ',
        b'{"id": "1", "text": "raw\tcontrol"}',
        b'{"id": "1", "text": "a"}\x00',
        bytearray(b'{"id": "1", "text": "not bytes"}'),  # type: ignore[list-item]
    ]
    return v


def check_decoders_agree(values: Sequence[bytes | None]) -> None:
    native = records_fields(values, native=True)
    python = [(_safe(record_fields, v)) for v in values]
    assert len(native) == len(python) == len(values)
    for value, got, want in zip(values, native, python, strict=True):
        if isinstance(want, InvalidRecord):
            assert isinstance(got, InvalidRecord), value
            assert (got.reason, str(got)) == (want.reason, str(want)), value
        else:
            assert isinstance(got, RecordFields), value
            assert as_bits(tuple(got)) == as_bits(tuple(want)), value


def _safe(fn: Callable[[bytes | None], RecordFields], value: bytes | None) -> RecordFields | InvalidRecord:
    try:
        return fn(value)
    except InvalidRecord as err:
        return err


def test_the_compiled_decoder_is_there_and_takes_the_well_formed_records() -> None:
    require_native()
    decode = native_decoder()
    assert decode is not None, "the compiled core was built without decode_records: run make native"
    good = data.records(50, id_prefix="d")
    fast = decode([value for _, value in good], 10_000)
    assert all(t is not None for t in fast)  # the fast path really runs for ordinary records
    assert decode([b'{"id": "1", "text": "a", "id": "2"}', None, b"[]"], 10_000) == [None, None, None]


@pytest.mark.parametrize("corpus", ["hostile", "shared", "benchmark"])
def test_native_and_python_decoding_agree(corpus: str) -> None:
    require_native()
    corpora: dict[str, Callable[[], Sequence[bytes | None]]] = {
        "hostile": hostile_values,
        "shared": shared_values,
        "benchmark": lambda: [v for _, v in data.records(3000, id_prefix="x")],
    }
    values = corpora[corpus]()
    check_decoders_agree(values)


_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False), st.text()
)
_field_values = st.one_of(_json_scalars, st.lists(st.one_of(st.text(), st.integers()), max_size=3))


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["v", "id", "text", "followers", "keywords", "source", "lang", "author", "x"]),
        _field_values,
    ),
    st.dictionaries(st.sampled_from(["id", "text", "followers", "keywords"]), st.text(min_size=1), max_size=2),
    st.integers(min_value=0, max_value=40),
)
def test_any_record_decodes_the_same_natively(obj: dict, strings: dict, cut: int) -> None:
    require_native()
    whole = json.dumps({**GOOD, **obj}, ensure_ascii=cut % 2 == 0).encode("utf-8", "surrogatepass")
    mixed = json.dumps({**obj, **strings}, ensure_ascii=cut % 2 == 1).encode("utf-8", "surrogatepass")
    check_decoders_agree([whole, mixed, whole[: len(whole) - cut], whole.replace(b'"', b"'", cut % 3)])


@pytest.mark.parametrize("scorer", ["textblob", "vader"])
@pytest.mark.parametrize("path", PATHS)
def test_batch_rows_equal_the_per_tweet_rule(scorer: str, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if path != "python":
        require_native()
    values: list[bytes | None] = [*shared_values(), *hostile_values(), *[v for _, v in data.records(500)]]
    if scorer == "vader":  # VADER takes seconds on a 10,000-character text: the short ones do here
        values = [v for v in values if v is None or len(v) < 2000]
    messages = messages_of(values)
    reference = per_tweet(messages, make_scorer(scorer), 10_000)
    got = batch(messages, scorer, 10_000, path, monkeypatch)
    assert len(got[0]) == len(reference[0]) > 600 and len(got[1]) == len(reference[1]) > 50
    assert [as_bits(tuple(t)) for t in got[0]] == [as_bits(tuple(t)) for t in reference[0]]
    assert sorted(got[1]) == sorted(reference[1])


@pytest.mark.parametrize("path", PATHS)
def test_a_batch_of_repeats_and_a_small_text_cap_stay_exact(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    values = [orjson.dumps({**GOOD, "id": str(i % 7), "text": "good " * (i % 5 + 1)}) for i in range(40)]
    messages = messages_of(values)
    reference = per_tweet(messages, make_scorer(), 12)
    got = batch(messages, "textblob", 12, path, monkeypatch)
    assert [as_bits(tuple(t)) for t in got[0]] == [as_bits(tuple(t)) for t in reference[0]]
    assert got[1] == reference[1] and {r for _, r, _ in got[1]} == {"text-too-long"}
    assert all(math.isclose(t.weight, math.log(11)) for t in got[0])


def test_an_empty_batch_gives_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    assert batch([], "textblob", 10_000, "compiled", monkeypatch) == ([], [])


def test_the_compiled_path_takes_the_well_formed_records_and_leaves_the_rest_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_native()
    values: list[bytes | None] = [*hostile_values(), *[v for _, v in data.records(300)]]
    random.Random(7).shuffle(values)  # the ones Python decides are spread among the others
    messages = messages_of(values)
    scorer = make_scorer()
    assert isinstance(scorer, TextBlobScorer)
    compiled = scorer.score_messages(messages, 10_000, NOW)
    assert compiled is not None and len(compiled) == len(messages)
    taken = {msg.offset() for msg, row in zip(messages, compiled, strict=True) if row is not None}
    good = {v for _, v in data.records(300)}
    benchmark = {msg.offset() for msg in messages if type(msg.value()) is bytes and msg.value() in good}
    assert benchmark <= taken and len(taken) < len(messages)  # every benchmark record; not every hostile one
    reference = per_tweet(messages, make_scorer(), 10_000)
    got = batch(messages, "textblob", 10_000, "compiled", monkeypatch)
    assert [as_bits(tuple(t)) for t in got[0]] == [as_bits(tuple(t)) for t in reference[0]]
    assert got[1] == reference[1]  # the dead letters too, in message order


def test_a_compiled_batch_that_fails_goes_through_the_python_path(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    require_native()
    messages = messages_of([v for _, v in data.records(50)])
    reference = per_tweet(messages, make_scorer(), 10_000)

    def broken(*_: object) -> None:
        raise RuntimeError("a bug in the compiled path")

    monkeypatch.setattr(TextBlobScorer, "score_messages", broken)
    letters = Letters()
    worker = Worker(
        0, ListenerSettings(), lambda _: None, Budget(None), lambda: False, dead_letters=letters, clock=lambda: NOW
    )
    prepared = worker.prepare(messages)
    assert [as_bits(tuple(t)) for t in prepared.tweets] == [as_bits(tuple(t)) for t in reference[0]]
    assert "the compiled batch path failed" in caplog.text and letters.letters == []


def test_the_compiled_path_counts_in_the_scorers_cache() -> None:
    require_native()
    values = [orjson.dumps({**GOOD, "id": str(i), "text": f"good {i % 3}"}) for i in range(9)]
    scorer = TextBlobScorer(cache_size=2)
    rows = scorer.score_messages(messages_of(values), 10_000, NOW)
    assert rows is not None and all(row is not None for row in rows)
    # texts 0,1,2,0,1,2,...: with room for two, each third text evicts the oldest, so only the
    # second of each pair of neighbours hits... and none here: every text comes back after two others
    assert scorer.cache_info() == {"hits": 0, "misses": 9, "size": 2, "capacity": 2}
    scorer.clear_cache()
    rows = scorer.score_messages(messages_of(values[:1] * 3), 10_000, NOW)
    assert scorer.cache_info() == {"hits": 2, "misses": 1, "size": 1, "capacity": 2}
