"""The production server: gunicorn with the project's config serves and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_gunicorn_serves_with_two_workers_and_stops_on_sigterm(database_url: str) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "APP_ENV": "development",
        "PORT": str(port),
        "GUNICORN_WORKERS": "2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[1]
                assert time.monotonic() < deadline, "gunicorn did not start in time"
                time.sleep(0.1)
        assert (status, body) == (200, {"status": "ok"})
        assert _get(f"http://127.0.0.1:{port}/health/ready")[0] == 200
        assert _get(f"http://127.0.0.1:{port}/openapi.json")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=30)

    assert server.returncode == 0, stderr
    assert stderr.count("Booting worker") == 2
    assert "Shutting down: Master" in stderr
    assert 'GET /health HTTP/1.1" 200' in stdout
