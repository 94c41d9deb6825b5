"""The file ``tweetpulse train`` writes: a header line, then the pipeline in skops format.

A model is the kind of file people share, so loading one must never run code from it. Pickles
(and joblib files, which are pickles) run code when loaded, so they are refused outright, by
their content whatever their name, with one line saying how to retrain. The pipeline is stored
with ``skops.io`` instead: a zip of a JSON schema and ``.npy`` arrays (read without pickle). Before
skops rebuilds anything, :func:`check_types` walks the schema and refuses every type that is not
exactly one of :data:`TRUSTED` (the scikit-learn, numpy and builtin types of the pipeline
:func:`tweetpulse.workbook.training.build_pipeline` makes, and tweetpulse's two text preprocessors); skops
then audits the same list again. skops' own default list trusts every scikit-learn estimator; ours
trusts only those the trained pipeline uses. Sizes are bounded before anything is decompressed.

Header: ``tweetpulse-model <format version> <JSON metadata>\\n``; the metadata holds the
scikit-learn version, the class order, the neutral band and settings chosen in training, the
training data's digest and the cross-validated scores. Format 1 (a joblib pickle after the
header) is refused.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tweetpulse.errors import ConfigError

log = logging.getLogger(__name__)

MAGIC = b"tweetpulse-model "
FORMAT_VERSION = 2
PICKLED_FORMATS = (1,)  # header + joblib pickle: never loaded
_HEADER_MAX = 1 << 20
MAX_FILE_BYTES = 256 << 20  # the file on disk
MAX_UNPACKED_BYTES = 512 << 20  # every member of the zip, decompressed
MAX_MEMBERS = 256
MAX_SCHEMA_NODES = 2_000_000
RETRAIN = "retrain it with 'tweetpulse train --dataset labeled.csv --out model.skops'"

# Exactly what a trained pipeline is made of: (module, type name, skops loader).
_JSON = "JsonNode"
TRUSTED: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("sklearn.pipeline", "Pipeline", "ObjectNode"),
        ("sklearn.pipeline", "FeatureUnion", "ObjectNode"),
        ("sklearn.feature_extraction.text", "TfidfVectorizer", "ObjectNode"),
        ("sklearn.feature_extraction.text", "TfidfTransformer", "ObjectNode"),
        ("sklearn.linear_model._logistic", "LogisticRegression", "ObjectNode"),
        ("tweetpulse.scorers.features", "tweet_words", "FunctionNode"),
        ("tweetpulse.scorers.features", "tweet_chars", "FunctionNode"),
        ("numpy", "ndarray", "NdArrayNode"),
        ("numpy", "float64", "TypeNode"),
        ("numpy", "int64", "TypeNode"),
        ("builtins", "str", "TypeNode"),
        ("builtins", "dict", "DictNode"),
        ("builtins", "list", "ListNode"),
        ("builtins", "tuple", "TupleNode"),
        ("builtins", "str", _JSON),
        ("builtins", "int", _JSON),
        ("builtins", "float", _JSON),
        ("builtins", "bool", _JSON),
        ("builtins", "NoneType", _JSON),
    }
)
# The names skops checks (its own audit, after ours).
_SKOPS_TRUSTED = sorted({f"{module}.{name}" for module, name, _ in TRUSTED})

# First bytes of a pickle (protocol 2+) and of joblib's compressed pickles.
_PICKLE_SIGNS = (
    b"\x80\x02",
    b"\x80\x03",
    b"\x80\x04",
    b"\x80\x05",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"\x5d\x00\x00",
    b"ZF",
)
_ZLIB_SECOND = (0x01, 0x5E, 0x9C, 0xDA)


def sklearn_version() -> str:
    """The installed scikit-learn's version, from its package metadata: checking a model file (the CLI
    does before any worker starts) then costs no import of scikit-learn, which takes a second or more."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scikit-learn")
    except PackageNotFoundError:  # not installed as a distribution (a source tree on the path)
        import sklearn

        return str(sklearn.__version__)


@dataclass(slots=True)
class ModelFile:
    """A trained pipeline (``predict_proba`` over ``meta["classes"]``) and its metadata."""

    pipeline: Any
    meta: dict[str, Any]


def save_model(path: str | Path, pipeline: Any, meta: dict[str, Any]) -> Path:
    """Write ``pipeline`` (skops format) after a header carrying ``meta`` and the scikit-learn version."""
    import skops.io

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {**meta, "sklearn": sklearn_version()}
    line = MAGIC + f"{FORMAT_VERSION} ".encode() + json.dumps(header, sort_keys=True).encode() + b"\n"
    payload = skops.io.dumps(pipeline)
    check_types(path, payload)  # never write a file this tweetpulse would refuse to load
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(line + payload)
    tmp.replace(path)
    return path


def looks_pickled(data: bytes) -> bool:
    """Whether ``data`` starts like a pickle or a joblib file (compressed or not)."""
    if len(data) > 1 and data[0] == 0x78 and data[1] in _ZLIB_SECOND:  # zlib, joblib's default compression
        return True
    return data.startswith(_PICKLE_SIGNS)


