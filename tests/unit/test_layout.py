"""The package's shape stays as docs/architecture.md draws it: a short top level, modules and functions
a reader can hold in mind. The layers themselves are import-linter's contracts (pyproject.toml, make lint)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "tweetpulse"
MAX_TOP_LEVEL = 12
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MODULES = sorted(PACKAGE.rglob("*.py"))


def name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_at_most_twelve_modules_at_the_top_of_the_package() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{name(path)} has {lines} lines"


@pytest.mark.parametrize("path", MODULES, ids=name)
def test_no_function_is_over_60_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = {
        f"{node.name} ({node.lineno})": (node.end_lineno or node.lineno) - node.lineno + 1
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}, f"{name(path)}: {long}"


def test_the_measures_see_what_they_measure() -> None:
    """The walk finds the package's modules (pipeline, sources, ...), and a long function is caught."""
    assert {"pipeline/worker.py", "sources/base.py", "records.py"} <= {name(path) for path in MODULES}
    body = "\n".join(f"    x = {i}" for i in range(61))
    tree = ast.parse(f"def f():\n{body}\n")
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef) and (node.end_lineno or 0) - node.lineno + 1 == 62
