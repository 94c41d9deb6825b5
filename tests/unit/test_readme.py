"""The README stays true: the options and make targets it names exist, and so do the notebooks it points to."""

from __future__ import annotations

import argparse
import re

from tests.conftest import ROOT
from tweetpulse.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")
# options of Jupyter and of the benchmarks, not of the CLI
NOT_OURS = {"--allow-root", "--no-browser", "--only", "--profile", "--inserts-only", "--inserts", "--cwd", "--to"}


def cli_options() -> set[str]:
    parser = build_parser()
    options = set(parser._option_string_actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options |= set(sub._option_string_actions)
    return options


def test_every_option_the_readme_names_exists() -> None:
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", README)) - NOT_OURS
    assert named - cli_options() == set()


def test_every_make_target_the_readme_names_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    assert set(re.findall(r"`make ([a-z][a-z-]*)", README)) - targets == set()


def test_the_cli_section_says_how_to_get_the_command() -> None:
    cli = README.split("## The CLI", 1)[1].split("\n## ", 1)[0]
    assert "source .venv/bin/activate" in cli and ".venv/bin/tweetpulse" in cli


def test_notebooks_folder_is_described_as_it_is() -> None:
    if any((ROOT / "notebooks").glob("*.ipynb")):
        assert "holds none yet" not in README
    else:
        assert "notebooks live in `notebooks/`" not in README


def sentences(markdown: str) -> list[str]:
    """The prose of a Markdown text, sentence by sentence (code blocks and table rows left out)."""
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = " ".join(line for line in prose.splitlines() if not line.lstrip().startswith("|"))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]


def test_the_readme_says_nothing_twice() -> None:
    """It said 'Full run of 2026-11-30…' twice in a row and 'about 470 bytes with its indexes' in two
    neighbouring paragraphs: no two sentences may begin, or end, with the same six words."""
    seen: dict[tuple[str, ...], str] = {}
    for sentence in sentences(README):
        words = sentence.split()
        for key in (("head", *words[:6]), ("tail", *words[-6:])):
            assert key not in seen, f"said twice:\n  {seen[key]}\n  {sentence}"
            seen[key] = sentence
