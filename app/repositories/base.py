"""A generic repository: the queries and writes every model needs, on one Session.

Repositories add and flush; they never commit (the request does, through
``app.db.session.unit_of_work``) and they know nothing of HTTP.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from math import ceil
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    Select,
    UnaryExpression,
    bindparam,
    exists,
    func,
    inspect,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached

from app.db.base import Base
from app.db.compiled import CompiledSelect
from app.db.errors import is_foreign_key_violation, is_unique_violation
from app.exceptions import ConflictError, InvalidFieldsError, NotFoundError

ModelT = TypeVar("ModelT", bound=Base)

RANGE_LOOKUPS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "": operator.eq,
    "gte": operator.ge,
    "lte": operator.le,
}


@dataclass(frozen=True)
class Page(Generic[ModelT]):
    """One page of a list, with what a client needs to fetch the others."""

    items: Sequence[Any]  # objects, or row mappings (``as_rows``)
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page) if self.total else 0


@dataclass(frozen=True)
class Slice(Generic[ModelT]):
    """One keyset page: the rows, and whether more follow."""

    items: Sequence[Any]  # objects, or row mappings (``as_rows``)
    per_page: int
    has_more: bool


class Repository(Generic[ModelT]):
    """Persistence for one model. Subclasses set ``model`` and add their own queries."""

    model: ClassVar[type[Any]]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, id: int) -> ModelT | None:
        """The object with primary key ``id``, or ``None``."""
        obj: ModelT | None = self.session.get(self.model, id)
        return obj

    def from_row(self, values: Mapping[str, Any]) -> ModelT:
        """The object a row stands for (read with ``app.db.compiled.CompiledSelect``),
        added to the session as if the ORM had loaded it: the one already in the
        session if there is one, else a new persistent object, without the ORM's
        loading machinery."""
        mapper = inspect(self.model)
        key = mapper.identity_key_from_primary_key(
            [values[column.key] for column in mapper.primary_key]
        )
        existing: ModelT | None = self.session.identity_map.get(key)
        if existing is not None:
            return existing
        # As the ORM's loader does: the values go straight into the instance's
        # dict (no attribute events, no change history), then the object gets
        # its identity and joins the session as persistent.
        names = _attribute_names(mapper)
        obj: ModelT = mapper.class_manager.new_instance()
        obj.__dict__.update({names[column]: value for column, value in values.items()})
        make_transient_to_detached(obj)
        self.session.add(obj)
        return obj

    def get_or_raise(self, id: int, where: Sequence[ColumnElement[bool]] = ()) -> ModelT:
        """The object with primary key ``id`` that also matches ``where`` (a scope,
        such as the caller's own rows); ``NotFoundError`` if there is none."""
        if where:
            primary_key = inspect(self.model).primary_key[0]
            query = select(self.model).where(primary_key == id, *where)
            obj: ModelT | None = self.session.scalar(query)
        else:
            obj = self.get(id)
        if obj is None:
            raise NotFoundError(f"{self.model.__name__} {id} does not exist.")
        return obj

    def list(
        self,
        *,
        page: int = 1,
        per_page: int = 20,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: str | None = None,
        descending: bool = False,
        as_rows: bool = False,
        columns: Sequence[str] | None = None,
    ) -> Page[ModelT]:
        """A page by position: one COUNT and at most one SELECT, whatever the page size.

        Rows are ordered by ``order_by`` (default: the primary key), ties broken by
        the primary key, so that pages never overlap or skip a row. ``as_rows``
        gives each row as a mapping of column to value instead of an object (see
        ``_fetch``), with only ``columns`` (keys) if given.
        """
        total = self.session.scalar(select(func.count()).select_from(self.model).where(*where))
        total = total or 0
        offset = (page - 1) * per_page
        items: Sequence[Any] = []
        if offset < total:
            query = self._select(as_rows, columns).where(*where)
            query = query.order_by(*self._ordering(order_by, descending))
            items = self._fetch(query.offset(offset).limit(per_page), as_rows)
        return Page(items=items, total=total, page=page, per_page=per_page)

    def list_after(
        self,
        *,
        after: tuple[Any, Any] | None,
        per_page: int = 20,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: str | None = None,
        descending: bool = False,
        as_rows: bool = False,
        columns: Sequence[str] | None = None,
    ) -> Slice[ModelT]:
        """The rows after the row whose (``order_by`` value, primary key) is ``after``.

        Keyset pagination: one SELECT that walks an index from the last row seen,
        with no OFFSET, so a deep page costs as little as the first one and rows
        added or removed meanwhile never shift the pages. ``order_by`` must be a
        NOT NULL column.
        """
        if as_rows and not where:
            return self._list_after_compiled(after, per_page, order_by, descending, columns)
        ordering = self._ordering(order_by, descending)
        query = self._select(as_rows, columns).where(*where)
        if after is not None:
            ordered = [clause.element for clause in ordering]
            values = after[-len(ordered) :]  # ordered by the primary key alone: (id,)
            key = tuple_(*ordered)
            # Bound with each column's type, so values are stored-format on SQLite.
            bound = tuple_(*(literal(v, c.type) for v, c in zip(values, ordered, strict=True)))
            query = query.where(key < bound if descending else key > bound)
        rows = self._fetch(query.order_by(*ordering).limit(per_page + 1), as_rows)
        return Slice(items=rows[:per_page], per_page=per_page, has_more=len(rows) > per_page)

    def _list_after_compiled(
        self,
        after: tuple[Any, Any] | None,
        per_page: int,
        order_by: str | None,
        descending: bool,
        columns: Sequence[str] | None,
    ) -> Slice[Any]:
        """``list_after`` for an unfiltered list of rows, the most common page: its
        statement, of a handful of shapes per model, is compiled once
        (``CompiledSelect``) instead of being built and looked up in SQLAlchemy's
        statement cache on every request."""
        shape = (self.model, order_by, descending, after is not None, tuple(columns or ()))
        cached = _COMPILED_PAGES.get(shape)
        if cached is None:
            ordering = self._ordering(order_by, descending)
            ordered = [clause.element for clause in ordering]
            query = self._select(True, columns)
            if after is not None:
                key = tuple_(*ordered)
                bound = tuple_(
                    *(bindparam(f"after_{i}", type_=c.type) for i, c in enumerate(ordered))
                )
                query = query.where(key < bound if descending else key > bound)
            query = query.order_by(*ordering).limit(bindparam("limit", type_=Integer()))
            cached = _COMPILED_PAGES[shape] = (CompiledSelect(query), len(ordered))
        compiled, width = cached
        # The cursor's last values, one per ordering column: (id,) or (value, id).
        params = {} if after is None else {f"after_{i}": v for i, v in enumerate(after[-width:])}
        rows = compiled.all(self.session, limit=per_page + 1, **params)
        return Slice(items=rows[:per_page], per_page=per_page, has_more=len(rows) > per_page)

    def _select(self, as_rows: bool, columns: Sequence[str] | None = None) -> Select[Any]:
        if not as_rows:
            return select(self.model)
        table = self.model.__table__
        return select(*(table.c[key] for key in columns) if columns else table.columns)

    def _fetch(self, query: Select[Any], as_rows: bool) -> Sequence[Any]:
        """The objects ``query`` selects; or, ``as_rows``, its rows as mappings, read
        with Core on the session's connection: a list that is only shown (a page
        of 20, say) skips the ORM's loading of each object, its largest cost."""
        if as_rows:
            return self.session.connection().execute(query).mappings().all()
        return self.session.scalars(query).all()

    def check_references(self, values: Mapping[str, Any]) -> None:
        """``InvalidFieldsError`` naming every foreign-key value in ``values`` that
        points at no row, so a client gets a 422 rather than a constraint error."""
        errors: dict[str, builtins.list[str]] = {}
        columns = inspect(self.model).columns
        for name, value in values.items():
            if value is None or name not in columns:
                continue
            for foreign_key in columns[name].foreign_keys:
                target = foreign_key.column
                if not self.session.scalar(select(exists().where(target == value))):
                    errors[name] = [f"No {target.table.name} row has id {value}."]
        if errors:
            raise InvalidFieldsError(errors)

    def filter_by(self, filters: Mapping[str, Any]) -> Sequence[ColumnElement[bool]]:
        """Conditions from ``{"field": value}`` (equality) and Django-style range
        lookups ``{"field__gte": low, "field__lte": high}``."""
        clauses: builtins.list[ColumnElement[bool]] = []
        for key, value in filters.items():
            name, _, lookup = key.partition("__")
            clauses.append(RANGE_LOOKUPS[lookup](self.column(name), value))
        return clauses

    def search(self, text: str, fields: Sequence[str]) -> ColumnElement[bool]:
        """Rows where any of ``fields`` contains ``text``, ignoring case.

        Both sides are lower-cased by the database, so they fold alike (Python's
        ``str.lower`` and PostgreSQL's ``lower()`` disagree on a few letters, such as
        a final sigma). ``%`` and ``_`` in ``text`` match themselves.
        """
        escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
        pattern = func.lower(literal(f"%{escaped}%"))
        return or_(*(func.lower(self.column(name)).like(pattern, escape="/") for name in fields))

    def column(self, name: str) -> ColumnElement[Any]:
        """The mapped column ``name`` of the model."""
        column: ColumnElement[Any] = inspect(self.model).columns[name]
        return column

    def _ordering(self, order_by: str | None, descending: bool) -> Sequence[UnaryExpression[Any]]:
        primary_key = inspect(self.model).primary_key[0]
        columns = [primary_key]
        if order_by is not None and self.column(order_by) is not primary_key:
            columns.insert(0, self.column(order_by))
        return [column.desc() if descending else column.asc() for column in columns]

    def exists(self, *where: ColumnElement[bool]) -> bool:
        """Whether any row matches all of ``where``."""
        return bool(self.session.scalar(select(exists().where(*where))))

    def add(self, obj: ModelT) -> ModelT:
        """Stage ``obj`` for insert and flush, so its id and defaults are set."""
        self.session.add(obj)
        self._flush()
        return obj

    def update(self, obj: ModelT, values: Mapping[str, Any]) -> ModelT:
        """Set the given attributes on ``obj`` and flush."""
        for name, value in values.items():
            setattr(obj, name, value)
        self._flush()
        return obj

    def delete(self, obj: ModelT) -> None:
        """Delete ``obj`` and flush."""
        self.session.delete(obj)
        self._flush()

    def _flush(self) -> None:
        """Flush, turning a unique or foreign-key violation into a ``ConflictError``.

        The database decides: two concurrent writes of the same unique value both
        pass any check made before, and only the constraint stops the second.
        Other integrity errors propagate: they are bugs, not client mistakes.
        """
        try:
            self.session.flush()
        except IntegrityError as exc:
            if is_unique_violation(exc):
                raise self.conflict(exc) from exc
            if is_foreign_key_violation(exc):
                raise ConflictError(
                    f"This change to a {self.model.__name__} conflicts with related objects: "
                    "one it refers to is gone, or others still refer to it."
                ) from exc
            raise

    def conflict(self, exc: IntegrityError) -> ConflictError:
        """The error to raise for ``exc``; override to name the field at fault."""
        return ConflictError(f"This {self.model.__name__} conflicts with an existing one.")


# list_after's compiled statements, by (model, order_by, descending, has a cursor,
# columns).
_COMPILED_PAGES: dict[
    tuple[type[Any], str | None, bool, bool, tuple[str, ...]], tuple[CompiledSelect, int]
] = {}


@cache
def _attribute_names(mapper: Mapper[Any]) -> dict[str, str]:
    """Each mapped column's key, to the name of the attribute that maps it (the
    same unless a model renames a column)."""
    return {
        column.key: prop.key
        for prop in mapper.column_attrs
        for column in prop.columns
        if isinstance(column, Column)
    }
