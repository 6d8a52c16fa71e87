"""Repositories: one per model, each wrapping a Session."""

from app.repositories.base import Page, Repository
from app.repositories.refresh_token import RefreshTokenRepository
from app.repositories.user import UserRepository

__all__ = ["Page", "RefreshTokenRepository", "Repository", "UserRepository"]
