"""Model files never run code: pickles are refused by content, skops files hold only the trusted types.

The hostile files are the ones issue 18 B describes (a forged ``tweetpulse-model`` header, then a
pickle whose ``__reduce__`` runs a command); each would create a marker file if it were loaded.
They go through the real CLI (``score``, ``evaluate``) and a real spawned ``listen`` worker.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.support.labeled_files import learnable_rows, trained_model, write_labeled
from tweetpulse.cli import main
from tweetpulse.errors import ConfigError
from tweetpulse.pipeline.settings import ListenerSettings
from tweetpulse.pipeline.worker import WorkerFailed, worker_main
from tweetpulse.scorers.model import ModelScorer
from tweetpulse.scorers.modelfile import MAGIC, load_model, read_header, sklearn_version


class Payload:
    """Unpickling this runs ``os.system``: it touches the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    return trained_model(tmp_path_factory.mktemp("m"))


def forged_header(version: int = 1) -> bytes:
    """The header issue 18 B forged: the magic, a version, the right metadata."""
    meta = {"classes": ["negative", "neutral", "positive"], "neutral_band": 0.1, "sklearn": sklearn_version()}
    return MAGIC + f"{version} ".encode() + json.dumps(meta).encode() + b"\n"


def hostile_files(folder: Path, marker: Path) -> dict[str, Path]:
    """Pickles and joblib files, bare and behind forged headers: every one runs ``touch`` if loaded."""
    pickled = pickle.dumps(Payload(marker), protocol=4)
    contents = {
        "forged-v1": forged_header(1) + pickled,
        "forged-v2": forged_header(2) + pickled,
        "forged-v2-joblib": forged_header(2) + zlib.compress(pickled),
        "bare-pickle": pickled,
        "bare-pickle-protocol0": pickle.dumps(Payload(marker), protocol=0),
        "joblib-compressed": zlib.compress(pickled, 3),
    }
    out = {}
    for name, content in contents.items():
        out[name] = folder / f"{name}.skops"  # the name says skops: the content decides
        out[name].write_bytes(content)
    return out


def run(argv: list[str]) -> object:
    """``main(argv)``'s exit code, also when the parser exits (it checks --scorer's file)."""
    try:
        return main(argv)
    except SystemExit as exit_:
        return exit_.code


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_score_and_evaluate_refuse_pickles_and_never_run_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    labeled = write_labeled(tmp_path / "l.csv", learnable_rows(3))
    for name, path in hostile_files(tmp_path, marker).items():
        for argv in (
            ["score", "--scorer", f"model:{path}", "I love it"],
            ["evaluate", "--dataset", str(labeled), "--scorer", f"model:{path}"],
        ):
            assert run(argv) == 2, (name, argv[0])
            line = one_line(capsys.readouterr().err)
            assert "tweetpulse train --dataset" in line, (name, line)
            if name != "bare-pickle-protocol0":  # no magic bytes to tell: refused as "not a model"
                assert "pickle" in line, (name, line)
    assert not marker.exists()
    # the payload is real: unpickling the same bytes does run it
    pickle.loads(hostile_files(tmp_path, marker)["bare-pickle"].read_bytes())
    assert marker.exists()


def test_listen_and_dashboard_refuse_them_before_any_worker_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    for name, path in hostile_files(tmp_path, marker).items():
        for command in ("listen", "dashboard"):
            assert run([command, "--scorer", f"model:{path}", "--store", str(tmp_path / "s.db")]) == 2, name
            line = one_line(capsys.readouterr().err)
            assert "argument --scorer" in line and "tweetpulse train --dataset" in line, (name, command)
    assert not marker.exists()


def _spawned_worker(settings: ListenerSettings) -> tuple[int | None, object]:
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    process = ctx.Process(target=worker_main, args=(0, settings, send, stop, None, os.getpid()))
    process.start()
    process.join(120)
    if process.is_alive():
        process.kill()
        process.join()
    message = receive.recv() if receive.poll(5) else None
    return process.exitcode, message


def test_a_listen_worker_refuses_a_forged_model_without_running_it(model: tuple[Path, object], tmp_path: Path) -> None:
    """The file is swapped after ``listen`` checked it: a (re)started worker loads it and refuses."""
    marker = tmp_path / "pwned"
    path = tmp_path / "model.skops"
    path.write_bytes(model[0].read_bytes())
    settings = ListenerSettings(scorer=f"model:{path}", store_path=str(tmp_path / "s.db"))  # checked: fine
    path.write_bytes(hostile_files(tmp_path, marker)["forged-v1"].read_bytes())
    code, message = _spawned_worker(settings)
    assert code == 3 and isinstance(message, WorkerFailed)
    assert "never loaded" in message.error and "tweetpulse train" in message.error
    assert not marker.exists()


