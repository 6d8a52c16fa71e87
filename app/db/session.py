"""The request-scoped session and the unit of work around it.

Flask-SQLAlchemy keeps one ``Session`` per app context (so per request) and removes
it when the context ends, which also returns its connection to the pool and rolls
back anything left uncommitted. Handlers commit through ``unit_of_work`` only.

A read-only request (``read_only``, app/db/autocommit.py) runs its statements
without a transaction; ``unit_of_work`` turns the transaction back on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import db
from app.db.autocommit import AUTOCOMMIT, read_only
from app.exceptions import DomainError

__all__ = ["get_db", "ping", "read_only", "unit_of_work"]


def get_db() -> Session:
    """Return the request's Session: the one Flask-SQLAlchemy scopes to the current
    app context (a request, a CLI command or a job), removed when it ends."""
    return db.session()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit what the block wrote, or roll all of it back if the block raises.

    Repositories only add and flush; this is the one place a request commits. A
    ``DomainError`` whose ``commit`` is true keeps its writes: the request fails,
    but what the failure recorded (such as a revoked token family) must stay.
    """
    session = get_db()
    if session.info.pop(AUTOCOMMIT, False):
        # End the reads' autocommit connection; the writes get a transaction.
        session.commit()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.commit:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise


def ping(session: Session) -> None:
    """Run a trivial query; raises if the database cannot be reached."""
    session.execute(select(1))
