"""The CLI without a broker: `score`, and one clear line for every bad argument."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.support.native import require_native
from tests.support.stores import damaged_store, other_layout_store
from tweetpulse.cli import main
from tweetpulse.scorers.scoring import textblob_sentiment


def test_score_json_is_textblob_exact(capsys: pytest.CaptureFixture[str]) -> None:
    text = "Bitcoin is not very good today :( but ETH looks AMAZING!!!"
    assert main(["score", "--json", "--followers", "250", text]) == 0
    out = json.loads(capsys.readouterr().out)
    polarity, subjectivity = textblob_sentiment(text)
    assert (out["polarity"], out["subjectivity"]) == (polarity, subjectivity)
    assert out["weight"] == math.log(251) and out["score"] == math.log(251) * polarity
    assert out["label"] == ("positive" if polarity > 0 else "negative" if polarity < 0 else "neutral")


def test_score_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "I", "hate", "this", "crash"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("polarity -") and "label negative" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["listen", "--workers", "0"],
        ["listen", "--workers", "two"],
        ["listen", "--from", "middle"],
        ["listen", "--idle-exit", "-3"],
        ["stream", "--source", "twitter"],
        ["stream", "--limit", "1.5"],
        ["demo", "--rate", "0"],
        ["dashboard", "--refresh-ms", "fast"],
        ["stream", "--kafka-timeout", "0"],
        ["listen", "--port", "70000"],
        ["score"],
        ["score", "--followers", "-5", "great"],
        ["score", "--followers", "many", "great"],
        ["score", "--neutral-band", "2", "great"],
        ["score", "--neutral-band", "nan", "great"],
        ["listen", "--neutral-band", "1"],
        ["demo", "--neutral-band", "-0.1"],
        ["nonsense"],
    ],
)
def test_bad_arguments_get_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error:" in err[0] and "--help" in err[0]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["score", "--followers", "-5", "great"], "0 or more"),
        (["score", "--neutral-band", "2", "great"], "label every tweet neutral"),
    ],
)
def test_bad_score_arguments_say_what_to_do(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    err = capsys.readouterr().err
    assert says in err and argv[1] in err and "Traceback" not in err


def test_zero_followers_and_a_band_below_one_are_fine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--json", "--followers", "0", "--neutral-band", "0.9", "great"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["weight"] == 0.0 and out["label"] == "neutral"  # polarity 0.8 is inside the band


def test_bad_kafka_setting_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["listen", "-X", "nokey", "--no-dashboard"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "key=value" in err[0]


def test_unusable_store_is_one_line_before_anything_starts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["listen", "--store", "/proc/no-such-dir/t.db", "--no-dashboard"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "can't open the store" in err[0] and "--store" in err[0]


def test_score_says_which_scorer_ran(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--scorer", "textblob", "--json", "good"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scorer"] == "textblob" and out["label"] == "positive"
    assert main(["score", "good"]) == 0  # textblob is the default
    assert capsys.readouterr().out.rstrip().endswith(f"(scorer textblob, {out['engine']} engine)")


def test_score_json_says_which_engine_ran(capsys: pytest.CaptureFixture[str]) -> None:
    """The compiled core where it is built; TWEETPULSE_PURE_PYTHON=1 (read at import) forces Python."""
    require_native()
    assert main(["score", "--json", "not bad :)"]) == 0
    assert json.loads(capsys.readouterr().out)["engine"] == "native"
    env = {**os.environ, "TWEETPULSE_PURE_PYTHON": "1"}
    argv = [sys.executable, "-m", "tweetpulse.cli", "score", "--json", "not bad :)"]
    out = json.loads(subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout)
    assert out["engine"] == "python" and (out["polarity"], out["subjectivity"]) == textblob_sentiment("not bad :)")


def test_score_neutral_band_overrides_the_scorers_own(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--json", "--neutral-band", "0.7", "good"]) == 0  # polarity 0.7: on the band's edge
    assert json.loads(capsys.readouterr().out)["label"] == "neutral"


@pytest.mark.parametrize("command", ["score", "listen", "demo", "dashboard"])
def test_unknown_scorer_is_one_line_listing_the_known_ones(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [command, "--scorer", "sentiwordnet"] + (["some text"] if command == "score" else [])
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown scorer 'sentiwordnet'" in err[0] and "textblob" in err[0]


def test_listen_and_demo_hand_the_scorer_name_to_the_workers() -> None:
    from tweetpulse.cli import build_parser
    from tweetpulse.cli.commands import listener_settings
    from tweetpulse.kafka.config import KafkaConfig

    for command in ("listen", "demo"):
        args = build_parser().parse_args([command, "--scorer", "textblob", "--neutral-band", "0.2"])
        settings = listener_settings(args, KafkaConfig())
        assert (settings.scorer, settings.neutral_band) == ("textblob", 0.2)
        default = listener_settings(build_parser().parse_args([command]), KafkaConfig())
        assert (default.scorer, default.neutral_band) == ("textblob", None)


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("nonsense.key=1", '"nonsense.key"'),
        ("acks=banana", "request.required.acks"),  # librdkafka's name for acks
    ],
)
def test_a_rejected_kafka_setting_is_a_config_error_not_an_unreachable_broker(
    setting: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    argv = ["stream", "-X", setting, "--bootstrap-servers", f"127.0.0.1:{free_port()}", "--kafka-timeout", "30"]
    assert main(argv) == 2
    assert time.monotonic() - started < 10  # at once, not after the wait for an answer
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0] and "did not answer" not in err[0] and "-X" in err[0]


def test_kafka_timeout_sets_the_wait_for_an_unreachable_broker(capsys: pytest.CaptureFixture[str]) -> None:
    """A port that takes the connection and never answers (not a refusal: that is told at once)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel accepts; nobody ever speaks Kafka
        started = time.monotonic()
        bootstrap = f"127.0.0.1:{silent.getsockname()[1]}"
        assert main(["stream", "--limit", "1", "--bootstrap-servers", bootstrap, "--kafka-timeout", "0.5"]) == 2
    assert time.monotonic() - started < 10  # not the default 15 s
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did not answer within 0.5s" in err[0] and "--kafka-timeout" in err[0]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_refused_local_broker_is_told_at_once(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`stream` with the broker down waited the whole --kafka-timeout (15 s) for a refused local port."""
    port = free_port()
    started = time.monotonic()
    argv = ["stream", "--limit", "1", "--bootstrap-servers", f"{host}:{port}", "--kafka-timeout", "30"]
    assert main(argv) == 2
    assert time.monotonic() - started < 5  # at once, not after the 30 s wait
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"no Kafka is listening at {host}:{port} (connection refused)" in err[0]
    assert "kafka-setup.sh start" in err[0]


