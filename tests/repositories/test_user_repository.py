"""The user repository against a real Session, below HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.exceptions import ConflictError, NotFoundError
from app.models.user import User
from app.repositories import Page, UserRepository

EMAIL_TAKEN = "A user with this email already exists."


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def add(repo: UserRepository, email: str, **values: Any) -> User:
    """A user as the repository stores it (the account service's rules are tested in
    tests/services)."""
    return repo.add(User(email=email, **values))


def make_users(repo: UserRepository, n: int) -> list[User]:
    return [add(repo, f"user{i}@example.com") for i in range(n)]


def test_the_unique_constraint_makes_a_duplicate_email_a_conflict(session: Session) -> None:
    """The repository checks nothing before it writes: the constraint decides, and
    the error names the field."""
    repo = UserRepository(session)
    add(repo, "race@example.com")

    with pytest.raises(ConflictError) as excinfo:
        add(repo, "RACE@example.com")

    assert excinfo.value.field == "email"
    assert str(excinfo.value) == EMAIL_TAKEN
    session.rollback()


def test_get_returns_the_user_or_none(session: Session) -> None:
    repo = UserRepository(session)
    user = add(repo, "get@example.com")

    assert repo.get(user.id) is user
    assert repo.get(user.id + 1000) is None


def test_get_or_raise(session: Session) -> None:
    repo = UserRepository(session)
    user = add(repo, "raise@example.com")
    missing = user.id + 1000

    assert repo.get_or_raise(user.id) is user
    with pytest.raises(NotFoundError) as excinfo:
        repo.get_or_raise(missing)
    assert str(excinfo.value) == f"User {missing} does not exist."


def test_get_by_email_ignores_case_and_surrounding_spaces(session: Session) -> None:
    repo = UserRepository(session)
    user = add(repo, "lookup@example.com")

    assert repo.get_by_email("lookup@example.com") is user
    assert repo.get_by_email("  LookUp@EXAMPLE.com\t") is user
    assert repo.get_by_email("other@example.com") is None


def test_list_pages_in_id_order_with_totals(session: Session) -> None:
    repo = UserRepository(session)
    ids = [user.id for user in make_users(repo, 5)]

    first = repo.list(page=1, per_page=2)
    last = repo.list(page=3, per_page=2)
    beyond = repo.list(page=4, per_page=2)

    assert isinstance(first, Page)
    assert [u.id for u in first.items] == ids[:2]
    assert (first.page, first.per_page, first.total, first.pages) == (1, 2, 5, 3)
    assert [u.id for u in last.items] == ids[4:]
    assert list(beyond.items) == []
    assert (beyond.total, beyond.pages) == (5, 3)


def test_list_of_nothing_has_no_pages(session: Session) -> None:
    page = UserRepository(session).list()

    assert list(page.items) == []
    assert (page.page, page.per_page, page.total, page.pages) == (1, 20, 0, 0)


def test_list_filters_with_where(session: Session) -> None:
    repo = UserRepository(session)
    add(repo, "active@example.com")
    inactive = add(repo, "inactive@example.com", is_active=False)

    page = repo.list(where=[User.is_active.is_(False)])

    assert [u.id for u in page.items] == [inactive.id]
    assert page.total == 1


def test_exists(session: Session) -> None:
    repo = UserRepository(session)
    add(repo, "here@example.com", is_active=False)

    assert repo.exists(User.email == "here@example.com")
    assert repo.exists(User.email == "here@example.com", User.is_active.is_(False))
    assert not repo.exists(User.email == "here@example.com", User.is_active.is_(True))
    assert not repo.exists(User.email == "gone@example.com")


def test_update_sets_the_given_fields(session: Session) -> None:
    repo = UserRepository(session)
    user = add(repo, "before@example.com", full_name="Before")

    repo.update(user, {"full_name": "After", "email": " AFTER@example.com", "is_active": False})

    session.expire(user)
    assert (user.full_name, user.email, user.is_active) == ("After", "after@example.com", False)


def test_delete_removes_the_user(session: Session) -> None:
    repo = UserRepository(session)
    user = add(repo, "doomed@example.com")
    user_id = user.id

    repo.delete(user)

    assert repo.get(user_id) is None
    assert count_users(session) == 0


def test_timestamps_are_aware_utc_after_a_round_trip(session: Session) -> None:
    repo = UserRepository(session)
    user = add(repo, "time@example.com")

    session.expire(user)

    for value in (user.created_at, user.updated_at):
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - value) < timedelta(minutes=1)


def test_update_moves_updated_at_only(session: Session) -> None:
    repo = UserRepository(session)
    user = add(repo, "moves@example.com")
    # Backdate both, so the assertions need no sleep and cannot tie.
    past = datetime(2000, 1, 1, tzinfo=UTC)
    repo.update(user, {"created_at": past, "updated_at": past})

    repo.update(user, {"full_name": "Changed"})

    session.expire(user)
    assert user.created_at == past
    assert user.updated_at > past + timedelta(days=365)
    assert user.updated_at.utcoffset() == timedelta(0)


def test_list_runs_a_constant_number_of_statements(session: Session) -> None:
    repo = UserRepository(session)
    make_users(repo, 10)
    bind = session.get_bind()
    assert isinstance(bind, Connection)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    counts: dict[int, int] = {}
    event.listen(bind, "before_cursor_execute", record)
    try:
        for per_page in (1, 50):
            statements.clear()
            page = repo.list(page=1, per_page=per_page)
            assert len(page.items) == min(per_page, 10)
            counts[per_page] = len(statements)
    finally:
        event.remove(bind, "before_cursor_execute", record)

    assert counts == {1: 2, 50: 2}
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)


def test_integrity_errors_other_than_duplicates_are_not_conflicts(session: Session) -> None:
    """A NOT NULL violation is a bug: it must not be reported as a 409 conflict."""
    users = UserRepository(session)
    user = add(users, "nonull@example.com")

    with pytest.raises(IntegrityError):
        users.update(user, {"full_name": None})
    session.rollback()
