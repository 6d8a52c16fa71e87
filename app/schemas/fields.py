"""Fields shared by the schemas."""

from __future__ import annotations

import decimal
import re
from datetime import UTC
from typing import Any

from marshmallow import ValidationError, fields

from app.models.user import INVISIBLE_IN_EMAIL, has_invisible_characters, normalize_email

NO_NUL_PATTERN = "^[^\x00]*$"
# A number sent as text: ASCII digits, a point, an exponent, as in JSON (Python's
# Decimal and float also read Arabic-Indic digits, spaces and underscores).
NUMBER_TEXT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


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
    """An email address in its stored form (``normalize_email``: NFKC, trimmed,
    lower-cased), so that look-alike spellings are one address; an address with
    an invisible or control character is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = normalize_email(_encodable(value))
            if has_invisible_characters(value):
                raise ValidationError(INVISIBLE_IN_EMAIL)
        return super()._deserialize(value, attr, data, **kwargs)


class Boolean(fields.Boolean):
    """JSON ``true`` or ``false``: not ``1``, ``"yes"`` or ``"true"``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if value is True or value is False:
            return value
        raise ValidationError("Must be true or false.")


class Float(fields.Float):
    """A finite JSON number: not a string that looks like one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValidationError("Not a valid number.")
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
        if isinstance(value, str) and not NUMBER_TEXT.fullmatch(value):
            raise ValidationError("Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)

    def _format_num(self, value: Any) -> decimal.Decimal:
        # Bounds are checked before rounding to ``scale``: the document says
        # "maximum 99.99", so 99.994 is refused, not rounded into range.
        number = decimal.Decimal(str(value))
        if number.is_finite() and abs(number) > self.limit:
            raise ValidationError(f"Must be between -{self.limit} and {self.limit}.")
        rounded: decimal.Decimal = super()._format_num(value)  # type: ignore[no-untyped-call]
        return rounded


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
