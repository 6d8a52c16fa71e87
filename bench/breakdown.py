"""Where one request's time goes: the hot path, profiled in-process, by layer.

    .venv/bin/python bench/breakdown.py [--project DIR] [--requests N]

Creates a PostgreSQL database of its own (BENCH_POSTGRES_URL) with BENCH_USERS
users, migrated by the project in ``--project`` (default: this checkout; point it
at a ``git worktree`` of an older commit to profile that), builds that project's
app in production, signs in as a superuser and sends it authenticated requests
through its WSGI callable (no server, no client: the numbers are the app's own).
For each scenario it prints the mean time per request without the profiler, then
the self time of every function under cProfile grouped by the library it belongs
to. cProfile inflates code that makes many small calls, so read the groups as
shares, and the unprofiled mean as the cost. docs/performance.md keeps the results.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import psycopg
from seed import seed_users

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
USERS = int(os.environ.get("BENCH_USERS", "200000"))
PASSWORD = "bench passphrase 1"
SECRET_KEY = f"profile-{uuid.uuid4().hex}-{uuid.uuid4().hex}"

# (group, substrings of a function's file, or of a built-in's name); first match wins.
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("driver and network (psycopg)", ("/psycopg/", "psycopg_binary", "psycopg_pool")),
    ("SQLAlchemy (ORM, Core, pool)", ("/sqlalchemy/", "/flask_sqlalchemy/")),
    ("marshmallow, webargs, flask-smorest", ("/marshmallow/", "/webargs/", "/flask_smorest/")),
    ("JWT (PyJWT, hmac)", ("/jwt/", "hmac", "_hashlib")),
    ("rate limits (Flask-Limiter)", ("/flask_limiter/", "/limits/")),
    ("JSON", ("orjson", "/json/", "_json")),
    ("Flask, Werkzeug", ("/flask/", "/werkzeug/", "/blinker/", "/itsdangerous/")),
    ("the app's own code", ("/app/",)),
]
OTHER = "Python built-ins and the rest"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    project: Path = args.project.resolve()

    name = f"profile_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(SERVER, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    database = SERVER.rsplit("/", 1)[0] + f"/{name}"
    try:
        prepare(project, database)
        app = build_app(project, database)
        token = sign_in(app)
        headers = {"Authorization": f"Bearer {token}"}
        cursors = [encode_cursor(random.randint(1, USERS)) for _ in range(200)]
        scenarios: dict[str, Callable[[], str]] = {
            "detail": lambda: f"/api/users/{random.randint(2, USERS + 1)}",
            "keyset": lambda: f"/api/users?per_page=20&cursor={random.choice(cursors)}",
        }
        for scenario, path in scenarios.items():
            profile(app, scenario, path, headers, args.requests)
        dispose(app)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return 0


def prepare(project: Path, database: str) -> None:
    env = {**os.environ, "DATABASE_URL": database, "APP_ENV": "development",
           "SECRET_KEY": SECRET_KEY, "SUPERUSER_PASSWORD": PASSWORD}  # fmt: skip
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["createsuperuser", "--email", "bench@example.com",
                                        "--no-input"]):  # fmt: skip
        subprocess.run([*flask, *command], cwd=project, env=env, check=True, capture_output=True)
    seed_users(database, USERS)


def build_app(project: Path, database: str) -> Any:
    os.environ.update(
        {
            "DATABASE_URL": database,
            "APP_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(project))
    os.chdir(project)
    from app import create_app

    return create_app()


def dispose(app: Any) -> None:
    from app.db import db

    with app.app_context():
        db.engine.dispose()


def sign_in(app: Any) -> str:
    body = json.dumps({"email": "bench@example.com", "password": PASSWORD})
    response = app.test_client().post("/api/auth/token", data=body, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    token: str = response.get_json()["access_token"]
    return token


def encode_cursor(after: int) -> str:
    import base64

    raw = json.dumps(["id", after, after], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def call(app: Any, path: str, headers: dict[str, str]) -> None:
    """One request through the WSGI callable, the body read to the end."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path, headers=list(headers.items())).get_environ()
    status: list[str] = []
    body = app(environ, lambda s, h, e=None: status.append(s))
    try:
        for _ in body:
            pass
    finally:
        getattr(body, "close", lambda: None)()
    assert status[0].startswith("200"), status


def profile(
    app: Any, scenario: str, path: Callable[[], str], headers: dict[str, str], requests: int
) -> None:
    for _ in range(200):  # warm up: pool, caches, compiled statements
        call(app, path(), headers)
    paths = [path() for _ in range(requests)]
    started = time.perf_counter()
    for each in paths:
        call(app, each, headers)
    mean_ms = (time.perf_counter() - started) * 1000 / requests

    profiler = cProfile.Profile()
    profiler.enable()
    for each in paths:
        call(app, each, headers)
    profiler.disable()
    groups = grouped(pstats.Stats(profiler, stream=io.StringIO()))
    total = sum(groups.values())
    print(f"\n{scenario}: {mean_ms:.2f} ms per request without the profiler ({requests} requests)")
    for group, seconds in sorted(groups.items(), key=lambda item: -item[1]):
        share = seconds / total
        print(f"  {group:<38} {share:>6.1%}  ~{share * mean_ms:.2f} ms")


def grouped(stats: pstats.Stats) -> dict[str, float]:
    """Self time per group of functions."""
    totals: dict[str, float] = {}
    entries: Iterable[tuple[tuple[str, int, str], tuple[Any, ...]]] = stats.stats.items()  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, self_time, _, _) in entries:
        where = function if filename == "~" else filename
        group = next(
            (name for name, marks in GROUPS if any(mark in where for mark in marks)), OTHER
        )
        totals[group] = totals.get(group, 0.0) + self_time
    return totals


if __name__ == "__main__":
    sys.exit(main())