def _refusal(path: Path, data: bytes) -> str:
    if looks_pickled(data):
        return f"{path} is a pickle/joblib file, which tweetpulse never loads (loading a pickle runs code); {RETRAIN}"
    return f"{path} is not a model written by 'tweetpulse train'; {RETRAIN}"


def read_header(path: str | Path) -> dict[str, Any]:
    """The metadata of a model file, without loading the model; ConfigError if it isn't one."""
    path = Path(path)
    try:
        with open(path, "rb") as stream:
            line = stream.readline(_HEADER_MAX)
    except OSError as exc:
        raise ConfigError(f"can't read model file {path}: {exc.strerror or exc}; check the path") from None
    return _header(path, line)


def _header(path: Path, line: bytes) -> dict[str, Any]:
    if not line.startswith(MAGIC) or not line.endswith(b"\n"):
        raise ConfigError(_refusal(path, line))
    version, _, rest = line[len(MAGIC) :].partition(b" ")
    if version in {str(v).encode() for v in PICKLED_FORMATS}:
        raise ConfigError(
            f"{path} is an old tweetpulse model stored as a pickle, which is never loaded (loading a pickle "
            f"runs code); {RETRAIN}"
        )
    if version != str(FORMAT_VERSION).encode():
        raise ConfigError(
            f"{path} is a tweetpulse model of format {version.decode(errors='replace')!r}, this "
            f"tweetpulse reads format {FORMAT_VERSION}; {RETRAIN}"
        )
    try:
        meta = json.loads(rest)
    except (ValueError, RecursionError):
        raise ConfigError(f"{path} has a damaged header; {RETRAIN}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("classes"), list):
        raise ConfigError(f"{path} has a damaged header; {RETRAIN}")
    return meta


def _schema(path: Path, payload: bytes) -> Any:
    """The skops schema of ``payload``, after bounding the zip's size and member count."""
    damaged = f"model file {path} is damaged (not a skops archive); {RETRAIN}"
    if looks_pickled(payload):
        raise ConfigError(_refusal(path, payload))
    if not payload.startswith(b"PK\x03\x04"):
        raise ConfigError(damaged)
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ConfigError(f"model file {path} unpacks to more than a model needs, so it is refused; {RETRAIN}")
        return json.loads(archive.read("schema.json"))
    except ConfigError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, RecursionError, EOFError, OSError):
        raise ConfigError(damaged) from None


def check_types(path: Path, payload: bytes) -> None:
    """Refuse a skops payload holding any type that is not exactly one of :data:`TRUSTED`."""
    pending = [_schema(path, payload)]
    seen = 0
    while pending:
        node = pending.pop()
        seen += 1
        if seen > MAX_SCHEMA_NODES:
            raise ConfigError(f"model file {path} is larger than a model needs, so it is refused; {RETRAIN}")
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            if "__loader__" in node or "__class__" in node:
                kind = (str(node.get("__module__")), str(node.get("__class__")), str(node.get("__loader__")))
                if kind not in TRUSTED:
                    raise ConfigError(
                        f"model file {path} holds a {kind[0]}.{kind[1]} ({kind[2]}), which a tweetpulse model "
                        f"never does, so it is refused; {RETRAIN}"
                    )
            pending.extend(node.values())


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"can't read model file {path}: {exc.strerror or exc}; check the path") from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"model file {path} is over {MAX_FILE_BYTES >> 20} MiB, more than a model needs; {RETRAIN}")
    return data


def _checked(path: Path) -> tuple[dict[str, Any], bytes]:
    """The header's metadata and the skops payload, once the header, version and types passed."""
    data = _read(path)
    line_end = data.find(b"\n", 0, _HEADER_MAX)
    meta = _header(path, data[: line_end + 1] if line_end >= 0 else data[:_HEADER_MAX])
    if meta.get("sklearn") != sklearn_version():
        raise ConfigError(
            f"{path} was trained with scikit-learn {meta.get('sklearn')}, this is {sklearn_version()}; {RETRAIN}"
        )
    payload = data[line_end + 1 :]
    check_types(path, payload)
    return meta, payload


def check_file(path: str | Path) -> dict[str, Any]:
    """Everything :func:`load_model` checks before it builds the pipeline (nothing is built); the metadata."""
    return _checked(Path(path))[0]


def load_model(path: str | Path) -> ModelFile:
    """Check the header and every type in the file, then let skops rebuild the pipeline."""
    import skops.io

    path = Path(path)
    meta, payload = _checked(path)
    try:
        pipeline = skops.io.loads(payload, trusted=_SKOPS_TRUSTED)
    except Exception as exc:  # a damaged archive can raise almost anything (KeyError, ValueError, ...)
        raise ConfigError(f"model file {path} is damaged ({type(exc).__name__}); {RETRAIN}") from None
    if not hasattr(pipeline, "predict_proba") or list(getattr(pipeline, "classes_", [])) != meta["classes"]:
        raise ConfigError(f"{path} does not hold the classifier its header describes; {RETRAIN}")
    log.info("loaded model %s (trained on %s rows)", path, meta.get("rows"))
    return ModelFile(pipeline, meta)
