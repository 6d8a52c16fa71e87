"""The yardstick: a bare Flask + psycopg handler doing the users list's queries.

No ORM, no schemas, no auth: one COUNT and one SELECT on a connection kept per
thread, rows turned into JSON by hand. bench/run.py serves it with the same
gunicorn settings as the app and compares the two.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg
from flask import Flask, request

app = Flask(__name__)
_local = threading.local()
COLUMNS = ("id", "email", "full_name", "is_active", "is_staff", "is_superuser")


def _connection() -> psycopg.Connection[Any]:
    connection = getattr(_local, "connection", None)
    if connection is None:
        url = os.environ["BENCH_DSN"]
        connection = _local.connection = psycopg.connect(url, autocommit=True)
    return connection


@app.get("/users")
def users() -> dict[str, Any]:
    per_page = min(int(request.args.get("per_page", 20)), 100)
    page = max(int(request.args.get("page", 1)), 1)
    with _connection().cursor() as cursor:
        cursor.execute("SELECT count(*) FROM users")
        row = cursor.fetchone()
        total = row[0] if row else 0
        cursor.execute(
            "SELECT id, email, full_name, is_active, is_staff, is_superuser, last_login, "
            "created_at, updated_at FROM users ORDER BY id LIMIT %s OFFSET %s",
            (per_page, (page - 1) * per_page),
        )
        items = [
            {
                **dict(zip(COLUMNS, record[:6], strict=True)),
                "last_login": record[6].isoformat() if record[6] else None,
                "created_at": record[7].isoformat(),
                "updated_at": record[8].isoformat(),
            }
            for record in cursor.fetchall()
        ]
    return {"items": items, "page": page, "per_page": per_page, "total": total}
