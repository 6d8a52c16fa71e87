"""The hot path, measured: the app against bare Flask + psycopg handlers doing the
same work, in one interleaved run.

    make bench          (or: .venv/bin/python bench/run.py)

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres),
Redis (BENCH_REDIS_URL: production with two workers shares its rate-limit counts)
and wrk (Debian's package; `make bench` installs it when missing). It copies the
project to a temporary directory and adds a resource there with `flask scaffold`
(the checkout is left untouched), creates a database of its own with BENCH_USERS
users (200,000) and as many scaffolded rows, serves the copy and bench/bare.py
with the project's gunicorn.conf.py (2 workers each, production), and loads each
with wrk (16 connections) for every scenario, three rounds interleaved; each
target is judged on the median of the rounds. It prints the table and exits 1 if
a target is missed. Targets are ratios against the bare handlers measured in the
same run, so they hold on any machine; the latest results are in
docs/performance.md. It drops its database and deletes its Redis keys at the end.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from seed import seed_users

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.scaffold import existing_models  # noqa: E402
from tests.support.project import copy_project  # noqa: E402
from tests.support.redis_keys import delete_keys  # noqa: E402
from tests.support.server import free_port  # noqa: E402

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
USERS = int(os.environ.get("BENCH_USERS", "200000"))
DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 16
# BENCH_ONLY=detail,keyset: measure only these scenarios (for a quick look; the
# targets of the others are then not judged).
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
SECRET_KEY = f"bench-{uuid.uuid4().hex}-{uuid.uuid4().hex}"
PASSWORD = "bench passphrase 1"
KEY_PREFIX = f"bench-{uuid.uuid4().hex}"
# The scaffolded resource (a free name: the project may have a widget of its own).
RESOURCE = next(
    name
    for name in ("bench_widget", "bench_gadget", "bench_gizmo", "bench_doohickey")
    if name not in existing_models() and f"{name}s" not in existing_models()
)
URL = f"/api/{RESOURCE.replace('_', '-')}s"
FIELDS = ("name:str", "price:decimal", "in_stock:bool", "released:date")

# Targets (issue 11): the authenticated app against the bare handler doing the
# same work, including the JWT and the sign-in query.
MIN_RATIO = {"detail": 0.6, "keyset": 0.6, "offset": 0.8, "scaffold-detail": 0.6,
             "scaffold-keyset": 0.6}  # fmt: skip
MAX_DEPTH_COST = 1.2  # a keyset page at depth 150,000 against page 1
MAX_P99_FACTOR = 3.0  # the app's p99 against the bare handler's
MAX_WORKER_RSS_MB = 120.0


@dataclass
class Scenario:
    name: str
    method: str
    app_path: str  # with {id}, {cursor} or {page}
    bare_path: str
    body: str | None = None


KEYSET = "?per_page=20&cursor={cursor}"
OFFSET = "?per_page=20&page={page}"
SCENARIOS = [
    Scenario("detail", "GET", "/api/users/{id}", "/users/{id}"),
    Scenario("keyset", "GET", f"/api/users{KEYSET}", f"/users{KEYSET}"),
    Scenario("offset", "GET", f"/api/users{OFFSET}", f"/users{OFFSET}"),
    Scenario("write", "PATCH", "/api/users/{id}", "/users/{id}", '{"full_name": "Bench"}'),
    Scenario("scaffold-detail", "GET", URL + "/{id}", "/resource/{id}"),
    Scenario("scaffold-keyset", "GET", URL + KEYSET, f"/resource{KEYSET}"),
]


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float


@dataclass
class Measured:
    runs: dict[str, list[Result]] = field(default_factory=dict)

    def add(self, key: str, result: Result) -> None:
        self.runs.setdefault(key, []).append(result)

    def median(self, key: str) -> Result:
        results = self.runs[key]
        return Result(
            rps=round(statistics.median(r.rps for r in results), 1),
            p50_ms=round(statistics.median(r.p50_ms for r in results), 2),
            p99_ms=round(statistics.median(r.p99_ms for r in results), 2),
        )


def main() -> int:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(SERVER, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    database = SERVER.rsplit("/", 1)[0] + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as directory:
            project = scaffold_copy(Path(directory) / "project", database)
            prepare(project, database)
            app_env = {"DATABASE_URL": database}
            bare_env = {"BENCH_DSN": database, "BENCH_RESOURCE_TABLE": f"{RESOURCE}s"}
            with (
                server(["wsgi:app"], app_env, project) as app,
                server(["bench.bare:app"], bare_env, ROOT) as bare,
            ):
                token = sign_in(app.port)
                measured, depth = run(app.port, bare.port, token)
                rss = app.worker_rss_mb()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        delete_redis_keys()
    return report(measured, depth, rss)


def run(app_port: int, bare_port: int, token: str) -> tuple[Measured, list[float]]:
    cursors = [encode_cursor(random.randint(1, USERS)) for _ in range(500)]
    auth = {"Authorization": f"Bearer {token}"}
    measured = Measured()
    depth_costs = []
    for round_ in range(ROUNDS):
        print(f"round {round_ + 1} of {ROUNDS}", file=sys.stderr)
        for scenario in SCENARIOS:
            if ONLY and scenario.name not in ONLY:
                continue
            targets = [
                ("app", app_port, scenario.app_path, auth),
                ("auth", bare_port, "/auth" + scenario.bare_path, auth),
                ("noauth", bare_port, "/noauth" + scenario.bare_path, {}),
            ]
            for label, port, path, headers in targets:
                script = lua(scenario.method, path, headers, scenario.body, cursors)
                measured.add(f"{scenario.name}/{label}", wrk(port, script))
        first = wrk(app_port, lua("GET", "/api/users?per_page=20&cursor=", auth, None, cursors))
        deep = lua("GET", f"/api/users?per_page=20&cursor={encode_cursor(150_000)}", auth, None, [])
        depth_costs.append(first.rps / wrk(app_port, deep).rps)
    return measured, depth_costs


def report(measured: Measured, depth_costs: list[float], rss: float) -> int:
    failures = []
    print(f"\n{'endpoint':<15} {'app req/s':>10} {'p50':>7} {'p99':>7} | {'bare+auth':>10} "
          f"{'p99':>7} | {'bare':>8} | {'ratio':>6} {'target':>7} {'no-auth':>7}")  # fmt: skip
    for scenario in SCENARIOS:
        if ONLY and scenario.name not in ONLY:
            continue
        app = measured.median(f"{scenario.name}/app")
        auth = measured.median(f"{scenario.name}/auth")
        noauth = measured.median(f"{scenario.name}/noauth")
        pairs = zip(
            measured.runs[f"{scenario.name}/app"],
            measured.runs[f"{scenario.name}/auth"],
            strict=True,
        )
        ratio = statistics.median(a.rps / b.rps for a, b in pairs)
        target = MIN_RATIO.get(scenario.name)
        print(
            f"{scenario.name:<15} {app.rps:>10} {app.p50_ms:>6}ms {app.p99_ms:>6}ms | "
            f"{auth.rps:>10} {auth.p99_ms:>6}ms | {noauth.rps:>8} | {ratio:>6.2f} "
            f"{'>= ' + str(target) if target else '-':>7} {app.rps / noauth.rps:>7.2f}"
        )
        if target is not None and ratio < target:
            failures.append(f"{scenario.name}: ratio {ratio:.2f} < {target}")
        if target is not None and app.p99_ms > MAX_P99_FACTOR * auth.p99_ms:
            failures.append(
                f"{scenario.name}: p99 {app.p99_ms} ms > {MAX_P99_FACTOR} x {auth.p99_ms} ms"
            )
    depth = statistics.median(depth_costs)
    print(f"\nkeyset page at depth 150,000 costs {depth:.2f} x page 1 (at most {MAX_DEPTH_COST})")
    print(f"app worker RSS: {rss} MB (at most {MAX_WORKER_RSS_MB})")
    if depth > MAX_DEPTH_COST:
        failures.append(f"depth cost {depth:.2f} > {MAX_DEPTH_COST}")
    if rss > MAX_WORKER_RSS_MB:
        failures.append(f"worker RSS {rss} MB > {MAX_WORKER_RSS_MB} MB")
    print("\nFAILED: " + "; ".join(failures) if failures else "\nAll targets met.")
    return 1 if failures else 0


def flask(project: Path, database: str, *args: str) -> None:
    """``flask ARGS`` in ``project`` against ``database``; fails loudly."""
    env = {**os.environ, "DATABASE_URL": database, "APP_ENV": "development",
           "SECRET_KEY": SECRET_KEY, "SUPERUSER_PASSWORD": PASSWORD}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)}:\n{result.stdout}\n{result.stderr}")


def scaffold_copy(project: Path, database: str) -> Path:
    """A copy of the project with a scaffolded resource and its migration."""
    copy_project(project)
    shutil.copy(ROOT / "gunicorn.conf.py", project / "gunicorn.conf.py")
    flask(project, database, "db", "upgrade")
    flask(project, database, "scaffold", RESOURCE, *FIELDS)
    flask(project, database, "db", "migrate", "-m", f"create {RESOURCE}s table")
    return project


def prepare(project: Path, database: str) -> None:
    """Migrate; seed a superuser, USERS users (ids 2 to USERS + 1) and USERS
    scaffolded rows (ids 1 to USERS)."""
    flask(project, database, "db", "upgrade")
    flask(project, database, "createsuperuser", "--email", "bench@example.com", "--no-input")
    seed_users(database, USERS)
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            f"INSERT INTO {RESOURCE}s (name, price, in_stock, released, created_at, updated_at) "
            "SELECT 'Widget ' || n, (n %% 10000) / 100.0, n %% 2 = 0, "
            "DATE '2020-01-01' + n %% 2000, now(), now() FROM generate_series(1, %s) AS n",
            (USERS,),
        )
        connection.execute(f"VACUUM ANALYZE {RESOURCE}s")


def delete_redis_keys() -> None:
    """The rate-limit counts both servers wrote under this run's prefix."""
    delete_keys(REDIS, KEY_PREFIX)


