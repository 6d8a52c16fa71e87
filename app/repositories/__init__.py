"""Repositories: one per model, each wrapping a Session."""

from app.repositories.base import Page, Repository
from app.repositories.user import UserRepository

__all__ = ["Page", "Repository", "UserRepository"]
