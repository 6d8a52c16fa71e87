"""Make SQLite behave like the production database where it matters.

Python's sqlite3 driver delays ``BEGIN`` until the first write, so reads run
outside the transaction and a ``SAVEPOINT`` can silently become the outermost
transaction. SQLAlchemy documents the fix used here: let the driver do nothing and
emit ``BEGIN`` ourselves. Foreign keys are also off by default in SQLite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection


def enable_sqlite_transactions(engine: Engine) -> None:
    """Install the listeners on ``engine``; safe to call once per engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")
