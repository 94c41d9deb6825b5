"""The package as a whole: every module's logger is named after the module (``logging.getLogger(__name__)``)."""

from __future__ import annotations

import importlib
import logging
import pkgutil

import pytest

import tweetpulse

MODULES = sorted(info.name for info in pkgutil.walk_packages(tweetpulse.__path__, "tweetpulse."))


def test_every_module_is_found() -> None:
    assert {
        "tweetpulse.cli.commands",
        "tweetpulse.kafka.config",
        "tweetpulse.sources.x",
        "tweetpulse.dashboard.health",
    } <= {*MODULES}


@pytest.mark.parametrize("name", MODULES)
def test_module_logger_is_named_after_the_module(name: str) -> None:
    module = importlib.import_module(name)
    loggers = {attr: value.name for attr, value in vars(module).items() if isinstance(value, logging.Logger)}
    assert all(logger == name for logger in loggers.values()), loggers
