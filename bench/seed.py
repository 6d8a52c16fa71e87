"""Rows for the benchmarks, inserted by PostgreSQL itself (generate_series): only
psycopg here, so bench/breakdown.py can seed before it imports any project."""

from __future__ import annotations

import psycopg


def seed_users(database: str, count: int) -> None:
    """``count`` active, non-staff users, ``user1@example.com`` and on, then
    VACUUM ANALYZE (the planner sees the real table)."""
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(
            "INSERT INTO users (email, full_name, is_active, is_staff, is_superuser, "
            "created_at, updated_at) SELECT 'user' || n || '@example.com', 'User ' || n, "
            "true, false, false, now(), now() FROM generate_series(1, %s) AS n",
            (count,),
        )
        connection.execute("VACUUM ANALYZE users")
