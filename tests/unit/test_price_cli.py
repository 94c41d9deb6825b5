"""``tweetpulse prices`` and ``correlate``: a bad argument is one line that says what to do (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tweetpulse.cli import build_parser, main


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["prices", "--products", "BTCUSD"], "BASE-QUOTE"),
        (["prices", "--source", "replay"], "needs --file PATH"),
        (["prices", "--source", "replay", "--file", "/nonexistent.csv"], "no such file"),
        (["prices", "--file", "x.csv"], "--file is the OHLC CSV of --source replay"),
        (["prices", "--coinbase-url", "http://example.invalid/"], "--coinbase-url must be a ws:// or wss:// URL"),
        (["prices", "--source", "synthetic", "--give-up-after", "2"], "--give-up-after is for the live feeds"),
        (["correlate", "--sentiment", "/nonexistent.csv"], "no such file"),
        (["correlate", "--store", "/nonexistent/t.db"], "no posts about 'bitcoin'"),
    ],
)
def test_bad_arguments_are_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err


def test_the_defaults(tmp_path: Path) -> None:
    args = build_parser().parse_args(["prices"])
    assert (args.source, args.topic, args.products) == ("coinbase", "prices", None)
    demo = build_parser().parse_args(["demo"])
    assert (demo.prices, demo.prices_topic, demo.topic) == ("synthetic", "prices", "tweets")
    listen = build_parser().parse_args(["listen", "--no-prices"])
    assert listen.no_prices
    correlate = build_parser().parse_args(["correlate"])
    assert (correlate.coin, correlate.freq, correlate.max_lag) == ("bitcoin", "1min", 10)
