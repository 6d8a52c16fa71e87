"""Fields shared by the schemas."""

from __future__ import annotations

import decimal
from datetime import UTC
from typing import Any

from marshmallow import ValidationError, fields

NO_NUL_PATTERN = "^[^\x00]*$"


class Text(fields.String):
    """A string that refuses NUL characters, which PostgreSQL cannot store.

    The rule is also in the OpenAPI document (a ``pattern``), so that clients and
    contract tests know it.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": NO_NUL_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise ValidationError("Must not contain NUL characters.")
        return _encodable(result)


class Email(fields.Email):
    """An email address, trimmed before it is validated."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = _encodable(value.strip())
        return super()._deserialize(value, attr, data, **kwargs)


class UTCDateTime(fields.AwareDateTime):
    """A timestamp with a time zone (UTC if none is given), converted to UTC.

    A value that has no UTC equivalent (near year 1 or 9999) is a 422 here,
    rather than an overflow in the database driver.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        try:
            return result.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError("Out of the supported date range.") from exc


class BoundedDecimal(fields.Decimal):
    """A decimal that fits ``NUMERIC(precision, scale)``: rounded to ``scale``
    places, below ``10 ** (precision - scale)`` in size, sent as a string.

    The bounds go into the OpenAPI document as numbers (a ``Range`` validator on
    a Decimal field would write them as strings, which is not valid OpenAPI).
    """

    def __init__(self, precision: int, scale: int, **kwargs: Any) -> None:
        self.limit = decimal.Decimal(10) ** (precision - scale) - decimal.Decimal(10) ** -scale
        bounds = {"minimum": -float(self.limit), "maximum": float(self.limit)}
        kwargs["metadata"] = {**bounds, **kwargs.get("metadata", {})}
        super().__init__(places=scale, as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result is not None and abs(result) > self.limit:
            raise ValidationError(f"Must be between -{self.limit} and {self.limit}.")
        return result


class DecimalString(fields.Decimal):
    """A decimal sent as a JSON string ("12.50"), so no precision is lost in
    clients that parse numbers as floats; documented as such in OpenAPI."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "format": "decimal", **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)


def _encodable(text: str) -> str:
    """``text``, if it is valid Unicode: JSON may carry lone surrogates (\\ud800),
    which no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError("Not valid Unicode text.") from exc
    return text
