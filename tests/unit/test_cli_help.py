"""The CLI's documented surface: the module docstring names every command, defaults come from the code."""

from __future__ import annotations

import argparse
import re

import pytest

from tweetpulse import cli
from tweetpulse import records as models
from tweetpulse.sources import live, source_specs


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def subcommand_help(name: str) -> str:
    return " ".join(subcommands()[name].format_help().split())


def test_module_docstring_lists_every_command() -> None:
    match = re.search(r"``tweetpulse ([a-z|]+)``", cli.__doc__ or "")
    assert match is not None
    assert set(match.group(1).split("|")) == set(subcommands())


def test_defaults_are_the_code_constants() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["stream"]).poll_interval == live.DEFAULT_POLL_INTERVAL
    for command in ("listen", "demo"):
        assert parser.parse_args([command]).max_text == models.DEFAULT_MAX_TEXT
    assert f"(poll mode; default: {live.DEFAULT_POLL_INTERVAL})" in subcommand_help("stream")
    assert f"dead-lettered (default: {models.DEFAULT_MAX_TEXT})" in subcommand_help("listen")


def test_defaults_follow_the_constants_when_they_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "DEFAULT_MAX_TEXT", 1234)
    parser = cli.build_parser()
    assert parser.parse_args(["listen"]).max_text == 1234
    assert "default: 1234" in subcommand_help("listen")


def test_every_source_option_is_on_the_command_line_with_its_own_default() -> None:
    parsed = vars(cli.build_parser().parse_args(["stream"]))
    options = [option for spec in source_specs() for option in spec.options]
    assert {option.flag for option in options} >= {"--dataset", "--x-mode", "--lang", "--record", "--poll-interval"}
    for option in options:
        assert option.flag in subcommand_help("stream")
        assert parsed[option.dest] == (
            (option.type or str)(option.unset) if isinstance(option.unset, str) else option.unset
        )


def test_the_command_list_names_every_source_stream_takes() -> None:
    """``tweetpulse --help`` described stream as "(sample, a dataset, or X live)": no Bluesky, no Mastodon."""
    from tweetpulse.sources import SOURCES

    overview = " ".join(cli.build_parser().format_help().split())
    line = re.search(r"stream (.+?) listen ", overview)
    assert line is not None
    for source, word in {
        "sample": "sample",
        "replay": "dataset",
        "x": "X",
        "bluesky": "Bluesky",
        "mastodon": "Mastodon",
    }.items():
        assert source in SOURCES and word in line.group(1), (source, line.group(1))


def test_demo_help_says_each_run_gets_a_fresh_store() -> None:
    text = subcommand_help("demo")
    assert "a fresh data/demo.db every run" in text and "--seed" in text and "synthetic" in text
