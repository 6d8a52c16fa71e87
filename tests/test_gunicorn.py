"""The production server: gunicorn with the project's config serves and stops cleanly."""

from __future__ import annotations

import json
import runpy
import urllib.request
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
