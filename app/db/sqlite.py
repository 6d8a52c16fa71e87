"""Make SQLite behave like the production database where it matters.

Python's sqlite3 driver delays ``BEGIN`` until the first write, so reads run
outside the transaction and a ``SAVEPOINT`` can silently become the outermost
transaction. SQLAlchemy documents the fix used here: let the driver do nothing and
emit ``BEGIN`` ourselves. This also makes each migration one transaction on
SQLite, so a failing migration leaves nothing half-applied. Foreign keys are off
by default in SQLite; the app turns them on.

Each transaction begins ``IMMEDIATE``: it takes the write lock up front, so two
concurrent requests queue (for up to ``DATABASE_CONNECT_TIMEOUT``) instead of
deadlocking, which SQLite reports at once as "database is locked" when two
transactions that have read both try to write. WAL lets readers outside a
transaction (the migrations' checks, a ``sqlite3`` shell) read meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection


def enable_sqlite_transactions(engine: Engine) -> None:
    """Install the listeners on ``engine``; safe to call once per engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds ASCII only; searches compare lower(column)
        # with Python's str.lower(), so use that on both sides.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def foreign_keys_disabled(connection: Connection) -> Iterator[None]:
    """Turn SQLite's foreign-key enforcement off for a migration, then back on.

    Batch migrations rebuild a table by copying it and dropping the original; with
    enforcement on, dropping a referenced table fails or cascades deletes. The
    pragma has no effect inside a transaction, so it goes to the driver
    connection directly, before the migration's transaction begins.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None
    driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver_connection.execute("PRAGMA foreign_keys=ON")


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value
