"""The file ``tweetpulse train`` writes: a header line, then the scikit-learn pipeline (joblib).

Loading a model file unpickles it, and **unpickling runs code**: load only model files you made
or trust. The header is checked *before* anything is unpickled, so a file that is not a model
this command wrote (a random pickle, a model from another tool, a truncated download) is refused
with one line; but a hostile file can forge a header, so the check does not make an untrusted
file safe.

Header: ``tweetpulse-model <format version> <JSON metadata>\\n``; the metadata holds the
scikit-learn version (a pickle only loads reliably in the version that wrote it), the class
order, the neutral band chosen in training, the training data's digest and the held-out scores.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tweetpulse.errors import ConfigError

log = logging.getLogger(__name__)

MAGIC = b"tweetpulse-model "
FORMAT_VERSION = 1
_HEADER_MAX = 1 << 20
_RETRAIN = "retrain it with 'tweetpulse train --dataset labeled.csv --out model.joblib'"


def sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


@dataclass(slots=True)
class ModelFile:
    """A trained pipeline (``predict_proba`` over ``meta["classes"]``) and its metadata."""

    pipeline: Any
    meta: dict[str, Any]


def save_model(path: str | Path, pipeline: Any, meta: dict[str, Any]) -> Path:
    """Write ``pipeline`` with a header carrying ``meta`` (plus the scikit-learn version)."""
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {**meta, "sklearn": sklearn_version()}
    line = MAGIC + f"{FORMAT_VERSION} ".encode() + json.dumps(header, sort_keys=True).encode() + b"\n"
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write(line)
        joblib.dump(pipeline, out, compress=3)
    tmp.replace(path)
    return path


def read_header(path: str | Path) -> dict[str, Any]:
    """The metadata of a model file, without unpickling anything; ConfigError if it isn't one."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            return _header(path, stream.readline(_HEADER_MAX))
    except OSError as exc:
        raise ConfigError(f"can't read model file {path}: {exc.strerror or exc}; check the path") from None


def _header(path: Path, line: bytes) -> dict[str, Any]:
    refuse = (
        f"{path} is not a model written by 'tweetpulse train' (no tweetpulse-model header), so it is not "
        "loaded: model files are pickles and loading one runs code"
    )
    if not line.startswith(MAGIC) or not line.endswith(b"\n"):
        raise ConfigError(refuse)
    version, _, rest = line[len(MAGIC) :].partition(b" ")
    if version != str(FORMAT_VERSION).encode():
        raise ConfigError(
            f"{path} is a tweetpulse model of format {version.decode(errors='replace')!r}, this "
            f"tweetpulse reads format {FORMAT_VERSION}; {_RETRAIN}"
        )
    try:
        meta = json.loads(rest)
    except ValueError:
        raise ConfigError(refuse) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("classes"), list):
        raise ConfigError(refuse)
    return meta


def load_model(path: str | Path) -> ModelFile:
    """Check the header, then unpickle the pipeline (see the module's note on trust)."""
    import joblib

    path = Path(path)
    try:
        with open(path, "rb") as stream:
            meta = _header(path, stream.readline(_HEADER_MAX))
            if meta.get("sklearn") != sklearn_version():
                raise ConfigError(
                    f"{path} was trained with scikit-learn {meta.get('sklearn')}, this is "
                    f"{sklearn_version()}; {_RETRAIN}"
                )
            pipeline = joblib.load(stream)
    except OSError as exc:
        raise ConfigError(f"can't read model file {path}: {exc.strerror or exc}; check the path") from None
    except ConfigError:
        raise
    except Exception as exc:  # unpickling a damaged file can raise almost anything (IndexError, EOFError, ...)
        raise ConfigError(f"model file {path} is damaged ({type(exc).__name__}); {_RETRAIN}") from None
    if not hasattr(pipeline, "predict_proba") or list(getattr(pipeline, "classes_", [])) != meta["classes"]:
        raise ConfigError(f"{path} does not hold the classifier its header describes; {_RETRAIN}")
    log.info("loaded model %s (trained on %s rows)", path, meta.get("rows"))
    return ModelFile(pipeline, meta)
