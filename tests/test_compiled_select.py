"""``CompiledSelect`` returns what the ORM's own execution returns, for every column
type a scaffolded resource can have, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    select,
)
from sqlalchemy.orm import Session

from app.db.compiled import CompiledSelect
from app.db.types import UTCDateTime

ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "Widget",
        "price": Decimal("12.50"),
        "ratio": 0.25,
        "released": date(2026, 1, 31),
        "seen_at": datetime(2026, 2, 1, 12, 30, tzinfo=UTC),
        "in_stock": True,
        "token": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "notes": None,
    },
    {
        "id": 2,
        "name": "Gadget",
        "price": Decimal("0.01"),
        "ratio": -1.5,
        "released": date(1999, 12, 31),
        "seen_at": datetime(2000, 1, 1, tzinfo=UTC),
        "in_stock": False,
        "token": uuid.UUID("87654321-4321-8765-4321-876543218765"),
        "notes": "a note",
    },
]


def _table() -> Table:
    # A table of its own (not in the app's metadata), created inside the test's
    # rolled-back transaction.
    return Table(
        f"compiled_probe_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("name", String(40), nullable=False),
        Column("price", Numeric(10, 2), nullable=False),
        Column("ratio", Float, nullable=False),
        Column("released", Date, nullable=False),
        Column("seen_at", UTCDateTime, nullable=False),
        Column("in_stock", Boolean, nullable=False),
        Column("token", Uuid, nullable=False),
        Column("notes", Text, nullable=True),
    )


def test_rows_match_the_orm_execution_for_every_column_type(session: Session) -> None:
    table = _table()
    table.create(session.connection())
    session.execute(table.insert(), ROWS)
    statement = select(table).where(table.c.id >= bindparam("low")).order_by(table.c.id)

    compiled = CompiledSelect(statement)
    expected = [dict(row) for row in session.execute(statement, {"low": 1}).mappings()]
    first = compiled.all(session, low=1)
    again = compiled.all(session, low=1)  # the processors cached on the first run

    assert first == again == expected == ROWS
    for got, want in zip(first, ROWS, strict=True):
        for key, value in want.items():
            assert type(got[key]) is type(value), key


def test_first_and_an_empty_result(session: Session) -> None:
    table = _table()
    table.create(session.connection())
    statement = select(table).where(table.c.id == bindparam("id"))
    compiled = CompiledSelect(statement)

    assert compiled.first(session, id=1) is None  # processors set from an empty result
    session.execute(table.insert(), ROWS)
    row = compiled.first(session, id=1)
    assert row == ROWS[0]
    assert isinstance(row["price"], Decimal)
