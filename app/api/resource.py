"""Generic views: a model exposed as a REST resource by declaring what it allows.

    class WidgetResource(ModelResource[Widget, WidgetRepository]):
        repository = WidgetRepository
        read_schema, create_schema, update_schema = WidgetRead, WidgetCreate, WidgetUpdate
        filter_fields = ("in_stock", "price")
        ordering_fields = ("id", "name", "price")
        search_fields = ("name",)

    WidgetResource.register(blp)

gives ``GET /`` (list), ``POST /`` (create), ``GET /<id>`` (retrieve), ``PATCH /<id>``
(update) and ``DELETE /<id>`` (delete), each documented in the OpenAPI document.

Lists page by number (``?page=2&per_page=50``, with ``total``) or by cursor
(``?cursor=`` then the ``next`` of each response: no COUNT and no OFFSET, for deep
or live paging). They filter on ``filter_fields`` (``?price=5``; numbers and
dates also ``?price__gte=1&price__lte=9``), order by one of ``ordering_fields``
(``?ordering=-price``, ties broken by id) and search ``search_fields`` (``?q=``).
Any other query parameter is refused with a 422 that names it.

Override ``create``, ``update`` or ``delete`` for rules of your own, and set
``permissions``, ``decorators`` and ``responses`` per action.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import marshmallow as ma
from flask import url_for
from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import inspect
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.types import String, TypeDecorator

from app.api.blueprint import Blueprint
from app.api.permissions import Permission, authenticated, staff
from app.db.base import MAX_ID
from app.db.session import get_db, unit_of_work
from app.exceptions import ValidationFailed
from app.repositories.base import Repository
from app.schemas.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, page_schema
from app.schemas.problem import ProblemSchema
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

ModelT = TypeVar("ModelT")
RepositoryT = TypeVar("RepositoryT", bound=Repository[Any])

ACTIONS = ("list", "create", "retrieve", "update", "delete")
RANGE_TYPES = (int, float, decimal.Decimal, dt.date)  # dt.datetime is a dt.date
# The longest request line the server reads: gunicorn.conf.py's
# limit_request_line. Every list's longest valid URL must fit in it.
MAX_REQUEST_LINE = 8190
MAX_SEARCH_LENGTH = 200
# Free-text filters get what the line has left, up to their column's length.
MAX_TEXT_FILTER_LENGTH = 255


class ModelResource(Generic[ModelT, RepositoryT]):
    """Declare a model's REST resource; see the module docstring."""

    repository: ClassVar[type[Repository[Any]]]
    read_schema: ClassVar[type[Schema]]
    create_schema: ClassVar[type[Schema]]
    update_schema: ClassVar[type[Schema]]
    # The URL parameter of one object: /<id:id_param>.
    id_param: ClassVar[str] = "id"
    filter_fields: ClassVar[Sequence[str]] = ()
    # Columns a client may order by; they must be NOT NULL (keyset paging).
    ordering_fields: ClassVar[Sequence[str]] = ("id",)
    default_ordering: ClassVar[str] = "id"
    search_fields: ClassVar[Sequence[str]] = ()
    max_per_page: ClassVar[int] = MAX_PER_PAGE
    # Per action: the permissions a caller needs (see app.api.permissions), or
    # None for a public action. By default reading needs a signed-in user and
    # writing needs staff; an action left out of a subclass's mapping keeps that.
    permissions: ClassVar[Mapping[str, Sequence[Permission] | None]] = {
        "list": (authenticated,),
        "retrieve": (authenticated,),
        "create": (staff,),
        "update": (staff,),
        "delete": (staff,),
    }
    # Per action: extra view decorators (rate limits, caching...), outermost first.
    decorators: ClassVar[Mapping[str, Sequence[Callable[..., Any]]]] = {}
    # Per action: extra documented responses, {status: description}.
    responses: ClassVar[Mapping[str, Mapping[int, str]]] = {}
    # Per action: the summary line in the OpenAPI document.
    docs: ClassVar[Mapping[str, str]] = {}

    # -- hooks: what each write does; override for rules of your own ----------

    def create(self, repository: RepositoryT, data: dict[str, Any]) -> ModelT:
        repository.check_references(data)
        obj: ModelT = repository.add(repository.model(**data))
        return obj

    def update(self, repository: RepositoryT, obj: ModelT, data: dict[str, Any]) -> ModelT:
        repository.check_references(data)
        updated: ModelT = repository.update(obj, data)
        return updated

    def delete(self, repository: RepositoryT, obj: ModelT) -> None:
        repository.delete(obj)

    # -- wiring ------------------------------------------------------------------

    @classmethod
    def register(cls, blp: Blueprint) -> None:
        """Add the five routes to ``blp`` (call once, at import time)."""
        resource = cls()
        resource._check_declaration()
        columns = _columns(cls.repository.model)
        # Parse the ordering value a cursor carries: text at its column's full length.
        query_fields = {name: _cursor_field(columns[name]) for name in cls.ordering_fields}
        list_args = resource._list_args_schema(columns, blp.url_prefix or "")
        envelope = page_schema(cls.read_schema)
        item = f"/<id:{cls.id_param}>"
        name = cls.repository.model.__name__

        def list_objects(args: dict[str, Any]) -> dict[str, Any]:
            return resource._list(args, query_fields)

        def create_object(data: dict[str, Any]) -> tuple[Any, int, dict[str, str]]:
            with unit_of_work() as session:
                obj = resource.create(resource._repository(session), data)
            location = url_for(".retrieve", **{cls.id_param: _id_of(obj)})
            return obj, 201, {"Location": location}

        def retrieve_object(**view_args: int) -> Any:
            return resource._repository(get_db()).get_or_raise(view_args[cls.id_param])

        def update_object(data: dict[str, Any], **view_args: int) -> Any:
            with unit_of_work() as session:
                repository = resource._repository(session)
                obj = repository.get_or_raise(view_args[cls.id_param])
                return resource.update(repository, obj, data)

        def delete_object(**view_args: int) -> None:
            with unit_of_work() as session:
                repository = resource._repository(session)
                resource.delete(repository, repository.get_or_raise(view_args[cls.id_param]))

        routes: list[tuple[str, str, str, Callable[..., Any], str]] = [
            ("list", "", "GET", list_objects, f"List {name} objects."),
            ("create", "", "POST", create_object, f"Create a {name}."),
            ("retrieve", item, "GET", retrieve_object, f"Read one {name}."),
            ("update", item, "PATCH", update_object, f"Change some fields of a {name}."),
            ("delete", item, "DELETE", delete_object, f"Delete a {name}."),
        ]
        for action, rule, method, view, summary in routes:
            view.__doc__ = cls.docs.get(action, summary)
            view.__name__ = action
            decorated = resource._decorate(blp, action, view, list_args, envelope)
            blp.route(rule, methods=[method], endpoint=action)(decorated)

    def _repository(self, session: Any) -> RepositoryT:
        repository: RepositoryT = self.repository(session)  # type: ignore[assignment]
        return repository

    def _decorate(
        self,
        blp: Blueprint,
        action: str,
        view: Callable[..., Any],
        list_args: type[Schema],
        envelope: type[Schema],
    ) -> Callable[..., Any]:
        """Apply, innermost first: response, arguments, documented errors,
        permissions, then the resource's own decorators."""
        if action == "list":
            view = blp.response(200, envelope)(view)
            view = blp.arguments(list_args, location="query", unknown=ma.RAISE)(view)
        elif action == "create":
            view = blp.response(201, self.read_schema)(view)
            view = blp.arguments(self.create_schema)(view)
        elif action == "update":
            view = blp.response(200, self.read_schema)(view)
            view = blp.arguments(self.update_schema)(view)
        elif action == "retrieve":
            view = blp.response(200, self.read_schema)(view)
        else:
            view = blp.response(204)(view)
        documented = dict(self.responses.get(action, {}))
        if action in ("retrieve", "update", "delete"):
            documented.setdefault(404, "No such object.")
        if action in ("create", "update", "delete"):
            documented.setdefault(409, "A unique value is taken, or related objects conflict.")
        for status, description in documented.items():
            view = blp.alt_response(status, schema=ProblemSchema, description=description)(view)
        # An action the subclass does not mention keeps the default: never public
        # by omission.
        permissions = {**ModelResource.permissions, **self.permissions}[action]
        if permissions is not None:
            view = blp.auth_required(*permissions)(view)
        for decorator in reversed(self.decorators.get(action, ())):
            view = decorator(view)
        return view

    def _list(
        self, args: dict[str, Any], query_fields: Mapping[str, fields.Field[Any]]
    ) -> dict[str, Any]:
        per_page = args.pop("per_page")
        page = args.pop("page", None)
        cursor = args.pop("cursor", None)
        ordering = args.pop("ordering", self.default_ordering)
        text = args.pop("q", None)
        order_by, descending = ordering.removeprefix("-"), ordering.startswith("-")
        repository = self._repository(get_db())
        where = list(repository.filter_by(args))
        if text:
            where.append(repository.search(text, self.search_fields))
        field = query_fields[order_by]

        def next_cursor(items: Sequence[Any]) -> str:
            last = items[-1]
            return _encode_cursor(
                ordering, field._serialize(getattr(last, order_by), None, None), _id_of(last)
            )

        if cursor is not None:
            after = _decode_cursor(cursor, ordering, field) if cursor else None
            rows = repository.list_after(
                after=after,
                per_page=per_page,
                where=where,
                order_by=order_by,
                descending=descending,
            )
            more = rows.has_more
            return {
                "items": rows.items,
                "per_page": per_page,
                "next": next_cursor(rows.items) if more else None,
            }
        result = repository.list(
            page=page or 1, per_page=per_page, where=where, order_by=order_by, descending=descending
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

    def _list_args_schema(
        self, columns: Mapping[str, ColumnProperty[Any]], path: str
    ) -> type[Schema]:
        """The query parameters of the list, from the declarations and column types.

        Every parameter has a bounded length, and together they fit the server's
        request line: free-text filters share what the others leave, so a
        client never meets a 414 with a valid request.
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
        left = MAX_REQUEST_LINE - len(f"GET {path}? HTTP/1.1")
        left -= sum(len(name) + 2 + url_length(field) for name, field in declared.items())
        left -= sum(len(name) + 2 for name in texts)
        for name in texts:
            share = min(_text_length(columns[name]), left // len(texts) // ENCODED_TEXT_CHAR)
            if share < 1:
                raise TypeError(
                    f"{type(self).__name__}: the longest list URL would not fit in "
                    f"{MAX_REQUEST_LINE} bytes; declare fewer filter_fields."
                )
            declared[name] = QueryText(share)

        class ListArgs(Schema):
            @validates_schema
            def _page_or_cursor(self, data: dict[str, Any], **kwargs: Any) -> None:
                if "page" in data and "cursor" in data:
                    raise ValidationError("Use either page or cursor, not both.", "cursor")

        # A subclass of ListArgs, so it keeps the validator above.
        schema: type[Schema] = ListArgs.from_dict(
            declared, name=f"{self.repository.model.__name__}ListArgs"
        )
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

    def _check_declaration(self) -> None:
        """Fail at import time, not at the first request, on a wrong declaration."""
        columns = _columns(self.repository.model)
        for name in (*self.filter_fields, *self.ordering_fields, *self.search_fields):
            if name not in columns:
                raise TypeError(f"{type(self).__name__}: {name!r} is not a column.")
            if "__" in name:
                raise TypeError(f"{type(self).__name__}: {name!r}: '__' marks a lookup.")
        for name in self.ordering_fields:
            if columns[name].columns[0].nullable:
                raise TypeError(f"{type(self).__name__}: ordering field {name!r} is nullable.")
            if _python_type(columns[name]) is str and not _bounded(columns[name]):
                raise TypeError(
                    f"{type(self).__name__}: ordering field {name!r} has no length limit; "
                    "a cursor must fit in a URL."
                )
        if self.default_ordering.removeprefix("-") not in self.ordering_fields:
            raise TypeError(f"{type(self).__name__}: default_ordering is not an ordering field.")
        unknown = set(self.permissions) - set(ACTIONS)
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown actions {sorted(unknown)}.")


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


def _id_of(obj: Any) -> Any:
    return inspect(obj).identity[0]


def _encode_cursor(ordering: str, value: Any, last_id: Any) -> str:
    raw = json.dumps(
        [ordering, value, last_id], separators=(",", ":"), default=str, ensure_ascii=False
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, ordering: str, field: fields.Field[Any]) -> tuple[Any, Any]:
    """The (ordering value, id) a cursor stands for; 422 if it was not made by
    this list with this ordering."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, last_id = json.loads(raw)
        if made_for != ordering or type(last_id) is not int or not 1 <= last_id <= MAX_ID:
            raise ValueError(made_for)
        return field.deserialize(value), last_id
    except (ValueError, TypeError, binascii.Error, ValidationError) as exc:
        raise ValidationFailed({"cursor": ["Invalid cursor for this list and ordering."]}) from exc
