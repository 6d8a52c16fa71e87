"""The production server: gunicorn with the project's config serves and stops cleanly."""

from __future__ import annotations

import json
import urllib.request

from tests.support.server import gunicorn


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
