"""The notebooks' live lines show plain text, not a Python string's repr in quotes."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.formatters import DisplayFormatter

from tweetpulse.workbook import notebook


class Frontend:
    """What a Jupyter front end receives from ``display`` / ``DisplayHandle.update``: mime bundles."""

    def __init__(self) -> None:
        self.shown: list[dict[str, Any]] = []
        self.formatter = DisplayFormatter()

    def publish(self, obj: Any, raw: bool = False, **_: Any) -> None:
        self.shown.append(obj if raw else self.formatter.format(obj)[0])

    def display(self, obj: Any, raw: bool = False, display_id: bool = False, **_: Any) -> Any:
        self.publish(obj, raw)
        frontend = self

        class Handle:
            def update(self, obj: Any, raw: bool = False, **_: Any) -> None:
                frontend.publish(obj, raw)

        return Handle()


def test_live_line_shows_the_text_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    frontend = Frontend()
    monkeypatch.setattr(notebook, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", frontend.display)
    line = notebook.LiveLine(every=0)
    line.show("read 12000, produced 12000, delivered 11800")
    assert frontend.shown[-1]["text/plain"] == "read 12000, produced 12000, delivered 11800"
    assert all(not bundle["text/plain"].startswith(("'", '"')) for bundle in frontend.shown)


def test_outside_jupyter_it_prints(capsys: pytest.CaptureFixture[str]) -> None:
    line = notebook.LiveLine(every=0)
    line.show("consumed 5")
    assert capsys.readouterr().out == "consumed 5\n"
