"""The list query language every resource shares: paging, filters, ordering, search.

Lists page by number (``?page=2&per_page=50``, with ``total``) or by cursor
(``?cursor=`` then the ``next`` of each response: no COUNT and no OFFSET, for deep
or live paging). They filter on declared fields (``?price=5``; numbers and dates
also ``?price__gte=1&price__lte=9``), order by one declared field
(``?ordering=-price``, ties broken by id) and search declared text fields
(``?q=``). Any other query parameter is refused with a 422 that names it.

Every parameter has a bounded length, and together they fit the request line the
server reads (``MAX_REQUEST_LINE``): a client never meets a 414 with a valid query.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import ColumnElement, inspect
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.types import String, TypeDecorator

from app.db.base import MAX_ID
from app.exceptions import InvalidFieldsError
from app.repositories.base import Repository
from app.schemas.pagination import DEFAULT_PER_PAGE, MAX_PAGE
from app.schemas.query import (
    ENCODED_TEXT_CHAR,
    QueryBoolean,
    QueryChoice,
    QueryDate,
    QueryDateTime,
    QueryDecimal,
    QueryFloat,
    QueryInteger,
    QueryText,
    QueryToken,
    QueryUUID,
    url_length,
)

RANGE_TYPES = (int, float, decimal.Decimal, dt.date)  # dt.datetime is a dt.date
# The longest request line the server reads: gunicorn.conf.py's
# limit_request_line. Every list's longest valid URL must fit in it.
MAX_REQUEST_LINE = 8190
MAX_SEARCH_LENGTH = 200
# Free-text filters get what the line has left, up to their column's length.
MAX_TEXT_FILTER_LENGTH = 255
INVALID_CURSOR = "Invalid cursor for this list and ordering."


class ListQuery:
    """One resource's list query language: its parameters (``schema``) and how a
    parsed query becomes a page (``run``). Built once, when the resource registers;
    a wrong declaration raises ``TypeError`` then."""

    def __init__(
        self,
        model: type[Any],
        *,
        filter_fields: Sequence[str],
        ordering_fields: Sequence[str],
        default_ordering: str,
        search_fields: Sequence[str],
        max_per_page: int,
        path: str,
        shown: Collection[str] | None = None,
    ) -> None:
        self.model = model
        self.filter_fields = filter_fields
        self.ordering_fields = ordering_fields
        self.default_ordering = default_ordering
        self.search_fields = search_fields
        self.max_per_page = max_per_page
        self.path = path  # the list's URL path, for the length budget
        self.primary_key = inspect(model).primary_key[0].key
        self._check()
        columns = _columns(model)
        # Read the ordering value a cursor carries: text at its column's full length.
        self.cursor_fields = {name: _cursor_field(columns[name]) for name in ordering_fields}
        self.schema = self._schema(columns)
        # The columns a page selects: what the response shows (``shown``, the read
        # schema's attributes), plus what its cursor needs; all when unknown.
        needed = None if shown is None else {*shown, self.primary_key, *ordering_fields}
        self.columns = (
            None
            if needed is None
            else [prop.columns[0].key for name, prop in columns.items() if name in needed]
        )

    def run(
        self,
        repository: Repository[Any],
        args: dict[str, Any],
        where: Sequence[ColumnElement[bool]] = (),
    ) -> dict[str, Any]:
        """The page ``args`` ask for, as the list envelope (``page_schema``), its
        items as row mappings (a page is only shown: no ORM objects are built).
        ``where`` narrows every query (a resource's scope)."""
        args = dict(args)
        per_page = args.pop("per_page")
        page = args.pop("page", None)
        cursor = args.pop("cursor", None)
        ordering = args.pop("ordering", self.default_ordering)
        text = args.pop("q", None)
        order_by, descending = ordering.removeprefix("-"), ordering.startswith("-")
        conditions = [*where, *repository.filter_by(args)]
        if text:
            conditions.append(repository.search(text, self.search_fields))
        field = self.cursor_fields[order_by]

        def next_cursor(items: Sequence[Any]) -> str:
            last = items[-1]
            value = field._serialize(last[order_by], None, None)
            return encode_cursor(ordering, value, last[self.primary_key])

        if cursor is not None:
            after = decode_cursor(cursor, ordering, field) if cursor else None
            rows = repository.list_after(
                after=after,
                per_page=per_page,
                where=conditions,
                order_by=order_by,
                descending=descending,
                as_rows=True,
                columns=self.columns,
            )
            return {
                "items": rows.items,
                "per_page": per_page,
                "next": next_cursor(rows.items) if rows.has_more else None,
            }
        result = repository.list(
            page=page or 1,
            per_page=per_page,
            where=conditions,
            order_by=order_by,
            descending=descending,
            as_rows=True,
            columns=self.columns,
        )
        more = result.page < result.pages and bool(result.items)
        return {
            "items": result.items,
            "page": result.page,
            "per_page": per_page,
            "pages": result.pages,
            "total": result.total,
            "next": next_cursor(result.items) if more else None,
        }

    # -- the parameters --------------------------------------------------------------

    def _schema(self, columns: Mapping[str, ColumnProperty[Any]]) -> type[Schema]:
        """The query parameters, from the declarations and the column types.

        Free-text filters share what the other parameters leave of the request
        line, each up to its column's length.
        """
        orderings = [f"{prefix}{name}" for name in self.ordering_fields for prefix in ("", "-")]
        declared: dict[str, fields.Field[Any]] = {
            "page": QueryInteger(
                minimum=1,
                maximum=MAX_PAGE,
                metadata={"description": "1-based page number (offset paging)."},
            ),
            "per_page": QueryInteger(
                minimum=1,
                maximum=self.max_per_page,
                load_default=min(DEFAULT_PER_PAGE, self.max_per_page),
                metadata={"description": f"Items per page, at most {self.max_per_page}."},
            ),
            "cursor": QueryToken(
                max_length=self._cursor_length(columns),
                metadata={"description": "Keyset paging: empty for the first page, then `next`."},
            ),
            "ordering": QueryChoice(
                orderings,
                metadata={"description": "A field to order by; prefix - for descending."},
            ),
        }
        if self.search_fields:
            declared["q"] = QueryText(
                MAX_SEARCH_LENGTH,
                metadata={"description": f"Search in {', '.join(self.search_fields)}."},
            )
        texts = []
        for name in self.filter_fields:
            column = columns[name]
            if _python_type(column) is str:
                texts.append(name)
                continue
            declared[name] = _field_for(column)
            if issubclass(_python_type(column), RANGE_TYPES) and _python_type(column) is not bool:
                declared[f"{name}__gte"] = _field_for(column)
                declared[f"{name}__lte"] = _field_for(column)
        # "GET <path>?<name>=<value>&... HTTP/1.1"
        left = MAX_REQUEST_LINE - len(f"GET {self.path}? HTTP/1.1")
        left -= sum(len(name) + 2 + url_length(field) for name, field in declared.items())
        left -= sum(len(name) + 2 for name in texts)
        for name in texts:
            share = min(_text_length(columns[name]), left // len(texts) // ENCODED_TEXT_CHAR)
            if share < 1:
                raise TypeError(
                    f"{self.model.__name__} list: the longest URL would not fit in "
                    f"{MAX_REQUEST_LINE} bytes; declare fewer filter_fields."
                )
            declared[name] = QueryText(share)

        class ListArgs(Schema):
            @validates_schema
            def _page_or_cursor(self, data: dict[str, Any], **kwargs: Any) -> None:
                if "page" in data and "cursor" in data:
                    raise ValidationError("Use either page or cursor, not both.", "cursor")

        # A subclass of ListArgs, so it keeps the validator above.
        schema: type[Schema] = ListArgs.from_dict(declared, name=f"{self.model.__name__}ListArgs")
        return schema

    def _cursor_length(self, columns: Mapping[str, ColumnProperty[Any]]) -> int:
        """The longest cursor any ordering makes: base64url of the JSON
        ``[ordering, value, id]``, with text values at their column's length
        (each character escaped at worst as ``\\u00XX``, six bytes)."""
        longest = 0
        for name in self.ordering_fields:
            column = columns[name]
            if _python_type(column) is str:
                value = 6 * _text_length(column) + 2
            else:
                value = 2 * url_length(_field_for(column)) + 2
            longest = max(longest, len(json.dumps([f"-{name}", None, MAX_ID])) + value)
        return math.ceil(longest * 4 / 3)

    def _check(self) -> None:
        """Fail at import time, not at the first request, on a wrong declaration."""
        where = f"{self.model.__name__} list"
        columns = _columns(self.model)
        for name in (*self.filter_fields, *self.ordering_fields, *self.search_fields):
            if name not in columns:
                raise TypeError(f"{where}: {name!r} is not a column.")
            if "__" in name:
                raise TypeError(f"{where}: {name!r}: '__' marks a lookup.")
        for name in self.ordering_fields:
            if columns[name].columns[0].nullable:
                raise TypeError(f"{where}: ordering field {name!r} is nullable.")
            if _python_type(columns[name]) is str and not _bounded(columns[name]):
                raise TypeError(
                    f"{where}: ordering field {name!r} has no length limit; "
                    "a cursor must fit in a URL."
                )
        if self.default_ordering.removeprefix("-") not in self.ordering_fields:
            raise TypeError(f"{where}: default_ordering is not an ordering field.")


# -- cursors -------------------------------------------------------------------------


def encode_cursor(ordering: str, value: Any, last_id: Any) -> str:
    """An opaque token for the row after which the next page starts."""
    raw = json.dumps(
        [ordering, value, last_id], separators=(",", ":"), default=str, ensure_ascii=False
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: str, field: fields.Field[Any]) -> tuple[Any, Any]:
    """The (ordering value, id) a cursor stands for; 422 if it was not made by
    this list with this ordering."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, last_id = json.loads(raw)
        if made_for != ordering or type(last_id) is not int or not 1 <= last_id <= MAX_ID:
            raise ValueError(made_for)
        return field.deserialize(value), last_id
    except (ValueError, TypeError, RecursionError, binascii.Error, ValidationError) as exc:
        raise InvalidFieldsError({"cursor": [INVALID_CURSOR]}) from exc


# -- columns to query fields -----------------------------------------------------------


def _columns(model: type[Any]) -> dict[str, ColumnProperty[Any]]:
    return {prop.key: prop for prop in inspect(model).column_attrs}


def _python_type(column: ColumnProperty[Any]) -> type[Any]:
    column_type = column.columns[0].type
    if isinstance(column_type, TypeDecorator) and column_type.python_type is object:
        column_type = column_type.impl_instance
    python_type: type[Any] = column_type.python_type
    return python_type


def _field_for(column: ColumnProperty[Any]) -> fields.Field[Any]:
    """A field that parses query-string values of this (non-text) column."""
    python_type = _python_type(column)
    if python_type is bool:
        return QueryBoolean()
    if python_type is int:
        return QueryInteger()
    if python_type is float:
        return QueryFloat()
    if python_type is decimal.Decimal:
        return _decimal_field(column)
    if python_type is dt.datetime:
        return QueryDateTime()
    if python_type is dt.date:
        return QueryDate()
    if python_type is uuid.UUID:
        return QueryUUID()
    return QueryText(_text_length(column))


def _cursor_field(column: ColumnProperty[Any]) -> fields.Field[Any]:
    """A field that reads this column's value back from a cursor."""
    if _python_type(column) is str:
        return QueryText(_text_length(column))
    return _field_for(column)


def _bounded(column: ColumnProperty[Any]) -> bool:
    column_type = column.columns[0].type
    return isinstance(column_type, String) and bool(column_type.length)


def _text_length(column: ColumnProperty[Any]) -> int:
    """The longest text the column holds (``MAX_TEXT_FILTER_LENGTH`` if unbounded)."""
    column_type = column.columns[0].type
    if isinstance(column_type, String) and column_type.length:
        return int(column_type.length)
    return MAX_TEXT_FILTER_LENGTH


def _decimal_field(column: ColumnProperty[Any]) -> fields.Field[Any]:
    """Query values of a NUMERIC(p, s) column, bounded to what the column holds
    (unbounded NUMERIC: 100 digits before the point)."""
    column_type = column.columns[0].type
    precision = getattr(column_type, "precision", None)
    scale = getattr(column_type, "scale", None) or 0
    return QueryDecimal(precision or 100 + scale, scale)
