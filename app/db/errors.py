"""Reading database errors the same way on PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

UNIQUE_VIOLATION_SQLSTATE = "23505"
FOREIGN_KEY_VIOLATION_SQLSTATE = "23503"
SQLITE_UNIQUE_CODES = ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether ``error`` is a duplicate key, as opposed to a NOT NULL, foreign key
    or CHECK violation (which are bugs, not conflicts)."""
    sqlstate = getattr(error.orig, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return bool(sqlstate == UNIQUE_VIOLATION_SQLSTATE)
    return getattr(error.orig, "sqlite_errorname", None) in SQLITE_UNIQUE_CODES


def is_foreign_key_violation(error: IntegrityError) -> bool:
    """Whether ``error`` is a row that refers to a missing one, or a delete of a row
    that others still refer to."""
    sqlstate = getattr(error.orig, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return bool(sqlstate == FOREIGN_KEY_VIOLATION_SQLSTATE)
    return getattr(error.orig, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_FOREIGNKEY"
