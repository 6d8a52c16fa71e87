"""The hottest reads, run closer to the driver.

SQLAlchemy's execution machinery (statement caching, result objects, ORM loading)
costs more than a short indexed query itself: about 0.3 ms a statement against
0.1 ms for the driver on this project's benchmark machine. ``CompiledSelect``
keeps SQLAlchemy for what it is best at, writing the SQL for each database from
one Core ``select``, and runs it on the session's own connection (same
transaction or autocommit, same pool), applying the columns' type processing,
translating driver errors into SQLAlchemy's (so a lost connection is invalidated
and answered as usual) and firing the engine's cursor events (so statement
counts and tracing still see it).

Use it for reads on the request path that run on every request; everything else
goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None


@dataclass
class _Prepared:
    sql: str
    positions: Sequence[str] | None  # bind names in order (qmark), or None (named)
    bind_processors: dict[str, Callable[[Any], Any]]
    # Values the statement carries itself (SQLite's OFFSET 0 after a bound LIMIT).
    defaults: dict[str, Any]
    keys: tuple[str, ...]
    types: tuple[TypeEngine[Any], ...]
    # Set on the first execution: some processors depend on the type the driver
    # reports for the column (psycopg's numeric as Decimal or float, for one).
    result_processors: tuple[Processor, ...] | None = None


class CompiledSelect:
    """A Core select with ``bindparam`` parameters, compiled once per dialect."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._prepared: dict[str, _Prepared] = {}

    def all(self, session: Session, **params: Any) -> list[dict[str, Any]]:
        """Every row, as a dict of column key to (processed) value."""
        connection = session.connection()
        prepared = self._prepare(connection.dialect)
        rows, processors = self._execute(connection, prepared, params)
        keys = prepared.keys
        return [
            {
                key: (process(value) if process is not None else value)
                for key, process, value in zip(keys, processors, row, strict=True)
            }
            for row in rows
        ]

    def first(self, session: Session, **params: Any) -> dict[str, Any] | None:
        rows = self.all(session, **params)
        return rows[0] if rows else None

    def _prepare(self, dialect: Dialect) -> _Prepared:
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            compiled = self.statement.compile(dialect=dialect)
            columns = list(self.statement.selected_columns)
            prepared = _Prepared(
                sql=compiled.string,
                positions=compiled.positiontup,
                bind_processors={
                    name: process
                    for name, process in compiled._bind_processors.items()
                    if callable(process)  # tuple types (a list of processors) are not used here
                },
                defaults={
                    name: bind.effective_value
                    for name, bind in compiled.binds.items()
                    if not bind.required
                },
                keys=tuple(str(column.key) for column in columns),
                types=tuple(column.type.dialect_impl(dialect) for column in columns),
            )
            self._prepared[dialect.name] = prepared
        return prepared

    @staticmethod
    def _execute(
        connection: Connection, prepared: _Prepared, params: dict[str, Any]
    ) -> tuple[list[tuple[Any, ...]], tuple[Processor, ...]]:
        values = {
            name: (
                prepared.bind_processors[name](value) if name in prepared.bind_processors else value
            )
            for name, value in {**prepared.defaults, **params}.items()
        }
        parameters: Any = (
            values if prepared.positions is None else tuple(values[n] for n in prepared.positions)
        )
        dispatch = connection.dispatch
        dbapi_connection = connection.connection
        cursor = dbapi_connection.cursor()
        try:
            if dispatch.before_cursor_execute:
                dispatch.before_cursor_execute(
                    connection, cursor, prepared.sql, parameters, None, False
                )
            cursor.execute(prepared.sql, parameters)
            rows = list(cursor.fetchall())
            processors = prepared.result_processors
            if processors is None:
                dialect = connection.dialect
                processors = prepared.result_processors = tuple(
                    type_.result_processor(dialect, description[1])
                    for type_, description in zip(
                        prepared.types, cursor.description or (), strict=True
                    )
                )
            if dispatch.after_cursor_execute:
                dispatch.after_cursor_execute(
                    connection, cursor, prepared.sql, parameters, None, False
                )
            return rows, processors
        except connection.dialect.loaded_dbapi.Error as exc:
            disconnected = connection.dialect.is_disconnect(exc, dbapi_connection, cursor)
            if disconnected:
                connection.invalidate(exc)
            raise DBAPIError.instance(
                prepared.sql,
                parameters,
                exc,
                connection.dialect.loaded_dbapi.Error,
                hide_parameters=True,
                dialect=connection.dialect,
                connection_invalidated=disconnected,
            ) from exc
        finally:
            cursor.close()
