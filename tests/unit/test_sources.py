"""The sources registry: a spec per source, ``open_source`` by name, one-line errors, and no client library
unless a live source is opened."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.options import Option
from tweetpulse.records import Tweet
from tweetpulse.sources import SOURCES, SourceRequest, open_source, source_names, source_specs
from tweetpulse.sources.base import SkippedRows, SourceSpec
from tweetpulse.sources.replay import ReplaySource
from tweetpulse.sources.sample import SampleSource

pytestmark = pytest.mark.unit


class ListedSource:
    """A source registered by a test: what a new source module provides."""

    def __init__(self, request: SourceRequest) -> None:
        self.name = "listed"
        self.skipped = SkippedRows()
        self.request = request
        self.closed = False

    def __iter__(self) -> Iterator[Tweet]:
        return iter([Tweet(id="1", text=f"from {self.request.options['dataset']}", source=self.name)])

    def close(self) -> None:
        self.closed = True


LISTED = SourceSpec(
    "listed",
    "a listed source",
    ListedSource,
    options=(Option("--dataset", "dataset", "where"), Option("--colour", "colour", "which")),
)


def test_the_registry_names_the_cli_choices() -> None:
    assert source_names() == ("sample", "synthetic", "replay", "x", "bluesky", "mastodon")
    assert [spec.name for spec in source_specs()] == list(source_names())
    assert isinstance(open_source("sample", loop=True), SampleSource)


def test_every_spec_says_what_it_is() -> None:
    specs = {spec.name: spec for spec in source_specs()}
    assert all(spec.label and callable(spec.open) for spec in specs.values())
    assert {name for name, spec in specs.items() if spec.live} == {"x", "bluesky", "mastodon"}
    assert {name for name, spec in specs.items() if spec.demo} == {"sample", "synthetic", "bluesky", "mastodon"}
    assert {name: spec.replay_format for name, spec in specs.items() if spec.replay_format} == {
        "x": "x-v2-jsonl",
        "bluesky": "jetstream-jsonl",
        "mastodon": "mastodon-jsonl",
    }
    flags = [option.flag for spec in specs.values() for option in spec.options]
    assert all(flag.startswith("--") for flag in flags)


def test_a_new_source_is_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SOURCES, "listed", f"{__name__}:LISTED")
    matcher = KeywordMatcher()

    source = open_source("listed", matcher, loop=True, dataset="here.jsonl", colour="red")

    assert isinstance(source, ListedSource)
    assert source.request == SourceRequest(
        "listed", matcher=matcher, loop=True, options={"dataset": "here.jsonl", "colour": "red"}
    )
    assert [t.text for t in source] == ["from here.jsonl"]
    with pytest.raises(ConfigError, match=r"^--source listed has no option mode: see tweetpulse stream --help$"):
        open_source("listed", mode="poll")


def test_opener_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"^unknown source 'twitter': use sample, synthetic, replay, x, bluesky or mastodon$"
    ):
        open_source("twitter")
    with pytest.raises(ConfigError, match=r"^--source replay needs --dataset PATH"):
        open_source("replay")
    with pytest.raises(ConfigError, match=r"^--source sample takes no options \(mode\)"):
        open_source("sample", mode="poll")
    with pytest.raises(ConfigError, match=r"^--source x has no option colour"):
        open_source("x", colour="red")
    monkeypatch.chdir(tmp_path)  # no twitter_credentials.py here
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"^no X credentials: set X_BEARER_TOKEN"):
        open_source("x", mode="poll")


def test_replay_opens_through_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text('{"id": "1", "text": "btc"}\n')
    source = open_source("replay", dataset=str(path), fmt="jsonl", loop=False)
    assert isinstance(source, ReplaySource) and source.format == "jsonl"
    assert [(t.id, t.keywords) for t in source] == [("1", ["bitcoin"])]


def test_naming_sources_and_replaying_x_v2_need_no_tweepy(tmp_path: Path) -> None:
    path = tmp_path / "v2.jsonl"
    path.write_text('{"data": {"id": "1", "text": "eth"}}\n')
    code = (
        "import sys\n"
        "from tweetpulse.sources import open_source, source_specs\n"
        "assert len(source_specs()) == 6\n"
        "from tweetpulse.cli import build_parser\n"
        "build_parser()  # every source's options on the command line\n"
        f"tweets = list(open_source('replay', dataset={str(path)!r}))\n"
        "assert [t.keywords for t in tweets] == [['ethereum']], tweets\n"
        "assert not {'tweepy', 'requests', 'websockets'} & set(sys.modules), 'imported a client library'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_every_live_source_shares_one_base_one_state_and_one_closing() -> None:
    from tweetpulse.closing import Closing
    from tweetpulse.sources.bluesky.jetstream import BlueskySource
    from tweetpulse.sources.live import LiveSource, LiveState, LiveStatus
    from tweetpulse.sources.mastodon.source import MastodonSource
    from tweetpulse.sources.x.poll import XPollSource
    from tweetpulse.sources.x.stream import XStreamSource

    for cls in (XStreamSource, XPollSource, BlueskySource, MastodonSource):
        assert issubclass(cls, LiveSource) and issubclass(cls, Closing), cls
        assert cls.progress_every == 1
    seen: list[LiveStatus] = []
    source = XPollSource("a-token-of-thirty-characters-x", api_base="http://127.0.0.1:9", on_status=seen.append)
    assert isinstance(source.live, LiveState) and source.status().source == "x:poll"
    source._set_state("retrying", error="boom with a-token-of-thirty-characters-x", retry_in=4.0)
    assert (source.state, source.retry_in) == ("retrying", 4.0) and seen[-1] == source.status()
    assert "a-token-of-thirty-characters-x" not in (source.last_error or "") and "boom" in (source.last_error or "")
    source.close()
