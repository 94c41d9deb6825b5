"""Opening a dataset file (gzip looked through) and telling its format from its first lines."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from tweetpulse.errors import DatasetError
from tweetpulse.sources.formats import FORMAT_HINT
from tweetpulse.sources.lines import BOM, STREAM_ERRORS

_GZIP_MAGIC = b"\x1f\x8b"
_DETECT_LINES = 50
_DETECT_LINE_BYTES = 1 << 20


def open_dataset(path: str | Path) -> BinaryIO | gzip.GzipFile:
    """Open a dataset file for binary line reading, un-gzipping it when it starts with the gzip magic."""
    path = Path(path)
    try:
        with open(path, "rb") as probe:
            magic = probe.read(2)
        if magic == _GZIP_MAGIC:
            return gzip.GzipFile(filename=path, mode="rb")
        return open(path, "rb", buffering=1 << 16)
    except OSError as exc:
        raise DatasetError(f"can't open dataset {path}: {exc.strerror or exc}; check the path") from None


def _json_kind(obj: dict[str, Any]) -> str | None:
    from tweetpulse.sources.live_replay import live_kind

    if (live := live_kind(obj)) is not None:
        return live
    if "data" in obj and isinstance(obj["data"], dict | list):
        return "x-v2-jsonl"
    if "id_str" in obj or ("user" in obj and ("full_text" in obj or "text" in obj or "extended_tweet" in obj)):
        return "x-v1-jsonl"
    if "id" in obj and "text" in obj:
        return "jsonl"
    return None


def _csv_kind(lines: list[bytes]) -> str | None:
    text = [line.decode("utf-8", "replace") for line in lines]
    if text:
        text[0] = text[0].removeprefix("\ufeff")
    try:
        first = next(csv.reader(text), None)
    except csv.Error:
        return None
    if not first:
        return None
    header = {name.strip().lower() for name in first}
    if {"user_name", "date", "text"} <= header:
        return "kaggle-bitcoin"
    if len(first) == 4 and (first[0].strip().isdigit() or "id" in first[0].lower()):
        return "kaggle-entity"
    return None


def _read_head(path: Path) -> list[bytes]:
    head: list[bytes] = []
    try:
        with open_dataset(path) as stream:
            for _ in range(_DETECT_LINES):
                line = stream.readline(_DETECT_LINE_BYTES)
                if not line:
                    break
                head.append(line)
    except STREAM_ERRORS as exc:
        if not head:
            raise DatasetError(f"can't read dataset {path}: {exc}; is it a valid (gzip) file?") from None
    return head


def detect_format(path: str | Path) -> str:
    """The format of a dataset file, told from its first lines (the ``.gz`` layer is looked through)."""
    path = Path(path)
    head = _read_head(path)
    lines = [line for line in head if line.strip() and line.strip() != BOM]
    if not lines:
        raise DatasetError(f"dataset {path} is empty; there is nothing to replay")
    if lines[0].removeprefix(BOM).lstrip().startswith(b"{"):
        for line in lines:
            try:
                obj = orjson.loads(line.removeprefix(BOM))
            except orjson.JSONDecodeError:
                continue
            kind = _json_kind(obj) if isinstance(obj, dict) else None
            if kind is not None:
                return kind
    else:
        kind = _csv_kind(lines)
        if kind is not None:
            return kind
    raise DatasetError(f"can't tell the format of {path.name} from its first lines; {FORMAT_HINT}")