@pytest.mark.parametrize("make", [damaged_store, other_layout_store])
@pytest.mark.parametrize("command", ["dashboard", "listen"])
def test_an_unusable_store_file_is_one_line_for_every_command(
    command: str, make: Callable[[Path], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``dashboard`` printed a traceback for a damaged store where ``listen`` gave a line; both read it
    before anything else starts (no broker is needed to say the store is bad)."""
    store = make(tmp_path / "s.db")
    argv = [command, "--store", str(store), "--port", "0", "--bootstrap-servers", "127.0.0.1:1"]
    assert main([*argv, "--duration", "1"] + (["--no-dashboard"] if command == "listen" else [])) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(store) in err[0] and ("move this file aside" in err[0] or "move it aside" in err[0])


def test_listen_exits_1_naming_a_stopped_partition(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tweetpulse.pipeline.demo as pipeline
    from tweetpulse.pipeline.listener import Summary

    line = "partition tweets[0] stopped at offset 50: a dead letter could not be written (too large)"
    monkeypatch.setattr(pipeline, "run_listener", lambda *a, **k: Summary(consumed=3, stored=3, stopped=[line]))
    assert main(["listen", "--store", str(tmp_path / "t.db"), "--no-dashboard"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == f"tweetpulse listen: error: {line}"
    assert "1 partition stopped" in captured.out and "partition(s)" not in captured.out
