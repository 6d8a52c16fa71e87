"""Requests only a real server sees, sent over raw sockets to a live gunicorn.

The Flask test client cannot send a malformed chunked body, a request line longer
than gunicorn reads, or a Host header of the attacker's choosing; these tests do,
against gunicorn with the project's own config, on a database of their own (on
PostgreSQL when the run uses it). Every answer is a problem+json, never a 500,
never an HTML page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from app import create_app
from app.api.listing import MAX_REQUEST_LINE
from tests.factories import add_user
from tests.support.databases import app_config, dispose_engines, run_migrations, temporary_database
from tests.support.raw_http import RawResponse, chunked, exchange, request_bytes
from tests.support.server import ROOT, Server, gunicorn

PROBLEM = "application/problem+json"
HUGE_NUMBER = b"9" * 4301  # beyond Python's 4,300-digit int conversion limit


@pytest.fixture(scope="module")
def live_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this module's servers, with a superuser."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    with temporary_database(server_url, tmp_path_factory.mktemp("live")) as url:
        run_migrations(url)
        app = create_app(app_config(url))
        try:
            add_user(app, email="live-admin@example.com", is_staff=True, is_superuser=True)
        finally:
            dispose_engines(app)
        yield url


@pytest.fixture(scope="module", params=["gthread", "sync"])
def server(request: pytest.FixtureRequest, live_database: str) -> Iterator[Server]:
    """gunicorn with the project's config: the default gthread worker, and sync."""
    threads = "2" if request.param == "gthread" else "1"
    with gunicorn(live_database, GUNICORN_THREADS=threads, GUNICORN_WORKERS="1") as live:
        yield live


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    body = json.dumps({"email": "live-admin@example.com", "password": "correct horse battery"})
    response = exchange(server.url, _json_request("POST", "/api/auth/token", body.encode()))
    assert response.status == 200, response.body
    access: str = response.json()["access_token"]
    return access


def _json_request(method: str, target: str, body: bytes, **headers: str) -> bytes:
    return request_bytes(
        method, target, body=body, headers={"Content-Type": "application/json", **headers}
    )


def _assert_problem(response: RawResponse, status: int) -> dict[str, Any]:
    assert response.status == status, (response.status, response.body[:300])
    assert response.media_type == PROBLEM, response.headers
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    return problem


# -- bodies the app reads --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("POST", "/api/auth/token", b'{"email": %s, "password": "x"}'),
        ("POST", "/api/users", b'{"email": "a@example.com", "password": %s}'),
        ("PATCH", "/api/auth/me", b'{"full_name": %s}'),
    ],
)
def test_a_number_beyond_pythons_digit_limit_is_400(
    server: Server, token: str, method: str, path: str, template: bytes
) -> None:
    body = template % HUGE_NUMBER
    response = exchange(
        server.url, _json_request(method, path, body, Authorization=f"Bearer {token}")
    )

    problem = _assert_problem(response, 400)
    assert "digits" in problem["detail"]


MALFORMED_CHUNKS = {
    "an invalid chunk size": [b"ZZ\r\n{}\r\n", b"0\r\n\r\n"],
    "a missing chunk terminator": [b"2\r\n{}XX", b"0\r\n\r\n"],
    "a negative chunk size": [b"-2\r\n{}\r\n", b"0\r\n\r\n"],
}


@pytest.mark.parametrize("case", list(MALFORMED_CHUNKS))
@pytest.mark.parametrize("path", ["/api/auth/token", "/api/users"])
def test_a_malformed_chunked_body_is_400(server: Server, path: str, case: str) -> None:
    request = request_bytes(
        "POST", path, headers={"Content-Type": "application/json"}, chunks=MALFORMED_CHUNKS[case]
    )

    response = exchange(server.url, request)

    _assert_problem(response, 400)


def test_a_chunked_body_over_the_limit_is_413(server: Server) -> None:
    body = json.dumps({"email": "a" * 2_000_000, "password": "x"}).encode()
    request = request_bytes(
        "POST",
        "/api/auth/token",
        headers={"Content-Type": "application/json"},
        chunks=chunked(body),
    )

    _assert_problem(exchange(server.url, request), 413)


