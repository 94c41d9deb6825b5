"""The sources registry: ``open_source`` by name, one-line errors, close(), and no tweepy unless X is used."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tweetpulse.errors import ConfigError
from tweetpulse.keywords import KeywordMatcher
from tweetpulse.records import Tweet
from tweetpulse.sources import SOURCE_NAMES, SOURCES, SourceRequest, open_source
from tweetpulse.sources.base import SkippedRows
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
        return iter([Tweet(id="1", text=f"from {self.request.dataset}", source=self.name)])

    def close(self) -> None:
        self.closed = True


def test_the_registry_names_the_cli_choices() -> None:
    assert SOURCE_NAMES == ("sample", "replay", "x", "bluesky", "mastodon")
    assert isinstance(open_source("sample", loop=True), SampleSource)


def test_a_new_source_is_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SOURCES, "listed", f"{__name__}:ListedSource")
    matcher = KeywordMatcher()

    source = open_source("listed", dataset="here.jsonl", matcher=matcher, loop=True, colour="red")

    assert isinstance(source, ListedSource)
    assert source.request == SourceRequest(
        "listed", dataset="here.jsonl", matcher=matcher, loop=True, options={"colour": "red"}
    )
    assert [t.text for t in source] == ["from here.jsonl"]


def test_opener_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^unknown source 'twitter': use sample, replay, x, bluesky or mastodon$"):
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
        "from tweetpulse.sources import SOURCE_NAMES, open_source\n"
        f"tweets = list(open_source('replay', dataset={str(path)!r}))\n"
        "assert [t.keywords for t in tweets] == [['ethereum']], tweets\n"
        "assert 'tweepy' not in sys.modules and 'requests' not in sys.modules, 'imported a client library'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
