"""Generic views: a model exposed as a REST resource by declaring what it allows.

    class WidgetResource(ModelResource[Widget, WidgetRepository]):
        repository = WidgetRepository
        read_schema, create_schema, update_schema = WidgetRead, WidgetCreate, WidgetUpdate
        filter_fields = ("in_stock", "price")
        ordering_fields = ("id", "name", "price")
        search_fields = ("name",)

    WidgetResource.register(blp)

gives ``GET /`` (list), ``POST /`` (create), ``GET /<id>`` (retrieve), ``PATCH /<id>``
(update) and ``DELETE /<id>`` (delete), each documented in the OpenAPI document;
``actions = ("list", "retrieve")`` makes a read-only resource. The list query
language is ``app.api.listing``.

Per action, declare ``permissions`` (checked on the caller before anything else,
and on the object when it is loaded: ``get_object``), ``decorators``,
``responses`` and ``docs``; a key that is not one of the resource's actions is a
``TypeError`` at import. By default every action needs staff.

``owner_field = "owner_id"`` (a foreign key to users) makes the resource owned:
each signed-in user reads, counts, searches, changes and deletes only the rows it
owns (another user's row is a 404), creates rows it owns, and cannot give one
away; staff see and change all. ``scope`` is the hook behind it: conditions every
query of the request adds.

Override the hooks ``create``, ``update`` and ``delete`` for rules of your own:
each gets a ``Context`` (who acts, the repository of the request's unit of work)
and calls a service or the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

import marshmallow as ma
from flask import Response, current_app, url_for
from marshmallow import Schema
from sqlalchemy import ColumnElement, bindparam, false, inspect, select
from sqlalchemy.orm import Session

from app.api.blueprint import Blueprint
from app.api.current import current_user, optional_user
from app.api.listing import ListQuery
from app.api.permissions import Permission, check_object_permissions, staff
from app.db.compiled import CompiledSelect
from app.db.session import get_db, unit_of_work
from app.exceptions import NotFoundError, PermissionDeniedError
from app.models.user import User
from app.repositories.base import Repository
from app.schemas.compiled import attributes_read, dumper
from app.schemas.pagination import MAX_PER_PAGE, page_schema
from app.schemas.problem import ProblemSchema
from app.services.accounts import is_staff

ModelT = TypeVar("ModelT")
RepositoryT = TypeVar("RepositoryT", bound=Repository[Any])

ACTIONS = ("list", "create", "retrieve", "update", "delete")
PER_ACTION = ("permissions", "decorators", "responses", "docs")


@dataclass(frozen=True)
class Context(Generic[RepositoryT]):
    """What a hook works with: who acts, and the repository of this request's
    unit of work (its ``session`` is the one the request commits)."""

    actor: User | None  # None on a public action called without credentials
    repository: RepositoryT

    @property
    def session(self) -> Session:
        return self.repository.session


class ModelResource(Generic[ModelT, RepositoryT]):
    """Declare a model's REST resource; see the module docstring."""

    repository: ClassVar[type[Repository[Any]]]
    read_schema: ClassVar[type[Schema]]
    create_schema: ClassVar[type[Schema]]
    update_schema: ClassVar[type[Schema]]
    # The routes this resource has.
    actions: ClassVar[Sequence[str]] = ACTIONS
    # The URL parameter of one object: /<id:id_param>.
    id_param: ClassVar[str] = "id"
    filter_fields: ClassVar[Sequence[str]] = ()
    # Columns a client may order by; they must be NOT NULL (keyset paging).
    ordering_fields: ClassVar[Sequence[str]] = ("id",)
    default_ordering: ClassVar[str] = "id"
    search_fields: ClassVar[Sequence[str]] = ()
    max_per_page: ClassVar[int] = MAX_PER_PAGE
    # Per action: the permissions a caller needs (see app.api.permissions), or
    # None for a public action. By default every action needs staff; an action
    # left out of a subclass's mapping keeps that: never open by omission.
    permissions: ClassVar[Mapping[str, Sequence[Permission] | None]] = {
        "list": (staff,),
        "retrieve": (staff,),
        "create": (staff,),
        "update": (staff,),
        "delete": (staff,),
    }
    # A foreign key to users that makes each row its owner's (see the module doc).
    owner_field: ClassVar[str | None] = None
    # The object reads of get_object, compiled by register().
    _by_id: ClassVar[CompiledSelect]
    _by_id_and_owner: ClassVar[CompiledSelect]
    # Per action: extra view decorators (rate limits, caching...), outermost first.
    decorators: ClassVar[Mapping[str, Sequence[Callable[..., Any]]]] = {}
    # Per action: extra documented responses, {status: description}.
    responses: ClassVar[Mapping[str, Mapping[int, str]]] = {}
    # Per action: the summary line in the OpenAPI document.
    docs: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A typo in ``actions`` or a per-action mapping fails here, at import."""
        super().__init_subclass__(**kwargs)
        unknown = set(cls.actions) - set(ACTIONS)
        if unknown:
            raise TypeError(f"{cls.__name__}.actions: unknown actions {sorted(unknown)}.")
        for name in PER_ACTION:
            declared = cls.__dict__.get(name, {})
            stray = set(declared) - set(cls.actions)
            if stray:
                raise TypeError(
                    f"{cls.__name__}.{name}: unknown actions {sorted(stray)} "
                    f"(its actions: {', '.join(cls.actions)})."
                )

    # -- hooks: what each write does; override for rules of your own ----------

    def create(self, ctx: Context[RepositoryT], data: dict[str, Any]) -> ModelT:
        data = self._owned(ctx, data, default_owner=True)
        ctx.repository.check_references(data)
        obj: ModelT = ctx.repository.add(ctx.repository.model(**data))
        return obj

    def update(self, ctx: Context[RepositoryT], obj: ModelT, data: dict[str, Any]) -> ModelT:
        data = self._owned(ctx, data, default_owner=False)
        ctx.repository.check_references(data)
        updated: ModelT = ctx.repository.update(obj, data)
        return updated

    def delete(self, ctx: Context[RepositoryT], obj: ModelT) -> None:
        ctx.repository.delete(obj)

    # -- objects and scope -------------------------------------------------------

    def get_object(self, ctx: Context[RepositoryT], action: str, id: int) -> ModelT:
        """The object an action is about (404 if there is none, or if it is outside
        the request's ``scope``), once its object permissions allow the actor: the
        one place they are checked."""
        obj: ModelT = self._find(ctx, id)
        if ctx.actor is not None:
            check_object_permissions(ctx.actor, self.permissions_for(action) or (), obj)
        return obj

    def _find(self, ctx: Context[RepositoryT], id: int) -> ModelT:
        """The object, in one compiled query on every request (app/db/compiled.py)
        while ``scope`` is the owner scope; through the ORM for a scope of your own."""
        if type(self).scope is not ModelResource.scope:
            found: ModelT = ctx.repository.get_or_raise(id, where=self.scope(ctx))
            return found
        owner = self._owner_of_scope(ctx)
        if owner is _NOBODY:
            row = None
        elif owner is None:
            row = self._by_id.first(ctx.session, id=id)
        else:
            row = self._by_id_and_owner.first(ctx.session, id=id, owner=owner)
        if row is None:
            raise NotFoundError(f"{ctx.repository.model.__name__} {id} does not exist.")
        obj: ModelT = ctx.repository.from_row(row)
        return obj

    def scope(self, ctx: Context[RepositoryT]) -> list[ColumnElement[bool]]:
        """Conditions every query of this request adds: the list, its count, cursors,
        filters and search, and ``get_object``. With an ``owner_field``: the caller's
        own rows, unless the caller is staff (nothing for an anonymous caller)."""
        owner = self._owner_of_scope(ctx)
        if owner is None:
            return []
        if owner is _NOBODY:
            return [false()]
        assert self.owner_field is not None
        return [ctx.repository.column(self.owner_field) == owner]

    def _owner_of_scope(self, ctx: Context[RepositoryT]) -> Any:
        """Whose rows the request sees: ``None`` for all, a user id, or nobody's."""
        if self.owner_field is None or (ctx.actor is not None and is_staff(ctx.actor)):
            return None
        if ctx.actor is None:
            return _NOBODY
        return ctx.actor.id

    def _owned(
        self, ctx: Context[RepositoryT], data: dict[str, Any], *, default_owner: bool
    ) -> dict[str, Any]:
        """With an ``owner_field``: a new row is the caller's unless staff say
        otherwise, and only staff set or change the owner."""
        field = self.owner_field
        if field is None or ctx.actor is None:
            return data
        if field in data and not is_staff(ctx.actor) and data[field] != ctx.actor.id:
            raise PermissionDeniedError(f"Only staff may set {field}.")
        if default_owner:
            return {field: ctx.actor.id, **data}
        return data

    def permissions_for(self, action: str) -> Sequence[Permission] | None:
        """The action's permissions: the resource's own, else the default (an action
        is never public by omission)."""
        return {**ModelResource.permissions, **self.permissions}[action]

    # -- wiring ------------------------------------------------------------------

    @classmethod
    def register(cls, blp: Blueprint) -> None:
        """Add the routes of ``actions`` to ``blp`` (call once, at import time)."""
        resource = cls()
        table = cls.repository.model.__table__
        by_id = select(*table.columns).where(table.c[_primary_key(cls)] == bindparam("id"))
        cls._by_id = CompiledSelect(by_id)
        if cls.owner_field is not None:
            if cls.owner_field not in table.c:
                raise TypeError(f"{cls.__name__}.owner_field: {cls.owner_field!r} is not a column.")
            owned = by_id.where(table.c[cls.owner_field] == bindparam("owner"))
            cls._by_id_and_owner = CompiledSelect(owned)
        dump = dumper(cls.read_schema)
        listing = ListQuery(
            cls.repository.model,
            filter_fields=cls.filter_fields,
            ordering_fields=cls.ordering_fields,
            default_ordering=cls.default_ordering,
            search_fields=cls.search_fields,
            max_per_page=cls.max_per_page,
            path=blp.url_prefix or "",
            shown=attributes_read(cls.read_schema),
        )
        item = f"/<id:{cls.id_param}>"
        name = cls.repository.model.__name__

        # The views answer with the read schema's compiled dumper (app/schemas/
        # compiled.py); flask-smorest still documents the schemas.
        def list_objects(args: dict[str, Any]) -> Response:
            ctx = resource._context("list", get_db())
            page = listing.run(ctx.repository, args, where=resource.scope(ctx))
            return _json({**page, "items": [dump(item) for item in page["items"]]})

        def create_object(data: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
            with unit_of_work() as session:
                obj = resource.create(resource._context("create", session), data)
            location = url_for(".retrieve", **{cls.id_param: _id_of(obj)})
            return _json(dump(obj)), 201, {"Location": location}

        def retrieve_object(**view_args: int) -> Response:
            ctx = resource._context("retrieve", get_db())
            return _json(dump(resource.get_object(ctx, "retrieve", view_args[cls.id_param])))

        def update_object(data: dict[str, Any], **view_args: int) -> Response:
            with unit_of_work() as session:
                ctx = resource._context("update", session)
                obj = resource.get_object(ctx, "update", view_args[cls.id_param])
                return _json(dump(resource.update(ctx, obj, data)))

        def delete_object(**view_args: int) -> None:
            with unit_of_work() as session:
                ctx = resource._context("delete", session)
                resource.delete(ctx, resource.get_object(ctx, "delete", view_args[cls.id_param]))

        routes: dict[str, tuple[str, str, Callable[..., Any], str]] = {
            "list": ("", "GET", list_objects, f"List {name} objects."),
            "create": ("", "POST", create_object, f"Create a {name}."),
            "retrieve": (item, "GET", retrieve_object, f"Read one {name}."),
            "update": (item, "PATCH", update_object, f"Change some fields of a {name}."),
            "delete": (item, "DELETE", delete_object, f"Delete a {name}."),
        }
        for action in cls.actions:
            rule, method, view, summary = routes[action]
            view.__doc__ = cls.docs.get(action, summary)
            view.__name__ = action
            decorated = resource._decorate(blp, action, view, listing.schema)
            blp.route(rule, methods=[method], endpoint=action)(decorated)

    def _context(self, action: str, session: Session) -> Context[RepositoryT]:
        """The hook's context: the caller (authenticated already by ``auth_required``
        unless the action is public) and a repository on ``session``."""
        actor = optional_user() if self.permissions_for(action) is None else current_user()
        repository: RepositoryT = self.repository(session)  # type: ignore[assignment]
        return Context(actor=actor, repository=repository)

    def _decorate(
        self, blp: Blueprint, action: str, view: Callable[..., Any], list_args: type[Schema]
    ) -> Callable[..., Any]:
        """Apply, innermost first: response, arguments, documented errors,
        permissions, then the resource's own decorators. Argument schemas are
        given as instances: webargs would build a schema from a class on every
        request (about 8% of a list request)."""
        if action == "list":
            view = blp.response(200, page_schema(self.read_schema))(view)
            view = blp.arguments(list_args(), location="query", unknown=ma.RAISE)(view)
        elif action == "create":
            view = blp.response(201, self.read_schema)(view)
            view = blp.arguments(self.create_schema())(view)
        elif action == "update":
            view = blp.response(200, self.read_schema)(view)
            view = blp.arguments(self.update_schema())(view)
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
        permissions = self.permissions_for(action)
        if permissions is not None:
            view = blp.auth_required(*permissions)(view)
        for decorator in reversed(self.decorators.get(action, ())):
            view = decorator(view)
        return view


def _id_of(obj: Any) -> Any:
    return inspect(obj).identity[0]


def _primary_key(resource: type[ModelResource[Any, Any]]) -> str:
    return str(inspect(resource.repository.model).primary_key[0].key)


def _json(payload: Any) -> Response:
    return cast(Response, current_app.json.response(payload))


# The scope of an anonymous caller on an owned resource: no row at all.
_NOBODY = object()
