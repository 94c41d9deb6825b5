"""The README and docs/ stay true: the options, make targets, commands, modules and files they name exist,
the README stays short, and nothing is said twice."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tweetpulse.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))}
ALL = {"README.md": README, **{f"docs/{name}": text for name, text in DOCS.items()}}
# options of Jupyter, papermill and the benchmarks, not of the CLI
NOT_OURS = {
    "--allow-root",
    "--no-browser",
    "--only",
    "--profile",
    "--inserts-only",
    "--inserts",
    "--cwd",
    "--to",
    "--subprocesses",  # py-spy record's (docs/performance.md's profile)
}


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def cli_options() -> set[str]:
    options = set(build_parser()._option_string_actions)
    for sub in subparsers().values():
        options |= set(sub._option_string_actions)
    return options


def test_the_readme_is_short_and_links_every_docs_page() -> None:
    assert len(README.splitlines()) <= 150
    for name in DOCS:
        if name.endswith(".md"):
            assert f"docs/{name}" in README, f"the README does not link docs/{name}"


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_option_a_page_names_exists(name: str) -> None:
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", ALL[name])) - NOT_OURS
    assert named - cli_options() == set()


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_make_target_a_page_names_exists(name: str) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    assert set(re.findall(r"`make ([a-z][a-z-]*)", ALL[name])) - targets == set()


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_command_a_page_names_exists(name: str) -> None:
    """``tweetpulse CMD`` in code (inline, or a line of a code block) is a command of the CLI."""
    text = ALL[name]
    named = set(re.findall(r"`tweetpulse ([a-z]+)\b", text))
    for block in re.findall(r"```.*?```", text, flags=re.S):
        named |= set(re.findall(r"^\s*(?:\S+=\S+ )*tweetpulse ([a-z]+)\b", block, re.M))
    assert named - set(subparsers()) == set()


def _dead_letter_headers() -> set[str]:
    """The ``tweetpulse.*`` header names of a dead letter: dotted like modules, but names on a message."""
    source = (ROOT / "tweetpulse" / "pipeline" / "deadletter.py").read_text(encoding="utf-8")
    return set(re.findall(r'"(tweetpulse\.[a-z0-9.]+)"', source))


def _module_exists(dotted: str) -> bool:
    """``tweetpulse.a.b`` is a module, or an attribute of the longest module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        value: object = module
        for attr in parts[cut:]:
            if not hasattr(value, attr):
                return False
            value = getattr(value, attr)
        return True
    return False


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_module_and_file_a_page_names_exists(name: str) -> None:
    text = ALL[name]
    dotted = set(re.findall(r"`(tweetpulse(?:\.[A-Za-z_]\w*)+)", text)) - _dead_letter_headers()
    assert {d for d in dotted if not _module_exists(d)} == set()
    paths = set(re.findall(r"`((?:tweetpulse|tests|scripts|benchmarks|native|notebooks|docs)/[\w./-]*)`", text))
    paths |= set(re.findall(r"\]\(((?:docs/)?[\w-]+\.md)(?:#[\w-]+)?\)", text))
    base = ROOT / "docs" if name.startswith("docs/") else ROOT
    missing = {p for p in paths if not ((ROOT / p).exists() or (base / p).exists())}
    assert missing == set()


@pytest.mark.parametrize("name", ["docs/architecture.md"])
def test_the_architecture_names_modules_by_their_path_in_the_package(name: str) -> None:
    """Module names like ``worker.py`` or ``stores/sqlite.py``, as written in the map, are files of the package."""
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)", ALL[name]))
    package = ROOT / "tweetpulse"
    files = {path.relative_to(package).as_posix() for path in package.rglob("*.py")}
    missing = {p for p in named if not (ROOT / p).is_file() and not any(f == p or f.endswith("/" + p) for f in files)}
    assert missing == set()


def test_the_cli_page_says_how_to_get_the_command() -> None:
    assert "source .venv/bin/activate" in DOCS["cli.md"] and ".venv/bin/tweetpulse" in DOCS["cli.md"]


def test_notebooks_folder_is_described_as_it_is() -> None:
    if any((ROOT / "notebooks").glob("*.ipynb")):
        assert "holds none yet" not in DOCS["notebooks.md"]
    else:
        assert "notebooks live in `notebooks/`" not in DOCS["notebooks.md"]


def sentences(markdown: str) -> list[str]:
    """The prose of a Markdown text, sentence by sentence (code blocks and table rows left out)."""
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S)
    text = " ".join(line for line in prose.splitlines() if not line.lstrip().startswith("|"))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]


def test_the_docs_say_nothing_twice() -> None:
    """The README once said 'Full run of 2026-11-30…' twice in a row and 'about 470 bytes with its indexes'
    in two neighbouring paragraphs: no two sentences of the README and docs/ may begin, or end, with the
    same six words."""
    seen: dict[tuple[str, ...], str] = {}
    for name, text in ALL.items():
        for sentence in sentences(text):
            words = sentence.split()
            for key in (("head", *words[:6]), ("tail", *words[-6:])):
                assert key not in seen, f"said twice:\n  {seen[key]}\n  {name}: {sentence}"
                seen[key] = f"{name}: {sentence}"


def test_docs_is_where_the_pages_are() -> None:
    assert {"architecture.md", "cli.md", "sources.md", "notebooks.md", "kafka.md", "postgres.md"} <= set(DOCS)
    assert {"evaluation.md", "performance.md", "guarantees.md"} <= set(DOCS)
    assert all(Path(ROOT / "docs" / name).stat().st_size > 500 for name in DOCS)
