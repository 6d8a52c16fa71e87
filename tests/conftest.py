"""Fixtures: one migrated database per run, one rolled-back transaction per test.

The run uses SQLite unless ``TEST_DATABASE_URL`` points at a PostgreSQL server,
for example ``postgresql://postgres@127.0.0.1:5432/postgres``; a fresh database is
created there and dropped at the end.

Isolation: each test's app talks to the database through one connection inside a
transaction that is rolled back when the test ends. Handlers still commit: with
``join_transaction_mode="create_savepoint"`` their commits release savepoints
inside that transaction. Tests marked ``real_transactions`` get real commits
instead, and every table is emptied after them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.globals import app_ctx
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from app import create_app
from app.db import db
from app.db.session import get_db
from tests.factories import add_user, sign_in
from tests.support.databases import (
    app_config,
    dispose_engines,
    run_migrations,
    temporary_database,
)
from tests.support.redis_keys import delete_keys


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The run's database, migrated to head once."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    with temporary_database(server_url, tmp_path_factory.mktemp("db")) as url:
        run_migrations(url)
        yield url


@pytest.fixture
def app(database_url: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A fresh app per test, from the real factory."""
    app = create_app(app_config(database_url))
    try:
        if request.node.get_closest_marker("real_transactions"):
            try:
                yield app
            finally:
                _empty_tables(app)
        else:
            with _rolled_back(app):
                yield app
    finally:
        dispose_engines(app)


@pytest.fixture(autouse=True)
def _push_request_context() -> None:
    """Replace pytest-flask's fixture of this name, which pushes a request context
    for the whole test. With it, every test-client request would reuse that one
    app context and session; without it, each request gets its own, as in
    production. Tests that query directly use the ``session`` fixture."""


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Replace pytest-flask's client, which is opened with ``with`` and so keeps the
    last request's app context pushed: another client's next request would then run
    in that context, with its ``flask.g`` (and its signed-in user)."""
    return app.test_client()


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    """A test client signed in as a superuser, who may call every endpoint."""
    admin = add_user(app, is_staff=True, is_superuser=True)
    client = app.test_client()
    tokens = sign_in(client, admin["email"])
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens['access_token']}"
    return client


@pytest.fixture
def redis_limits() -> Iterator[dict[str, str]]:
    """Rate-limit settings for a test that counts in Redis (``TEST_REDIS_URL``):
    a key prefix of its own, and every key under it deleted afterwards."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("needs a Redis server: set TEST_REDIS_URL (make test-postgres and .ci/run do)")
    prefix = f"test-{uuid.uuid4().hex}"
    yield {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": prefix}
    delete_keys(url, prefix)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The app-context session, for tests that work below HTTP."""
    with app.app_context():
        yield get_db()


@contextmanager
def _rolled_back(app: Flask) -> Iterator[None]:
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    transaction = connection.begin()
    # Flask-SQLAlchemy's own Session picks the engine itself and ignores ``bind``,
    # so the test swaps in a plain scoped Session bound to the connection, scoped
    # per app context exactly like Flask-SQLAlchemy's.
    options = db.session.session_factory.kw
    factory = sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=options["expire_on_commit"],
    )
    original = db.session
    db.session = scoped_session(factory, scopefunc=lambda: id(app_ctx._get_current_object()))
    try:
        yield
    finally:
        # Each app context already removed its own session at teardown.
        db.session = original
        transaction.rollback()
        connection.close()


def _empty_tables(app: Flask) -> None:
    with app.app_context(), db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
