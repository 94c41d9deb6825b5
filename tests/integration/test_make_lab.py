"""``make lab`` starts JupyterLab, also as root (containers and cloud notebooks run as root)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import ROOT, free_port


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_make_lab_answers_http(tmp_path: Path) -> None:
    """Runs as whoever runs the tests; on this project's machines and CI that is root, the case that
    failed ('Running as root is not recommended. Use --allow-root')."""
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
    }
    log = tmp_path / "lab.log"
    with log.open("wb") as out:
        lab = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"LAB_ARGS=--port {port} --no-browser"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        status, body = 0, b""
        while time.monotonic() < deadline and lab.poll() is None:
            try:
                status, body = get(f"http://127.0.0.1:{port}/api")
                break
            except OSError:
                time.sleep(0.5)
        assert lab.poll() is None, f"make lab exited {lab.returncode}:\n{log.read_text()}"
        assert status == 200, log.read_text()
        assert "version" in json.loads(body)  # Jupyter Server's API answered
        if os.geteuid() == 0:
            assert "--allow-root" in log.read_text()
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        try:
            lab.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait(10)
