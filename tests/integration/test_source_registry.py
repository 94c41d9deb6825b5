"""A new source is one module plus one registry line: a toy source written to a temporary module,
registered, and run by ``tweetpulse stream --source toy`` through the real CLI parser into the real broker."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.integration.test_streamer import by_id, read_topic
from tweetpulse.cli import build_parser, main
from tweetpulse.kafka.config import KafkaConfig
from tweetpulse.sources import SOURCES

pytestmark = pytest.mark.integration

TOY = """
from tweetpulse.options import Option, positive_int
from tweetpulse.records import Tweet
from tweetpulse.sources.base import SkippedRows, SourceRequest, SourceSpec


class ToySource:
    name = "toy"

    def __init__(self, request: SourceRequest) -> None:
        self.request = request
        self.skipped = SkippedRows()
        self.closed = False

    def __iter__(self):
        word, count = self.request.options["word"], self.request.options["count"]
        for i in range(count):
            text = f"{word} number {i}"
            yield Tweet(id=f"toy-{i}", text=text, keywords=self.request.matcher.match(text), source="toy")

    def close(self) -> None:
        self.closed = True


SOURCE = SourceSpec(
    "toy",
    "a toy source",
    ToySource,
    options=(
        Option("--toy-count", "count", "how many tweets", positive_int, 2, metavar="N"),
        Option("--toy-word", "word", "what every tweet says", default="toy"),
    ),
)
"""


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "toy_module"
    module.mkdir()
    (module / "tweetpulse_toy.py").write_text(TOY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(module))
    monkeypatch.setitem(SOURCES, "toy", "tweetpulse_toy:SOURCE")  # the one registry line


def test_a_registered_toy_source_streams_through_the_cli(
    toy: None, kafka: KafkaConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["stream", "--source", "toy", "--toy-count", "3", "--toy-word", "btc", "--no-progress"]
    code = main([*argv, "--topic", kafka.topic, "--bootstrap-servers", kafka.bootstrap_servers])

    assert code == 0, capsys.readouterr().err
    got = by_id(read_topic(kafka, expected=3))
    assert {tid: (r["text"], r["keywords"], r["source"]) for tid, r in got.items()} == {
        f"toy-{i}": (f"btc number {i}", ["bitcoin"], "toy") for i in range(3)
    }
    assert "delivered 3" in capsys.readouterr().out


def test_the_toy_source_is_in_the_help_and_refuses_other_sources_options(
    toy: None, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser()
    sub = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    stream_help = sub.choices["stream"].format_help()
    assert "a toy source (--source toy)" in stream_help and "--toy-count N" in stream_help
    assert parser.parse_args(["stream", "--source", "toy"]).toy_count == 2

    code = main(["stream", "--source", "toy", "--record", "raw.jsonl"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "--record is an option of --source x or bluesky or mastodon, not of --source toy" in err[0]