def sign_in(port: int) -> str:
    body = json.dumps({"email": "bench@example.com", "password": PASSWORD})
    status, payload = request(port, "POST", "/api/auth/token", body)
    assert status == 200, payload
    token: str = json.loads(payload)["access_token"]
    return token


def encode_cursor(after: int) -> str:
    raw = json.dumps(["id", after, after], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def lua(
    method: str, path: str, headers: dict[str, str], body: str | None, cursors: list[str]
) -> str:
    """A wrk script: each request picks a random id (2 to USERS + 1), cursor or page."""
    return f"""
math.randomseed({random.randint(1, 2**31)})
local cursors = {{{", ".join(json.dumps(c) for c in cursors)}}}
wrk.method = {json.dumps(method)}
wrk.headers["Content-Type"] = "application/json"
{"".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" + chr(10) for k, v in headers.items())}
{f"wrk.body = {json.dumps(body)}" if body else ""}
request = function()
  local path = {json.dumps(path)}
  path = path:gsub("{{id}}", tostring(math.random(2, {USERS})))
  if #cursors > 0 then path = path:gsub("{{cursor}}", cursors[math.random(#cursors)]) end
  path = path:gsub("{{page}}", tostring(math.random(1, 100)))
  return wrk.format(nil, path)
end
"""


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(port: int, script: str) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        output = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", "-s", file.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failures:\n{output}")

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.M)
        assert match is not None, output
        return round(float(match.group(1)) * UNITS[match.group(2)], 2)

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, flags=re.M)
    assert rps is not None, output
    return Result(rps=float(rps.group(1)), p50_ms=latency("50"), p99_ms=latency("99"))


class server:
    """gunicorn -c gunicorn.conf.py TARGET on a free port, in production, as a context manager."""

    def __init__(self, target: list[str], env: dict[str, str], cwd: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *target],
            cwd=cwd,
            env={
                **os.environ,
                **env,
                "PORT": str(self.port),
                "GUNICORN_WORKERS": "2",
                "APP_ENV": "production",
                "SECRET_KEY": SECRET_KEY,
                "RATELIMIT_STORAGE_URI": REDIS,
                "RATELIMIT_KEY_PREFIX": KEY_PREFIX,
                "LOG_LEVEL": "warning",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self) -> server:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                request(self.port, "GET", "/health", None)  # any answer means it is up
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


if __name__ == "__main__":
    sys.exit(main())
