"""Query arguments and response envelope shared by every paginated list."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Keeps OFFSET inside a 64-bit integer on every backend.
MAX_PAGE = 2**31 - 1


class PageArgsSchema(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "1-based page number."},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."},
    )


@cache
def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The envelope ``{items, page, per_page, total, pages}`` around ``item_schema``.

    Cached, so each item schema gets one envelope class (and one OpenAPI component).
    """
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True, metadata={"description": "Items in all pages."}),
            "pages": fields.Integer(required=True, metadata={"description": "Number of pages."}),
        },
        name=name,
    )
