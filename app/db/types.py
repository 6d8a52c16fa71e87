"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator

from app import clock


def utcnow() -> datetime:
    """``app.clock.now()``, looked up at each call: the column default that follows
    the one clock (tests that move it move ``created_at`` too)."""
    return clock.now()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that always reads back as aware UTC.

    PostgreSQL stores ``timestamptz`` natively; SQLite has no time zones and returns
    naive values, which this type marks as UTC so the API never emits a timestamp
    without an offset. Naive values are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime requires a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
