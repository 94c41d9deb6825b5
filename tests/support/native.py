"""The compiled scoring core in tests: run against it wherever it can be built.

Where ``cargo`` is on PATH ``make setup`` builds the core, so a missing core there is a failure;
without ``cargo`` (no compiler: the pure-Python scorer is what users get), or with
``TWEETPULSE_PURE_PYTHON=1`` (the suite run as such a user), the native-only tests skip.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tweetpulse.scorers._textblob_native import PURE_PYTHON, PURE_PYTHON_ENV, native_core

ENGINES = ("python", "native")


def require_native() -> None:
    """Skip (no cargo here, or the core switched off) or fail (cargo here, yet no core) unless it loads."""
    if PURE_PYTHON:
        pytest.skip(f"{PURE_PYTHON_ENV}=1: the compiled scoring core is switched off")
    if native_core().score is not None:
        return
    reason = native_core().reason
    if shutil.which("cargo") or os.environ.get("CI") == "true":  # CI builds the core: its absence is a failure
        pytest.fail(f"the compiled scoring core is unavailable: {reason}; run make native (needs cargo)")
    pytest.skip(f"no compiled scoring core ({reason})")


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each exactness test runs once per scoring path."""
    name: str = request.param
    if name == "native":
        require_native()
    return name
