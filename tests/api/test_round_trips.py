"""Round trips to PostgreSQL per request, counted at the protocol level.

libpq's trace (psycopg's ``pgconn.trace``) records every message the client sends.
Each round trip ends with a message that makes the server answer: a ``Query``
(simple protocol: BEGIN, ROLLBACK, a ping) or a ``Sync`` (extended protocol: one
per statement). SQLAlchemy's events would miss BEGIN, ROLLBACK and the pool's
pings; the trace cannot. docs/performance.md says why each remaining one is there.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import pq
from sqlalchemy import event

from app.db import db
from tests.factories import add_user, bearer, sign_in

pytestmark = [
    pytest.mark.real_transactions,
    pytest.mark.skipif(
        not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
        reason="round trips are a network cost: PostgreSQL only (make test-postgres)",
    ),
]
ROUND_TRIP = re.compile(r"^F\s+\d+\s+(Query|Sync)\b", flags=re.M)


@pytest.fixture
def traced(app: Flask) -> Iterator[Any]:
    """Trace every connection the app's pool hands out; ``count()`` reads the
    round trips so far."""
    trace = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in the finally below)

    def on_connect(dbapi_connection: Any, *args: Any) -> None:
        pgconn = dbapi_connection.pgconn
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    with app.app_context():
        engine = db.engine
    # From the connection's first message on: the pool's pings come before its
    # checkout event, so every connection is traced from birth.
    engine.dispose()
    event.listen(engine, "connect", on_connect)

    class Counter:
        def count(self) -> int:
            trace.flush()
            trace.seek(0)
            return len(ROUND_TRIP.findall(trace.read()))

    try:
        yield Counter()
    finally:
        engine.dispose()
        event.remove(engine, "connect", on_connect)
        trace.close()


@pytest.fixture
def staff_headers(app: Flask) -> dict[str, str]:
    staff = add_user(app, is_staff=True)
    for n in range(30):
        add_user(app, email=f"listed{n}@example.com")
    return bearer(sign_in(app.test_client(), staff["email"]))


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/api/users/{id}", 2),  # the sign-in check, the user (another one)
        ("/api/users?per_page=20&cursor=", 2),  # the sign-in check, the page (no COUNT)
        ("/api/users?per_page=20&page=2", 3),  # the sign-in check, COUNT, the page
        ("/api/auth/me", 1),  # the sign-in check is the user
    ],
)
def test_an_authenticated_read_makes_at_most_these_round_trips(
    app: Flask, traced: Any, staff_headers: dict[str, str], path: str, most: int
) -> None:
    client: FlaskClient = app.test_client()
    other = add_user(app, email="other@example.com")
    url = path.format(id=other["id"])
    for _ in range(10):  # psycopg prepares a statement on its fifth use: warm up
        assert client.get(url, headers=staff_headers).status_code == 200

    before = traced.count()
    response = client.get(url, headers=staff_headers)
    made = traced.count() - before

    assert response.status_code == 200
    assert made == most, f"{made} round trips for GET {url}"
