"""The response envelope shared by every list endpoint."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Keeps OFFSET inside a 64-bit integer on every backend.
MAX_PAGE = 2**31 - 1


@cache
def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """``{items, per_page, next}``, plus ``page``, ``pages`` and ``total`` when the
    request asked for a page number rather than a cursor.

    Cached, so each item schema gets one envelope class (and one OpenAPI component).
    """
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "per_page": fields.Integer(required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Cursor of the next page (?cursor=...); null at the end."},
            ),
            "page": fields.Integer(metadata={"description": "Page number (offset paging only)."}),
            "pages": fields.Integer(
                metadata={"description": "Number of pages (offset paging only)."}
            ),
            "total": fields.Integer(
                metadata={"description": "Items in all pages (offset paging only)."}
            ),
        },
        name=name,
    )
