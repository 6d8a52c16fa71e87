"""Throughput, latency and memory of the users list, against a bare handler.

    make bench          (or: .venv/bin/python bench/run.py)

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres);
creates a database of its own, seeds it, and drops it at the end. Both servers run
under gunicorn with the project's gunicorn.conf.py (2 workers, 1 thread each) and are
loaded by the same client: keep-alive connections on loopback, a fixed number of
requests. Exits 1 if a target below is missed. Numbers vary between machines; the
targets are ratios against the bare handler on the same machine, and a memory cap.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.server import free_port  # noqa: E402

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Production with two workers needs shared rate-limit counts (gunicorn.conf.py).
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "3000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
USERS = 1000

# Targets. The app authenticates (a JWT and one indexed lookup of the user), checks
# its pooled connection, and goes through the ORM, webargs and marshmallow; the bare
# handler does none of that. Measured here (2 cores, 2 workers each, client on the
# same machine): the app serves about 0.3 of the bare handler's requests per second.
# The floor leaves room for noise but not for an N+1 query or per-request setup.
MIN_THROUGHPUT_RATIO = 0.20
MAX_P99_MS = 100.0
MAX_WORKER_RSS_MB = 150.0


def main() -> int:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(SERVER, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    database = SERVER.rsplit("/", 1)[0] + f"/{name}"
    try:
        token = prepare(database)
        app = measure(["wsgi:app"], {"DATABASE_URL": database}, "/api/users?per_page=20", token)
        bare = measure(["bench.bare:app"], {"BENCH_DSN": database}, "/users?per_page=20", None)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    ratio = app["rps"] / bare["rps"]
    report = {"app": app, "bare": bare, "throughput_ratio": round(ratio, 2)}
    print(json.dumps(report, indent=2))
    failures = []
    if ratio < MIN_THROUGHPUT_RATIO:
        failures.append(f"throughput ratio {ratio:.2f} < {MIN_THROUGHPUT_RATIO}")
    if app["p99_ms"] > MAX_P99_MS:
        failures.append(f"p99 {app['p99_ms']} ms > {MAX_P99_MS} ms")
    if app["max_worker_rss_mb"] > MAX_WORKER_RSS_MB:
        failures.append(f"worker RSS {app['max_worker_rss_mb']} MB > {MAX_WORKER_RSS_MB} MB")
    print("FAILED: " + "; ".join(failures) if failures else "All targets met.")
    return 1 if failures else 0


def prepare(database: str) -> str:
    """Migrate, seed USERS users and a superuser; return the superuser's token."""
    env = {**os.environ, "DATABASE_URL": database, "APP_ENV": "development"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    env["SUPERUSER_PASSWORD"] = "bench passphrase 1"
    subprocess.run(
        [*flask, "createsuperuser", "--email", "bench@example.com", "--no-input"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO users (email, full_name, is_active, is_staff, is_superuser, "
            "created_at, updated_at) SELECT 'user' || n || '@example.com', 'User ' || n, "
            "true, false, false, now(), now() FROM generate_series(1, %s) AS n",
            (USERS,),
        )
        connection.execute("ANALYZE users")
    with server(["wsgi:app"], {"DATABASE_URL": database}) as running:
        body = json.dumps({"email": "bench@example.com", "password": "bench passphrase 1"})
        status, payload = request(running.port, "POST", "/api/auth/token", body)
        assert status == 200, payload
        token: str = json.loads(payload)["access_token"]
    return token


class server:
    """gunicorn -c gunicorn.conf.py TARGET on a free port, as a context manager."""

    def __init__(self, target: list[str], env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *target],
            cwd=ROOT,
            env={
                **os.environ,
                **env,
                "PORT": str(self.port),
                "GUNICORN_WORKERS": "2",
                "GUNICORN_THREADS": "1",
                "APP_ENV": "production",
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
                "RATELIMIT_STORAGE_URI": REDIS,
                "RATELIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex}",
                "LOG_LEVEL": "warning",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> server:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                request(self.port, "GET", "/", None)  # any answer means it is up
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def worker_rss_mb(self) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return round(max(sizes), 1)


def request(
    port: int, method: str, path: str, body: str | None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def measure(target: list[str], env: dict[str, str], path: str, token: str | None) -> dict[str, Any]:
    """Send REQUESTS GETs of ``path`` from CONCURRENCY keep-alive connections."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with server(target, env) as running:
        port = running.port
        latencies: list[float] = []
        lock = threading.Lock()
        per_client = REQUESTS // CONCURRENCY

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine = []
            for _ in range(per_client):
                start = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                assert response.status == 200, response.status
                mine.append(time.perf_counter() - start)
            connection.close()
            with lock:
                latencies.extend(mine)

        for _ in range(50):  # warm up both workers
            request(port, "GET", path, None, headers)
        threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        rss = running.worker_rss_mb()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "max_worker_rss_mb": rss,
    }


if __name__ == "__main__":
    sys.exit(main())
