"""The declarative base every model inherits, and the columns most models share.

Alembic autogenerate targets ``Base.metadata``. The naming convention gives every
index and constraint a deterministic name, which batch migrations on SQLite and
``DROP CONSTRAINT`` on PostgreSQL both need.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, MetaData, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.db.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The largest id a 64-bit signed column holds (BIGINT on PostgreSQL, INTEGER on
# SQLite): anything beyond it is not an id of this database.
MAX_ID = 2**63 - 1

# 64-bit ids on PostgreSQL; SQLite only auto-increments an ``INTEGER PRIMARY KEY``.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base with the project's constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Ids are never reused: on SQLite an ``INTEGER PRIMARY KEY`` without
        ``AUTOINCREMENT`` hands a deleted row's id to the next insert, so a deleted
        user's token (or a link to a deleted row) would name someone else.
        PostgreSQL's sequences never go back."""
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if isinstance(table, Table) and "id" in table.c and table.c.id.primary_key:
            table.dialect_options["sqlite"]["autoincrement"] = True


class IdMixin:
    """A surrogate 64-bit integer primary key named ``id``."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, sort_order=-10)


class TimestampMixin:
    """``created_at`` and ``updated_at``, set by the ORM in UTC.

    The values are computed in Python so they are known right after a flush,
    without a second query to read them back.
    """

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, sort_order=10)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, sort_order=10
    )
