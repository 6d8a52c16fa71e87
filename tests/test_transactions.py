"""The request owns the transaction: all of a handler's writes land, or none do."""

from __future__ import annotations

import pytest
from flask import Flask

from app.db.session import get_db, unit_of_work
from app.models.user import User
from app.repositories.user import UserRepository


def _count_users(app: Flask) -> int:
    with app.app_context():
        return get_db().query(User).count()


@pytest.mark.real_transactions
def test_a_handler_that_fails_after_writing_leaves_nothing(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.post("/test/write-then-fail")
    def write_then_fail() -> str:
        with unit_of_work() as session:
            UserRepository(session).add(User(email="half@example.com"))
            raise RuntimeError("failed after the flush")

    response = app.test_client().post("/test/write-then-fail")

    assert response.status_code == 500
    assert _count_users(app) == 0


@pytest.mark.real_transactions
def test_writes_outside_a_unit_of_work_are_rolled_back_at_teardown(app: Flask) -> None:
    """A handler that forgets to commit loses its writes instead of leaking them."""

    @app.post("/test/write-no-commit")
    def write_no_commit() -> str:
        UserRepository(get_db()).add(User(email="uncommitted@example.com"))
        return "ok"

    response = app.test_client().post("/test/write-no-commit")

    assert response.status_code == 200
    assert _count_users(app) == 0


@pytest.mark.real_transactions
def test_a_unit_of_work_commits_all_its_writes(app: Flask) -> None:
    @app.post("/test/write-two")
    def write_two() -> str:
        with unit_of_work() as session:
            users = UserRepository(session)
            users.add(User(email="one@example.com"))
            users.add(User(email="two@example.com"))
        return "ok"

    assert app.test_client().post("/test/write-two").status_code == 200
    assert _count_users(app) == 2


@pytest.mark.real_transactions
def test_a_conflict_rolls_back_the_earlier_writes_of_the_same_request(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.post("/test/write-then-conflict")
    def write_then_conflict() -> str:
        with unit_of_work() as session:
            users = UserRepository(session)
            users.add(User(email="first@example.com"))
            users.add(User(email="FIRST@example.com"))
        return "ok"

    response = app.test_client().post("/test/write-then-conflict")

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert _count_users(app) == 0
