"""A real gunicorn serving the project, for tests that need a live server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def gunicorn(database_url: str, *, host: str = "127.0.0.1", **env: str) -> Iterator[Server]:
    """Start ``gunicorn -c gunicorn.conf.py wsgi:app`` on a free port of ``host``,
    wait until /health answers, and stop it with SIGTERM afterwards (output kept on
    the returned Server)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "APP_ENV": "development",
            "HOST": host,
            "PORT": str(port),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(url=f"http://127.0.0.1:{port}", process=process)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/health", timeout=2):
                    break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(
                        f"gunicorn did not start: {process.communicate(timeout=30)[1]}"
                    ) from exc
                time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        server.stdout, server.stderr = process.communicate(timeout=30)
