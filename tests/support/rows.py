"""Rows for tests that need one of any model (say, the target of a foreign key)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from app.db.base import Base
from app.db.session import unit_of_work


def make_row(app: Flask, model: type[Base], **values: Any) -> int:
    """Insert a row of ``model`` with a value for every required column (and a
    row for every required foreign key); returns its id."""
    with app.app_context(), unit_of_work() as session:
        return _make(session, model, values)


def _make(session: Session, model: type[Any], values: dict[str, Any]) -> int:
    data = dict(values)
    for column in inspect(model).columns:
        if (
            column.key in data
            or column.primary_key
            or column.nullable
            or column.default is not None
            or column.server_default is not None
        ):
            continue
        foreign_key = next(iter(column.foreign_keys), None)
        if foreign_key is not None:
            data[column.key] = _make(session, _model_of(foreign_key.column.table), {})
        else:
            data[column.key] = _sample(column)
    obj = model(**data)
    session.add(obj)
    session.flush()
    row_id: int = obj.id
    return row_id


def _model_of(table: Any) -> type[Any]:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    raise LookupError(f"No model maps table {table.name}.")


def _sample(column: Any) -> Any:
    column_type = column.type
    if isinstance(column_type, TypeDecorator) and column_type.python_type is object:
        column_type = column_type.impl_instance
    python_type = column_type.python_type
    unique = uuid.uuid4().hex[:12]
    samples: dict[type[Any], Any] = {
        bool: True,
        int: 1,
        float: 1.0,
        decimal.Decimal: decimal.Decimal("1.00"),
        dt.datetime: dt.datetime.now(dt.UTC),
        dt.date: dt.date.today(),
        uuid.UUID: uuid.uuid4(),
    }
    if python_type is str:
        return f"{unique}@example.com" if "email" in column.key else f"sample-{unique}"
    return samples[python_type]
