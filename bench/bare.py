"""The yardstick: bare Flask + psycopg handlers doing the same work as the app.

No ORM, no schemas, no framework extensions: a psycopg connection kept per thread,
SQL written by hand, rows turned into JSON by hand. Two sets of handlers:

- ``/auth/...`` does what the app does for a signed-in staff member: verify the
  JWT (signature, expiry, issuer, audience), run the same sign-in query (the active
  user and a live refresh token of the sign-in), then the work itself;
- ``/noauth/...`` does only the work.

``/users`` stands for the users resource; ``/resource`` for the table a
``flask scaffold`` run added (``BENCH_RESOURCE_TABLE``), read and dumped the way
its generated read schema does (decimals as strings, dates in ISO 8601).

bench/run.py serves this under gunicorn with the project's gunicorn.conf.py, like
the app, and compares them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import jwt
import psycopg
from flask import Flask, Response, request

app = Flask(__name__)
_local = threading.local()
USER_COLUMNS = (
    "id, email, full_name, is_active, is_staff, is_superuser, last_login, created_at, updated_at"
)
SIGNED_IN = (
    "SELECT id, is_staff, is_superuser, created_at FROM users WHERE id = %s AND is_active "
    "AND EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = %s "
    "AND refresh_tokens.user_id = users.id AND revoked_at IS NULL)"
)
SIGNING_KEY = hmac.new(
    os.environ.get("SECRET_KEY", "").encode(), b"access-token", hashlib.sha256
).digest()
ISSUER = AUDIENCE = "flask-api-template"
RESOURCE_TABLE = os.environ.get("BENCH_RESOURCE_TABLE", "")


def _connection() -> psycopg.Connection[Any]:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = psycopg.connect(os.environ["BENCH_DSN"], autocommit=True)
    return connection


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status, mimetype="application/json")


def _user(record: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": record[0],
        "email": record[1],
        "full_name": record[2],
        "is_active": record[3],
        "is_staff": record[4],
        "is_superuser": record[5],
        "last_login": record[6].isoformat() if record[6] else None,
        "created_at": record[7].isoformat(),
        "updated_at": record[8].isoformat(),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


def _rows(cursor: psycopg.Cursor[Any]) -> list[dict[str, Any]]:
    names = [column.name for column in cursor.description or ()]
    return [
        {name: _plain(value) for name, value in zip(names, record, strict=True)}
        for record in cursor.fetchall()
    ]


def _authenticate(connection: psycopg.Connection[Any]) -> bool:
    """The staff member this request signs in, as the app checks it."""
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        claims = jwt.decode(
            token, SIGNING_KEY, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE
        )
    except jwt.InvalidTokenError:
        return False
    row = connection.execute(SIGNED_IN, (int(claims["sub"]), claims["sid"])).fetchone()
    if row is None or claims["iat"] < int(row[3].timestamp()):
        return False
    return bool(row[1] or row[2])


def _cursor(item: dict[str, Any]) -> str:
    raw = json.dumps(["id", item["id"], item["id"]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _detail(connection: psycopg.Connection[Any], user_id: int) -> Response:
    row = connection.execute(f"SELECT {USER_COLUMNS} FROM users WHERE id = %s", (user_id,))
    record = row.fetchone()
    if record is None:
        return _json({"status": 404}, 404)
    return _json(_user(record))


def _list(connection: psycopg.Connection[Any]) -> Response:
    per_page = min(int(request.args.get("per_page", 20)), 100)
    if "cursor" in request.args:
        after = 0
        if request.args["cursor"]:
            token = request.args["cursor"]
            after = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))[2]
        records = connection.execute(
            f"SELECT {USER_COLUMNS} FROM users WHERE id > %s ORDER BY id LIMIT %s",
            (after, per_page + 1),
        ).fetchall()
        items = [_user(record) for record in records[:per_page]]
        more = len(records) > per_page
        return _json(
            {"items": items, "per_page": per_page, "next": _cursor(items[-1]) if more else None}
        )
    page = max(int(request.args.get("page", 1)), 1)
    total = connection.execute("SELECT count(*) FROM users").fetchone()[0]  # type: ignore[index]
    records = connection.execute(
        f"SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT %s OFFSET %s",
        (per_page, (page - 1) * per_page),
    ).fetchall()
    items = [_user(record) for record in records]
    pages = -(-total // per_page)
    return _json(
        {
            "items": items,
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "total": total,
            "next": _cursor(items[-1]) if items and page < pages else None,
        }
    )


def _update(connection: psycopg.Connection[Any], user_id: int, authenticate: bool) -> Response:
    body = json.loads(request.get_data())
    with connection.transaction():
        if authenticate and not _authenticate(connection):
            return _json({"status": 401}, 401)
        record = connection.execute(
            "UPDATE users SET full_name = %s, updated_at = %s WHERE id = %s "
            f"RETURNING {USER_COLUMNS}",
            (body["full_name"], datetime.now(UTC), user_id),
        ).fetchone()
    if record is None:
        return _json({"status": 404}, 404)
    return _json(_user(record))


@app.get("/auth/users/<int:user_id>")
def auth_detail(user_id: int) -> Response:
    connection = _connection()
    if not _authenticate(connection):
        return _json({"status": 401}, 401)
    return _detail(connection, user_id)


@app.get("/auth/users")
def auth_list() -> Response:
    connection = _connection()
    if not _authenticate(connection):
        return _json({"status": 401}, 401)
    return _list(connection)


@app.patch("/auth/users/<int:user_id>")
def auth_update(user_id: int) -> Response:
    return _update(_connection(), user_id, authenticate=True)


@app.get("/noauth/users/<int:user_id>")
def noauth_detail(user_id: int) -> Response:
    return _detail(_connection(), user_id)


@app.get("/noauth/users")
def noauth_list() -> Response:
    return _list(_connection())


@app.patch("/noauth/users/<int:user_id>")
def noauth_update(user_id: int) -> Response:
    return _update(_connection(), user_id, authenticate=False)


def _resource_detail(connection: psycopg.Connection[Any], row_id: int) -> Response:
    rows = _rows(connection.execute(f"SELECT * FROM {RESOURCE_TABLE} WHERE id = %s", (row_id,)))
    if not rows:
        return _json({"status": 404}, 404)
    return _json(rows[0])


def _resource_keyset(connection: psycopg.Connection[Any]) -> Response:
    per_page = min(int(request.args.get("per_page", 20)), 100)
    token = request.args.get("cursor", "")
    after = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))[2] if token else 0
    rows = _rows(
        connection.execute(
            f"SELECT * FROM {RESOURCE_TABLE} WHERE id > %s ORDER BY id LIMIT %s",
            (after, per_page + 1),
        )
    )
    items, more = rows[:per_page], len(rows) > per_page
    return _json(
        {"items": items, "per_page": per_page, "next": _cursor(items[-1]) if more else None}
    )


@app.get("/auth/resource/<int:row_id>")
def auth_resource_detail(row_id: int) -> Response:
    connection = _connection()
    if not _authenticate(connection):
        return _json({"status": 401}, 401)
    return _resource_detail(connection, row_id)


@app.get("/auth/resource")
def auth_resource_keyset() -> Response:
    connection = _connection()
    if not _authenticate(connection):
        return _json({"status": 401}, 401)
    return _resource_keyset(connection)


@app.get("/noauth/resource/<int:row_id>")
def noauth_resource_detail(row_id: int) -> Response:
    return _resource_detail(_connection(), row_id)


@app.get("/noauth/resource")
def noauth_resource_keyset() -> Response:
    return _resource_keyset(_connection())
