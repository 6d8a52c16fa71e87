"""The database layer: the Flask-SQLAlchemy extension, the declarative base, the
session and unit of work, column types, and what makes SQLite behave.

Everything above (models, repositories, services) reaches the database through
here; nothing here imports the layers above or Flask's request globals.
"""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy

from app.db.autocommit import AppSession
from app.db.base import Base

# expire_on_commit=False: a handler can serialise what it just committed without
# a second round trip to reload every attribute.
db = SQLAlchemy(model_class=Base, session_options={"class_": AppSession, "expire_on_commit": False})
