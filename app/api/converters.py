"""URL converters."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BaseConverter, ValidationError

from app.db.base import MAX_ID


class IdConverter(BaseConverter):
    """``<id:name>``: a positive id that fits the 64-bit primary key.

    Anything else (zero, negative, too large, not a number) does not match the
    route, so the client gets a 404 rather than a database overflow error.
    """

    regex = r"\d{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def id_parameter_schema(converter: IdConverter) -> dict[str, Any]:
    """How ``<id:...>`` path parameters appear in the OpenAPI document."""
    return {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
