"""The production server: gunicorn with the project's config serves and stops cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import runpy
import socket
import urllib.request
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from flask import Flask

from tests.support.server import ROOT, gunicorn


def _get(url: str) -> tuple[int, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_gunicorn_serves_with_two_workers_and_stops_on_sigterm(database_url: str) -> None:
    with gunicorn(database_url, GUNICORN_WORKERS="2") as server:
        assert _get(f"{server.url}/health") == (200, {"status": "ok"})
        assert _get(f"{server.url}/health/ready")[0] == 200
        assert _get(f"{server.url}/openapi.json")[0] == 200

    assert server.process.returncode == 0, server.stderr
    assert server.stderr.count("Booting worker") == 2
    assert "Shutting down: Master" in server.stderr
    assert 'GET /health HTTP/1.1" 200' in server.stdout


def test_each_worker_computes_the_dummy_hash_before_its_first_request(app: Flask) -> None:
    """gunicorn.conf.py's post_worker_init hook, called as gunicorn calls it."""
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    passwords = app.extensions["auth"].passwords
    assert passwords._dummy_hash is None

    hooks["post_worker_init"](SimpleNamespace(wsgi=app))

    assert passwords._dummy_hash is not None
    assert passwords._dummy_hash.startswith("$argon2id$")


def _socket_owner(workers: list[int], server_port: int, client_port: int) -> int | None:
    """The worker process holding the server side of the connection from ``client_port``."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
            if int(local, 16) == server_port and int(remote, 16) == client_port:
                inode = fields[9]
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
    return None


def test_connections_spread_across_the_workers(database_url: str) -> None:
    """Each worker has a socket of its own (reuse_port) and the kernel spreads the
    connections, so long-lived connections opened at once do not all land on one
    worker (on a shared socket they did: half the throughput, docs/performance.md)."""
    with gunicorn(database_url, GUNICORN_WORKERS="2", GUNICORN_THREADS="2") as server:
        port = int(server.url.rsplit(":", 1)[1])
        master = server.process.pid
        workers = [
            int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()
        ]
        clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(16)]
        try:
            for client in clients:
                client.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            for client in clients:
                assert client.recv(4096).startswith(b"HTTP/1.1 200")
            owners = Counter(
                _socket_owner(workers, port, client.getsockname()[1]) for client in clients
            )
        finally:
            for client in clients:
                client.close()

    # Spread by a hash of each connection's addresses: all 16 on one of two
    # workers has a chance of 1 in 32,768.
    assert set(owners) == set(workers), owners
