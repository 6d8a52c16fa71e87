"""Reads without a transaction: the session class that makes it possible.

A read-only request (``read_only``) runs its statements on an autocommit view of
the engine, on PostgreSQL: no ``BEGIN`` before them and no ``ROLLBACK`` after,
two round trips saved on every GET. SQLite keeps its transactions (they cost no
round trip, and its BEGIN IMMEDIATE orders writers).
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

import flask_sqlalchemy.session
from sqlalchemy import Engine
from sqlalchemy.orm import Session

AUTOCOMMIT = "autocommit"  # the session.info key that read_only sets
_autocommit_engines: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


class AppSession(flask_sqlalchemy.session.Session):
    """Flask-SQLAlchemy's session, on an autocommit view of the engine while read-only."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        if not (self.info.get(AUTOCOMMIT) and isinstance(bind, Engine)):
            return bind
        if bind.dialect.name != "postgresql":
            return bind
        autocommit = _autocommit_engines.get(bind)
        if autocommit is None:
            # The same pool; each statement commits on its own (psycopg's
            # autocommit is set and reset on the client: no round trip).
            autocommit = bind.execution_options(isolation_level="AUTOCOMMIT")
            _autocommit_engines[bind] = autocommit
        return autocommit


def read_only(session: Session) -> None:
    """Run ``session``'s statements outside a transaction until ``unit_of_work``:
    for requests that only read (each statement sees its own snapshot)."""
    session.info[AUTOCOMMIT] = True
