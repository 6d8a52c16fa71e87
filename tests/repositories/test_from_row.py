"""``Repository.from_row``: a row read by a compiled select becomes the same
persistent object the ORM's loader would make, without its loading machinery."""

from __future__ import annotations

from sqlalchemy import String, inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app.repositories.base import Repository


class _Base(DeclarativeBase):
    """A registry of its own: the table is created in the test's transaction only."""


class Gadget(_Base):
    __tablename__ = "from_row_gadgets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An attribute whose column has another name.
    kind: Mapped[str] = mapped_column("type", String(20))
    label: Mapped[str] = mapped_column(String(20))


class GadgetRepository(Repository[Gadget]):
    model = Gadget


def test_a_row_becomes_a_persistent_object_with_no_pending_change(session: Session) -> None:
    columns = Gadget.__table__.columns
    values = {columns["id"].key: 7, columns["type"].key: "lamp", columns["label"].key: "Desk"}

    gadget = GadgetRepository(session).from_row(values)

    assert (gadget.id, gadget.kind, gadget.label) == (7, "lamp", "Desk")
    state = inspect(gadget)
    assert state.persistent
    assert state.unloaded == set()  # every attribute loaded: no lazy load later
    assert not session.dirty


def test_a_change_is_flushed_as_an_update_and_the_session_keeps_one_object(
    session: Session,
) -> None:
    _Base.metadata.create_all(session.connection())
    session.execute(Gadget.__table__.insert().values(id=7, type="lamp", label="Desk"))
    repository = GadgetRepository(session)
    columns = Gadget.__table__.columns
    values = {columns["id"].key: 7, columns["type"].key: "lamp", columns["label"].key: "Desk"}

    gadget = repository.from_row(values)
    assert repository.from_row(values) is gadget  # the identity map's object
    gadget.kind = "torch"
    session.flush()

    assert session.get(Gadget, 7) is gadget
    row = session.execute(Gadget.__table__.select()).one()
    assert (row.type, row.label) == ("torch", "Desk")
