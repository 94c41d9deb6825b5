"""Keeping what a live source received, one raw message per line, so it can be replayed later."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import BinaryIO

import orjson

from tweetpulse.secrets import redact_bytes


class Recorder:
    """Appends raw JSON messages to a JSONL file (thread-safe, flushed per line).

    A message that spans lines is re-encoded on one line (when it parses) or has its line breaks
    replaced by spaces, so the file keeps one message per line. A new file is created 0600, and
    registered secrets are masked in what is written (:mod:`tweetpulse.secrets`).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # raw API lines may quote what the request carried: the file is the user's alone (0600)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._file: BinaryIO | None = os.fdopen(fd, "ab")
        self._lock = threading.Lock()
        self.lines = 0

    def write(self, raw: bytes) -> None:
        line = redact_bytes(raw.strip(b"\r\n"))
        if b"\n" in line or b"\r" in line:
            try:
                line = orjson.dumps(orjson.loads(line))
            except orjson.JSONDecodeError:
                line = line.replace(b"\r", b" ").replace(b"\n", b" ")
        with self._lock:
            if self._file is None:
                return
            self._file.write(line + b"\n")
            self._file.flush()
            self.lines += 1

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
