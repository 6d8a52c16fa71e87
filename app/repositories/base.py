"""A generic repository: the queries and writes every model needs, on one Session.

Repositories add and flush; they never commit (the request does, through
``app.db.session.unit_of_work``) and they know nothing of HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, exists, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.base import Base
from app.db.errors import is_unique_violation
from app.exceptions import ConflictError, NotFoundError

ModelT = TypeVar("ModelT", bound=Base)


@dataclass(frozen=True)
class Page(Generic[ModelT]):
    """One page of a list, with what a client needs to fetch the others."""

    items: Sequence[ModelT]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page) if self.total else 0


class Repository(Generic[ModelT]):
    """Persistence for one model. Subclasses set ``model`` and add their own queries."""

    model: ClassVar[type[Any]]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, id: int) -> ModelT | None:
        """The object with primary key ``id``, or ``None``."""
        obj: ModelT | None = self.session.get(self.model, id)
        return obj

    def get_or_raise(self, id: int) -> ModelT:
        """The object with primary key ``id``; ``NotFoundError`` if there is none."""
        obj = self.get(id)
        if obj is None:
            raise NotFoundError(f"{self.model.__name__} {id} does not exist.")
        return obj

    def list(
        self, *, page: int = 1, per_page: int = 20, where: Sequence[ColumnElement[bool]] = ()
    ) -> Page[ModelT]:
        """A page of objects in primary-key order: one COUNT and at most one SELECT."""
        total = self.session.scalar(select(func.count()).select_from(self.model).where(*where))
        total = total or 0
        offset = (page - 1) * per_page
        items: Sequence[ModelT] = []
        if offset < total:
            query = (
                select(self.model)
                .where(*where)
                .order_by(*inspect(self.model).primary_key)
                .offset(offset)
                .limit(per_page)
            )
            items = self.session.scalars(query).all()
        return Page(items=items, total=total, page=page, per_page=per_page)

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
        """Flush, turning a unique-constraint violation into a ``ConflictError``.

        The database decides: two concurrent writes of the same unique value both
        pass any check made before, and only the constraint stops the second.
        Other integrity errors propagate: they are bugs, not client mistakes.
        """
        try:
            self.session.flush()
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise self.conflict(exc) from exc

    def conflict(self, exc: IntegrityError) -> ConflictError:
        """The error to raise for ``exc``; override to name the field at fault."""
        return ConflictError(f"This {self.model.__name__} conflicts with an existing one.")