def test_a_well_formed_chunked_body_is_read(server: Server) -> None:
    body = json.dumps({"email": "live-admin@example.com", "password": "wrong password"})
    request = request_bytes(
        "POST",
        "/api/auth/token",
        headers={"Content-Type": "application/json"},
        chunks=chunked(body.encode(), size=7),
    )

    _assert_problem(exchange(server.url, request), 401)


def test_a_body_shorter_than_its_content_length_is_400(server: Server) -> None:
    body = b'{"email": "a@example.com", "password": "x"}'
    request = request_bytes(
        "POST", "/api/auth/token", headers={"Content-Type": "application/json"}, body=body
    ).replace(b"Content-Length: %d" % len(body), b"Content-Length: %d" % (len(body) + 50))

    response = exchange(server.url, request, half_close=True)

    assert "shorter than its Content-Length" in _assert_problem(response, 400)["detail"]


def test_a_compressed_body_is_415(server: Server) -> None:
    body = b'{"email": "a@example.com", "password": "x"}'
    request = request_bytes(
        "POST",
        "/api/auth/token",
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        body=body,
    )

    _assert_problem(exchange(server.url, request), 415)


def test_a_transfer_coding_the_server_does_not_decode_is_501(server: Server) -> None:
    body = b'{"email": "a@example.com", "password": "x"}'
    request = request_bytes(
        "POST",
        "/api/auth/token",
        headers={"Content-Type": "application/json"},
        chunks=chunked(body),
    ).replace(b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip, chunked")

    _assert_problem(exchange(server.url, request), 501)


@pytest.mark.parametrize("query", ["q=%ff", "q=%C0%80", "q=%", "q=%g1", "%ff=1"])
def test_a_query_string_that_is_not_percent_encoded_utf8_is_400(
    server: Server, token: str, query: str
) -> None:
    request = request_bytes(
        "GET", f"/api/users?{query}", headers={"Authorization": f"Bearer {token}"}
    )

    _assert_problem(exchange(server.url, request), 400)


def test_a_script_name_that_is_not_a_prefix_is_400(server: Server) -> None:
    """From a trusted peer (127.0.0.1), gunicorn reads SCRIPT_NAME from a header."""
    request = request_bytes("GET", "/health", headers={"SCRIPT_NAME": "/nope"})

    _assert_problem(exchange(server.url, request), 400)


# -- what the router and Flask answer ---------------------------------------------


def test_options_is_204_with_allow_and_no_media_type(server: Server) -> None:
    response = exchange(server.url, request_bytes("OPTIONS", "/api/users"))

    assert response.status == 204
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "content-type" not in response.headers
    assert response.body == b""


def test_a_canonical_url_redirect_never_names_the_clients_host(server: Server) -> None:
    request = request_bytes("GET", "/api//users?per_page=5").replace(
        b"Host: 127.0.0.1", b"Host: evil.example"
    )

    response = exchange(server.url, request)

    assert response.status == 308
    assert response.headers["location"] == "/api/users?per_page=5"


# -- what gunicorn answers before the app ------------------------------------------


@pytest.mark.parametrize(
    ("name", "request_", "status"),
    [
        ("a request line too long", request_bytes("GET", "/api/users?q=" + "a" * 9000), 414),
        (
            "a header too large",
            request_bytes("GET", "/health", headers={"X-Big": "a" * 9000}),
            431,
        ),
        (
            "too many headers",
            request_bytes("GET", "/health", headers={f"X-{i}": "1" for i in range(120)}),
            431,
        ),
        ("a malformed request line", b"GARBAGE\r\n\r\n", 400),
        ("an invalid method", b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ],
)
def test_gunicorns_own_refusals_are_problems_too(
    server: Server, name: str, request_: bytes, status: int
) -> None:
    problem = _assert_problem(exchange(server.url, request_), status)

    assert "aaaa" not in json.dumps(problem)  # nothing of the request is echoed


# -- every valid URL fits ----------------------------------------------------------


def _longest_value(schema: dict[str, Any]) -> str:
    """The longest text a schema-valid value of ``schema`` can take in a URL."""
    if "enum" in schema:
        return max((quote(str(choice), safe="") for choice in schema["enum"]), key=len)
    kind = schema.get("type")
    if kind == "boolean":
        return "false"
    if kind == "integer":
        bounds = [schema.get("minimum", -(2**63)), schema.get("maximum", 2**63 - 1)]
        return max((str(bound) for bound in bounds), key=len)
    if kind == "number":
        bounds = [schema.get("minimum", 0), schema.get("maximum", 0)]
        longest = max((repr(float(bound)) for bound in bounds), key=len)
        return quote(max(longest, "-2.2250738585072014e-308", key=len), safe="")
    assert kind == "string", schema
    assert "maxLength" in schema, f"a string parameter without maxLength: {schema}"
    if schema.get("pattern") == "^[A-Za-z0-9_-]*$":
        return "A" * schema["maxLength"]
    if "format" in schema:  # date, date-time: ASCII, each character encoded at worst
        return "%3A" * schema["maxLength"]
    return quote("\N{GRINNING FACE}", safe="") * schema["maxLength"]


def _list_operations(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (path, item["get"]["parameters"])
        for path, item in document["paths"].items()
        if "get" in item
        and "{" not in path
        and any(p["name"] == "per_page" for p in item["get"].get("parameters", []))
    ]


def test_the_longest_valid_url_of_every_list_fits_the_request_line(
    server: Server, token: str
) -> None:
    document = exchange(server.url, request_bytes("GET", "/openapi.json")).json()
    lists = _list_operations(document)
    assert lists, "no list operation found"

    for path, parameters in lists:
        query = "&".join(f"{p['name']}={_longest_value(p['schema'])}" for p in parameters)
        target = f"{path}?{query}"
        assert len(f"GET {target} HTTP/1.1") <= MAX_REQUEST_LINE, path
        response = exchange(
            server.url, request_bytes("GET", target, headers={"Authorization": f"Bearer {token}"})
        )
        # Both page and cursor are set (and the cursor is not one the server
        # made): a 422 from the app, not a 414 from gunicorn.
        _assert_problem(response, 422)


def test_the_server_reads_the_request_line_the_app_plans_for() -> None:
    config = (Path(ROOT) / "gunicorn.conf.py").read_text()

    match = re.search(r"^limit_request_line = (\d+)$", config, flags=re.M)

    assert match is not None
    assert int(match.group(1)) == MAX_REQUEST_LINE <= 8190


def test_a_silent_client_stops_a_sync_worker_without_a_500(live_database: str) -> None:
    """gunicorn's timeout aborts a sync worker blocked on a client that sends
    nothing: the client gets no answer (not a 500), and the worker is replaced."""
    with gunicorn(
        live_database, GUNICORN_THREADS="1", GUNICORN_WORKERS="1", GUNICORN_TIMEOUT="2"
    ) as live:
        silent = exchange(live.url, b"", timeout=15)
        after = exchange(live.url, request_bytes("GET", "/health"))

    assert silent.status == 0  # closed without a response
    assert after.status == 200
    assert "Internal Server Error" not in live.stdout + live.stderr


def test_concurrent_writes_queue_instead_of_failing(live_database: str) -> None:
    """On SQLite, two transactions that both read then write used to deadlock, and
    one got a 503 at once; transactions now take the write lock first and queue."""
    with gunicorn(
        live_database, GUNICORN_WORKERS="2", GUNICORN_THREADS="4", SIGNUP_RATE_LIMIT="1000/hour"
    ) as live:

        def sign_up(n: int) -> int:
            body = json.dumps({"email": f"crowd{n}@example.com", "password": "a fine pass"})
            return exchange(live.url, _json_request("POST", "/api/users", body.encode())).status

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(sign_up, range(16)))

    assert statuses == [201] * 16