def test_round_trip_gives_identical_probabilities(model: tuple[Path, object], shared_csv: Path) -> None:
    path, result = model
    texts = [line.split(",", 3)[-1] for line in shared_csv.read_text(encoding="utf-8").splitlines()[:200]]
    texts += ["I love the update :)", "not good, never again :(", ""]
    loaded = load_model(path).pipeline
    before = result.pipeline.predict_proba(texts)  # type: ignore[attr-defined]
    assert np.array_equal(loaded.predict_proba(texts), before)
    assert type(loaded) is type(result.pipeline)  # type: ignore[attr-defined]


def _with_payload(path: Path, payload: bytes, folder: Path, name: str) -> Path:
    header = path.read_bytes().partition(b"\n")[0] + b"\n"
    out = folder / name
    out.write_bytes(header + payload)
    return out


def test_a_file_with_types_a_model_never_holds_is_refused(model: tuple[Path, object], tmp_path: Path) -> None:
    import skops.io
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    path, result = model
    fitted = result.pipeline  # type: ignore[attr-defined]
    texts, labels = ["good", "bad", "meh", "great"], ["positive", "negative", "neutral", "positive"]
    features = fitted.named_steps["features"]
    other = Pipeline([("features", features), ("classifier", ComplementNB().fit(features.transform(texts), labels))])
    hooked = Pipeline([("hook", FunctionTransformer(os.system)), ("model", fitted)])
    cases = {
        "other-sklearn": (skops.io.dumps(other), "sklearn.naive_bayes.ComplementNB"),
        "a-function": (skops.io.dumps(hooked), "sklearn.preprocessing._function_transformer.FunctionTransformer"),
    }
    for name, (payload, words) in cases.items():
        evil = _with_payload(path, payload, tmp_path, f"{name}.skops")
        with pytest.raises(ConfigError) as info:
            ModelScorer(evil)
        assert words in str(info.value) and "tweetpulse train" in str(info.value), name
    # a schema edited by hand to name another function of a trusted module's neighbour
    module = b"tweetpulse.scorers.features"
    data = path.read_bytes().replace(b'"tweet_words"', b'"system"').replace(module, b"os" + b" " * (len(module) - 2))
    assert b'"system"' in data
    evil = tmp_path / "edited.skops"
    evil.write_bytes(data)
    with pytest.raises(ConfigError, match=r"damaged|never does"):
        ModelScorer(evil)


def test_refuses_other_versions_damage_and_oversized_archives(
    model: tuple[Path, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = model
    header, _, payload = path.read_bytes().partition(b"\n")
    cases = {
        "v3": (header.replace(MAGIC + b"2 ", MAGIC + b"3 ") + b"\n" + payload, "format '3'"),
        "old-sklearn": (header.replace(b'"sklearn": "', b'"sklearn": "0.') + b"\n" + payload, "scikit-learn 0."),
        "truncated": (header + b"\n" + payload[:100], "damaged"),
        "not-zip": (header + b"\n" + b"hello", "damaged"),
        "no-json": (MAGIC + b"2 {nope\n" + payload, "damaged header"),
        "no-header": (b"just some text\n", "not a model written by 'tweetpulse train'"),
    }
    for name, (content, words) in cases.items():
        bad = tmp_path / f"{name}.skops"
        bad.write_bytes(content)
        with pytest.raises(ConfigError) as info:
            ModelScorer(bad)
        message = str(info.value)
        assert words in message and "\n" not in message and "tweetpulse train" in message, name
    with pytest.raises(ConfigError, match="check the path"):
        ModelScorer(tmp_path / "missing.skops")
    monkeypatch.setattr("tweetpulse.scorers.modelfile.MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ConfigError, match="unpacks to more than a model needs"):
        ModelScorer(path)
    monkeypatch.setattr("tweetpulse.scorers.modelfile.MAX_FILE_BYTES", 1000)
    with pytest.raises(ConfigError, match="more than a model needs"):
        ModelScorer(path)


def test_header_metadata_holds_the_cross_validated_scores(model: tuple[Path, object]) -> None:
    path, result = model
    meta = read_header(path)
    cv = meta["cross_validated"]
    assert cv["folds"] == 3 and 0.0 <= cv["accuracy_std"] <= 0.5 and 0.0 <= cv["macro_f1_std"] <= 0.5
    assert cv["accuracy"] == pytest.approx(result.chosen.scores.accuracy)  # type: ignore[attr-defined]
    assert meta["rows"] == 90 and meta["sklearn"] == sklearn_version()


def test_checking_a_model_file_imports_no_scikit_learn(model: tuple[Path, object]) -> None:
    """The CLI checks --scorer's file before any worker starts; importing scikit-learn for its version
    alone made that check take over a second (the workers import it anyway, to load the model)."""
    import subprocess
    import sys

    import sklearn

    assert sklearn_version() == sklearn.__version__
    code = (
        "import sys; from tweetpulse.scorers.modelfile import check_file; "
        f"meta = check_file({str(model[0])!r}); "
        "print(meta['sklearn'], 'sklearn' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == [sklearn.__version__, "False"]
